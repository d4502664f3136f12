"""`ambulant bench linked-day`: a small day planned with and without its links, both plans
validated, the difference counted from the plans themselves."""

from __future__ import annotations

from typer.testing import CliRunner

from ambulant.bench.cli import bench_app
from ambulant.bench.linked_day import run_linked_day
from solver.instances import synthetic_day


def test_rows_count_what_each_plan_left_out() -> None:
    [row] = run_linked_day([4], n_visits=60, n_staff=3, time_limit_s=1.0, seed=0, workers=1)
    day = synthetic_day(n_visits=60, n_staff=3, seed=4)
    assert row.visits == 60 and row.ok, row.problems
    # Three staff cannot do 60 visits: both plans leave some out, and the joint ones counted
    # are among those of the linked plan.
    assert row.plain_unassigned > 0
    assert 0 <= row.linked_joint_unassigned <= row.linked_unassigned
    assert row.linked_joint_unassigned <= sum(1 for v in day.visits if v.staff_count > 1)
    assert row.difference == row.linked_unassigned - row.plain_unassigned


def test_the_command_prints_a_row_per_day_and_the_median() -> None:
    args = ["linked-day", "--day-seed", "1", "--day-seed", "2", "--visits", "30"]
    result = CliRunner().invoke(bench_app, [*args, "--staff", "4", "--time-limit", "0.5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["day", "seed"]
    assert [line.split()[0] for line in lines[1:3]] == ["1", "2"]
    assert "2 days: median difference" in lines[-1]
    assert "0 with an invalid plan" in lines[-1]
