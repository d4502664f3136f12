"""The bench runner and CLI end to end: plans are checked before they count, and every kind of
failure is reported as one.

Some tests register an extra planner in the runner's planner table (a planner returning a known
plan: a BRKGA best solution, or a best-known solution with a customer dropped). That is test
data going through the real harness, not a mock: the harness code under test is unchanged.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ambulant.bench import hhcrsp, runner, vrplib
from ambulant.bench.cli import bench_app, summary
from ambulant.bench.runner import INVALID, OK, Planned, Row
from tests.bench.data import BENCHMARKS, BRKGA, mankowska, solomon

cli = CliRunner()


def test_vrptw_with_plain_ortools_writes_a_checked_solution(tmp_path: Path) -> None:
    """Plain OR-Tools on C101 for one second: a valid plan, its .sol file passes the checker and
    costs what the table and the CSV say, against the BKS 827.3."""
    out, rows_csv = tmp_path / "out", tmp_path / "rows.csv"
    args = ["vrptw", str(solomon("C101")), "--time-limit", "1", "--out", str(out)]
    result = cli.invoke(bench_app, [*args, "--planner", "ortools", "--csv", str(rows_csv)])
    assert result.exit_code == 0, result.output
    instance = vrplib.read_instance(solomon("C101"))
    written = vrplib.read_solution(out / "C101.sol")
    assert vrplib.check_vrptw(instance, written.routes) == []
    assert written.cost is not None
    assert vrplib.distance(instance, written.routes) == round(10 * written.cost)
    with rows_csv.open(newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row["instance"], row["status"], row["planner"]) == ("C101", "ok", "ortools")
    assert float(row["value"]) == written.cost
    assert float(row["bks"]) == 827.3
    assert "C101" in result.output
    assert "1 instances: 1 solved with a valid plan, 0 without" in result.output


def test_an_invalid_plan_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan missing customer 5 is printed as invalid with the reason, written only as
    NAME.invalid.sol, and the command exits 1."""

    def drops_customer_5(
        instance: vrplib.VrptwInstance, time_limit_s: float, seed: int
    ) -> Planned[list[list[int]]]:
        best = vrplib.read_solution(solomon(instance.name).with_suffix(".sol"))
        return Planned([[c for c in r if c != 5] for r in best.routes])

    monkeypatch.setitem(runner.VRPTW_PLANNERS, "drops-5", drops_customer_5)
    args = ["vrptw", str(solomon("C101")), "--out", str(tmp_path), "--planner", "drops-5"]
    result = cli.invoke(bench_app, args)
    assert result.exit_code == 1
    assert not (tmp_path / "C101.sol").exists()
    assert (tmp_path / "C101.invalid.sol").exists()
    assert "invalid" in result.output
    assert "C101: 1 customers not served, e.g. [5]" in result.output
    assert "1 instances: 0 solved with a valid plan, 1 without" in result.output


def test_a_crash_or_no_plan_is_a_failure_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planner that raises on C101 and finds nothing on R101 gives an error row and a
    no-solution row; neither has a distance or a gap, and no file is written."""

    def fails(
        instance: vrplib.VrptwInstance, time_limit_s: float, seed: int
    ) -> Planned[list[list[int]]]:
        if instance.name == "C101":
            raise RuntimeError("boom")
        return Planned(None)

    monkeypatch.setitem(runner.VRPTW_PLANNERS, "fails", fails)
    rows = runner.run(
        runner.VRPTW, [solomon("C101"), solomon("R101")], 1.0, tmp_path, planner="fails"
    )
    assert [(r.instance, r.status) for r in rows] == [("C101", "error"), ("R101", "no solution")]
    assert rows[0].problems == ("RuntimeError: boom",)
    assert all(r.value is None and r.gap_pct is None and not r.ok for r in rows)
    assert list(tmp_path.iterdir()) == []


def test_hhcrsp_run_costs_and_writes_a_valid_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The BRKGA best plan for A1, timed earliest, goes through the HHCRSP runner: it is valid,
    costs 226.978 (gap 0 to the table), and its JSON reads back to the same plan."""
    solution = hhcrsp.read_brkga_solution(BRKGA / "solution-10-1-1.txt")

    def brkga(
        instance: hhcrsp.HhcInstance, time_limit_s: float, seed: int
    ) -> Planned[hhcrsp.HhcPlan]:
        return Planned(hhcrsp.earliest_schedule(instance, solution.sequences))

    monkeypatch.setitem(runner.HHC_PLANNERS, "brkga", brkga)
    [row] = runner.run(runner.HHCRSP, [mankowska(10, 1)], 1.0, tmp_path, planner="brkga")
    assert row.status == OK
    assert row.value == pytest.approx(226.978, abs=1e-3)
    assert row.gap_pct == pytest.approx(0.0, abs=1e-3)
    assert dict(row.parts) == pytest.approx({"dist": 680.934, "tard": 0.0, "tmax": 0.0}, abs=1e-3)
    assert row.vehicles == 3
    written = hhcrsp.plan_from_json(
        json.loads((tmp_path / "InstanzCPLEX_HCSRP_10_1.json").read_text())
    )
    instance = hhcrsp.read_instance(mankowska(10, 1))
    assert written == hhcrsp.earliest_schedule(instance, solution.sequences)


def test_hhcrsp_with_the_solver_is_valid_and_costed_as_the_table_says(tmp_path: Path) -> None:
    """ambulant's solver on A1 (10 patients) for two seconds: a plan the instance checker
    accepts, written as NAME.json, costing what the table prints, within 5 % of BRKGA's best
    (226.98; the solver costs tardiness and its maximum as the instance does)."""
    args = ["hhcrsp", str(mankowska(10, 1)), "--time-limit", "2", "--out", str(tmp_path)]
    result = cli.invoke(bench_app, args)
    assert result.exit_code == 0, result.output
    instance = hhcrsp.read_instance(mankowska(10, 1))
    written = tmp_path / "InstanzCPLEX_HCSRP_10_1.json"
    plan = hhcrsp.plan_from_json(json.loads(written.read_text()))
    assert hhcrsp.check_hhcrsp(instance, plan) == []
    cost = hhcrsp.evaluate_hhcrsp(instance, plan).cost
    assert f"{cost:.6g}" in result.output
    assert "1 solved with a valid plan" in result.output
    assert cost <= 1.05 * 226.98


def test_unknown_planner_is_refused() -> None:
    """--planner must name a known planner; typer reports a usage error (exit 2)."""
    result = cli.invoke(bench_app, ["vrptw", str(solomon("C101")), "--planner", "nope"])
    assert result.exit_code == 2
    assert "unknown planner" in result.output


def test_summary_counts_failures_and_gaps_of_valid_rows_only() -> None:
    """Gaps 1 % and 3 % give mean 2 % and worst 3 %; the invalid row's 50 % gap is not counted."""
    rows = [
        Row("vrptw", "x", "A", OK, 1.0, value=101.0, bks=100.0),
        Row("vrptw", "x", "B", OK, 1.0, value=103.0, bks=100.0),
        Row("vrptw", "x", "C", INVALID, 1.0, value=150.0, bks=100.0, problems=("late",)),
    ]
    assert summary(rows) == (
        "3 instances: 2 solved with a valid plan, 1 without; "
        "gap to BKS mean 2.00 %, worst 3.00 % (B)"
    )


TWO_HEAVY_CUSTOMERS = """NAME : heavy
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 1
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 1
DEMAND_SECTION
1 0
2 6
3 6
TIME_WINDOW_SECTION
1 0 1000
2 0 1000
3 0 1000
DEPOT_SECTION
1
-1
EOF
"""


def test_capacity_is_respected_by_the_solver_and_checked_by_the_harness(tmp_path: Path) -> None:
    """Two customers of demand 6 side by side, capacity 10: one route (10 + 1 + 10.0 = 21.0) is
    shorter than two (40.0) but carries 12. The solver keeps to the capacity: two routes, 40.0,
    accepted by the instance checker."""
    instance_file = tmp_path / "heavy.vrp"
    instance_file.write_text(TWO_HEAVY_CUSTOMERS)
    [row] = runner.run(runner.VRPTW, [instance_file], 1.0, tmp_path / "out")
    assert row.ok, row.problems
    assert row.vehicles == 2
    assert row.value == 40.0
    assert (tmp_path / "out" / "heavy.sol").exists()


def test_check_vrptw_flags_an_overloaded_route(tmp_path: Path) -> None:
    """The one-route plan carrying 12 with capacity 10 is what the checker must refuse."""
    instance_file = tmp_path / "heavy.vrp"
    instance_file.write_text(TWO_HEAVY_CUSTOMERS)
    instance = vrplib.read_instance(instance_file)
    assert vrplib.check_vrptw(instance, [[1, 2]]) == ["route 1: load 12 exceeds capacity 10"]


def test_check_vrptw_command_judges_a_solution_file(tmp_path: Path) -> None:
    """check-vrptw accepts R101's BKS (gap 0) and rejects it with customer 5 removed (exit 1)."""
    instance = str(solomon("R101"))
    good = cli.invoke(
        bench_app, ["check-vrptw", instance, str(solomon("R101").with_suffix(".sol"))]
    )
    assert good.exit_code == 0
    assert good.output == "R101: valid; 20 routes, distance 1637.7, gap 0.00 % to 1637.7\n"
    best = vrplib.read_solution(solomon("R101").with_suffix(".sol"))
    broken = tmp_path / "R101.sol"
    broken.write_text(vrplib.format_solution([[c for c in r if c != 5] for r in best.routes], 0))
    bad = cli.invoke(bench_app, ["check-vrptw", instance, str(broken)])
    assert bad.exit_code == 1
    assert bad.output.startswith("R101: INVALID; ")
    assert "  1 customers not served, e.g. [5]" in bad.output


def test_check_hhcrsp_command_judges_a_plan_file(tmp_path: Path) -> None:
    """check-hhcrsp accepts A1's BRKGA best plan (cost 226.978, gap 0); with the synchronised
    patient 8's first start moved 1 earlier it exits 1 and prints the checker's two problems
    (before e, out of sync)."""
    instance = hhcrsp.read_instance(mankowska(10, 1))
    solution = hhcrsp.read_brkga_solution(BRKGA / "solution-10-1-1.txt")
    plan = hhcrsp.earliest_schedule(instance, solution.sequences)
    assert plan is not None
    good_file = tmp_path / "good.json"
    good_file.write_text(json.dumps(plan.to_json()))
    good = cli.invoke(bench_app, ["check-hhcrsp", str(mankowska(10, 1)), str(good_file)])
    assert good.exit_code == 0
    assert good.output.startswith("InstanzCPLEX_HCSRP_10_1: valid; cost 226.978 (dist 680.934")
    assert "gap 0.00 % to 226.978" in good.output
    data = plan.to_json()
    routes = data["routes"]
    assert isinstance(routes, list)
    first = routes[1]["stops"][0]
    assert (first["node"], first["service"]) == (8, 4)
    first["start"] -= 1
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps(data))
    bad = cli.invoke(bench_app, ["check-hhcrsp", str(mankowska(10, 1)), str(bad_file)])
    assert bad.exit_code == 1
    assert bad.output.splitlines()[1:] == [
        "  node 8 service 4 starts before e",
        "  node 8: second service starts 1 after the first, outside [0, 0]",
    ]


def test_instance_names_are_found_under_the_benchmarks_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solomon/C101.vrp` names the file under AMBULANT_BENCHMARKS_DIR when it is not a file
    here; a name that is in neither place is refused, naming the setting."""
    from ambulant.config import get_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AMBULANT_BENCHMARKS_DIR", str(BENCHMARKS))
    get_settings.cache_clear()
    try:
        args = ["vrptw", "solomon/C101.vrp", "--time-limit", "1", "--planner", "ortools"]
        found = cli.invoke(bench_app, args)
        assert found.exit_code == 0, found.output
        assert "1 instances: 1 solved with a valid plan" in found.output
        missing = cli.invoke(bench_app, ["vrptw", "solomon/C999.vrp", "--time-limit", "1"])
        assert missing.exit_code == 2
        assert "AMBULANT_BENCHMARKS_DIR" in missing.output
    finally:
        get_settings.cache_clear()
