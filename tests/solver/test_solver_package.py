"""The solver package's public surface, determinism and a realistic day end to end."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

import solver
from solver import Parameters, solve, validate
from solver.instances import synthetic_day, without_links
from tests.solver.solver_builders import FAST


def test_public_names_are_pinned() -> None:
    """__all__ is exactly this, sorted: adding or dropping a name is a deliberate change."""
    assert solver.__all__ == [
        "Appointment",
        "AppointmentKept",
        "Break",
        "BreakTaken",
        "Dependency",
        "Monitor",
        "OffDuty",
        "OffDutyTaken",
        "Option",
        "Parameters",
        "PlanInvalid",
        "Priority",
        "Problem",
        "Progress",
        "Reason",
        "Result",
        "Route",
        "SearchStats",
        "Staff",
        "Stop",
        "Unassigned",
        "UnkeptAppointment",
        "Violation",
        "Visit",
        "Weights",
        "assert_valid",
        "recommend",
        "solve",
        "unplannable",
        "validate",
        "with_previous_plan",
    ]
    assert solver.__all__ == sorted(solver.__all__)


def test_same_seed_and_deterministic_parameters_give_the_same_plan() -> None:
    """No guided local search and a fixed number of moves: two runs, one plan."""
    problem = synthetic_day(n_visits=40, n_staff=4, seed=3)
    first, second = solve(problem, FAST), solve(problem, FAST)
    assert validate(problem, first) == []
    assert first.routes == second.routes
    assert first.unassigned == second.unassigned
    assert first.objective == second.objective


def test_synthetic_day_is_reproducible_and_shaped_like_a_home_care_day() -> None:
    """Same seed, same day; joint visits and follow-ups in the asked-for shares."""
    day = synthetic_day(n_visits=100, n_staff=8, joint_share=0.05, dependency_share=0.05, seed=1)
    assert day == synthetic_day(
        n_visits=100, n_staff=8, joint_share=0.05, dependency_share=0.05, seed=1
    )
    assert len(day.visits) == 100 and len(day.staff) == 8
    assert sum(v.staff_count == 2 for v in day.visits) == 5
    assert len(day.dependencies) == 5
    legs = [t for row in day.travel_s for t in row if t > 0]
    assert min(legs) >= 5 * 60 and max(legs) <= 50 * 60
    assert all(10 * 60 <= v.duration_s <= 90 * 60 for v in day.visits)


def test_without_links_keeps_every_visit_but_no_joint_visits_or_dependencies() -> None:
    """The comparison day: same visits, one staff member each, no dependencies."""
    day = synthetic_day(n_visits=60, n_staff=5, seed=2)
    plain = without_links(day)
    assert [v.id for v in plain.visits] == [v.id for v in day.visits]
    assert all(v.staff_count == 1 for v in plain.visits) and plain.dependencies == ()


@pytest.mark.slow
def test_a_day_of_120_visits_and_10_staff_with_joint_visits_is_mostly_planned() -> None:
    """120 visits (6 joint, 6 follow-ups), 10 staff, 5 s: at least 95% planned, all valid."""
    problem = synthetic_day(n_visits=120, n_staff=10, seed=0)
    started = time.monotonic()
    result = solve(problem, Parameters(time_limit_s=5, seed=0))
    elapsed = time.monotonic() - started
    assert validate(problem, result) == []
    assert result.kpis["assignment_rate"] >= 0.95
    assert elapsed < 5 + 3  # the limit plus a little for the final checks
    joint = {v.id for v in problem.visits if v.staff_count == 2}
    planned_joint = joint - {u.visit_id for u in result.unassigned}
    assert planned_joint, "some joint visits are planned"


def test_a_portfolio_of_two_workers_is_valid_and_no_worse_than_its_own_seed() -> None:
    """workers=2 searches seed 0 here and seed 1 in a child process: with a fixed number of
    moves the result is at least as good as seed 0 alone, and valid."""
    problem = synthetic_day(n_visits=30, n_staff=3, seed=4)
    alone = solve(problem, FAST)
    both = solve(problem, replace(FAST, workers=2))
    assert validate(problem, both) == []
    assert both.objective <= alone.objective
