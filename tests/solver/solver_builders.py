"""Tiny named solver instances: builders with sane defaults, overridable per test.

The world is a line: location 0 is the base, location k is k * STEP_S seconds' drive from it.
"""

from __future__ import annotations

from typing import Any

from solver import Parameters, Problem, Result, Staff, Visit, assert_valid, solve

HOUR = 3600
MINUTE = 60
STEP_S = 10 * MINUTE
N_LOCATIONS = 6

# Deterministic and quick: no guided local search, a fixed number of ruin-and-recreate moves.
FAST = Parameters(time_limit_s=5, seed=0, guided_local_search=False, max_iterations=150)


def line_travel(n: int = N_LOCATIONS, step_s: int = STEP_S) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(abs(i - j) * step_s for j in range(n)) for i in range(n))


def make_staff(**overrides: Any) -> Staff:
    fields: dict[str, Any] = {
        "id": "kari",
        "shift_start_s": 8 * HOUR,
        "shift_end_s": 16 * HOUR,
        "start_location": 0,
        "end_location": 0,
        "skills": frozenset({"care"}),
    }
    fields.update(overrides)
    return Staff(**fields)


def make_visit(**overrides: Any) -> Visit:
    fields: dict[str, Any] = {
        "id": "v1",
        "location": 1,
        "duration_s": 30 * MINUTE,
        "earliest_start_s": 9 * HOUR,
        "latest_start_s": 14 * HOUR,
        "skills": frozenset({"care"}),
    }
    fields.update(overrides)
    return Visit(**fields)


def make_problem(
    staff: tuple[Staff, ...] | None = None,
    visits: tuple[Visit, ...] | None = None,
    **overrides: Any,
) -> Problem:
    fields: dict[str, Any] = {
        "staff": staff if staff is not None else (make_staff(),),
        "visits": visits if visits is not None else (make_visit(),),
        "travel_s": line_travel(),
    }
    fields.update(overrides)
    return Problem(**fields)


def solve_valid(problem: Problem, params: Parameters = FAST) -> Result:
    """Solve and insist the plan passes the independent validator."""
    result = solve(problem, params)
    assert_valid(problem, result)
    assert result.status == "ok", result.status  # not a fallback after a failed validation
    return result


def staff_of(result: Result, visit_id: str) -> list[str]:
    """Who does the visit's parts, in part order."""
    found = sorted(
        (stop.part, route.staff_id)
        for route in result.routes
        for stop in route.stops
        if stop.visit_id == visit_id
    )
    return [staff_id for _, staff_id in found]


def start_of(result: Result, visit_id: str) -> int:
    starts = {
        stop.start_s for route in result.routes for stop in route.stops if stop.visit_id == visit_id
    }
    assert len(starts) == 1, starts
    return starts.pop()


def unassigned_ids(result: Result) -> set[str]:
    return {u.visit_id for u in result.unassigned}
