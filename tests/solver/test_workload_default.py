"""The workload balance is on by default (`Weights.workload_per_s` = 1): it shares the day
between those who work and never hands an idle staff member a route only to lower the mean."""

from __future__ import annotations

from solver import Visit, Weights
from solver.objective import workload_cost
from tests.solver.solver_builders import (
    FAST,
    HOUR,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
)


def visits_at_one_address(n: int) -> tuple[Visit, ...]:
    return tuple(
        make_visit(id=f"v{i}", earliest_start_s=9 * HOUR, latest_start_s=13 * HOUR)
        for i in range(n)
    )


def test_the_default_weight_is_on() -> None:
    """Weights() carries 1 per second of working time above the mean."""
    assert Weights().workload_per_s == 1 == FAST.weights.workload_per_s


def test_idle_staff_are_not_forced_into_work() -> None:
    """Four visits at one address and three staff on shift: one route does them all (one drive
    there and back), the other two stay idle, and the workload term is 0: someone without a
    route is not in the mean, so a short route for an idle person would not pay."""
    staff = (make_staff(id="kari"), make_staff(id="ola"), make_staff(id="per"))
    result = solve_valid(make_problem(staff=staff, visits=visits_at_one_address(4)))
    assert len(result.routes) == 1
    assert result.breakdown["workload"] == 0


def test_the_default_weight_shares_the_day_of_those_who_work() -> None:
    """kari and ola each have a pinned visit at 09:00 at one address, and four more there may
    go to either at no difference in driving: with the default weight each does three, where
    with the weight at 0 nothing decides between them."""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    pinned = tuple(
        make_visit(
            id=f"p{s}", earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR, pinned_staff=(s,)
        )
        for s in ("kari", "ola")
    )
    result = solve_valid(make_problem(staff=staff, visits=pinned + visits_at_one_address(4)))
    assert sorted(len(r.stops) for r in result.routes) == [3, 3]
    assert result.breakdown["workload"] == workload_cost(1, result.routes) == 0
