"""Local search: relocate and 2-opt* only ever lower the plan's cost and keep it valid."""

from __future__ import annotations

import time
from dataclasses import replace

from solver import Dependency, Parameters, Result, validate
from solver.construction import construct
from solver.extract import to_routes
from solver.instances import synthetic_day
from solver.linked import place_group, place_in_turn
from solver.local_search import descend, relocate_pass, two_opt_star_pass
from solver.objective import breakdown
from solver.plan import Placement, Plan
from solver.problem import Problem
from solver.reasons import explain
from solver.tasks import Tasks
from tests.solver.solver_builders import HOUR, make_problem, make_staff, make_visit


def as_result(problem: Problem, plan: Plan) -> Result:
    routes = to_routes(plan)
    unassigned = tuple(explain(plan, plan.unplanned()))
    return Result(
        routes, unassigned, breakdown=breakdown(problem, plan.weights, routes, unassigned)
    )


def test_descend_lowers_the_cost_of_a_greedy_plan_and_keeps_it_valid() -> None:
    """A greedy 60-visit plan: after descending it costs less, plans as many visits, and the
    validator accepts it."""
    problem = synthetic_day(n_visits=60, n_staff=5, seed=7)
    tasks = Tasks(problem)
    plan = construct(tasks, Parameters().weights)
    before, planned = plan.cost(), len(plan.unplanned())
    assert descend(plan, time.monotonic() + 10)
    assert plan.cost() < before and len(plan.unplanned()) == planned
    assert validate(problem, as_result(problem, plan)) == []


def test_relocate_moves_a_visit_to_the_staff_member_next_door() -> None:
    """The visit at 5 put on kari (based at 0) moves to ola, based at 5: 100 min less driving."""
    staff = (make_staff(id="kari"), make_staff(id="ola", start_location=5, end_location=5))
    problem = make_problem(staff=staff, visits=(make_visit(location=5),))
    tasks = Tasks(problem)
    plan = Plan(tasks, Parameters().weights)
    plan.apply(0, Placement(0, None, ((0, 0, 0),)))
    assert relocate_pass(plan, time.monotonic() + 10)
    assert plan.route_of[0] == 1 and plan.cost() == 0


def test_two_opt_star_swaps_route_ends_that_cross() -> None:
    """Two vans from depot 0 on a line: kari serves 1 then 4 (80 min of driving), ola 3 then 2
    (60 min). Swapping the ends gives kari 1 then 2 (40 min) and ola 3 then 4 (80 min): 120
    min in all, the best there is (driving only: the workload balance is off)."""
    visits = tuple(
        make_visit(id=f"c{k}", location=k, earliest_start_s=8 * HOUR, latest_start_s=15 * HOUR)
        for k in (1, 2, 3, 4)
    )
    problem = make_problem(staff=(make_staff(id="kari"), make_staff(id="ola")), visits=visits)
    tasks = Tasks(problem)
    plan = Plan(tasks, replace(Parameters().weights, workload_per_s=0))
    for visit, route, pos in ((0, 0, 0), (3, 0, 1), (2, 1, 0), (1, 1, 1)):
        plan.apply(visit, Placement(0, None, ((visit, route, pos),)))
    assert plan.cost() == 140 * 60
    assert two_opt_star_pass(plan, time.monotonic() + 10)
    assert plan.cost() == 120 * 60
    assert validate(problem, as_result(problem, plan)) == []


def test_a_linked_pair_placed_in_turn_fails_where_placed_together_it_fits() -> None:
    """The pair of test_linked_pair_waits_for_the_second_staff_member: the first visit at its
    earliest start (09:00) leaves the follow-up no time on ola's busy route; choosing both
    starts together (09:45 and 10:30) fits."""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    visits = (
        make_visit(id="busy", duration_s=90 * 60, latest_start_s=9 * HOUR, pinned_staff=("ola",)),
        make_visit(id="first", earliest_start_s=9 * HOUR, pinned_staff=("kari",)),
        make_visit(id="then", earliest_start_s=9 * HOUR, pinned_staff=("ola",)),
    )
    dep = Dependency("first", "then", min_lag_s=30 * 60, max_lag_s=45 * 60)
    tasks = Tasks(make_problem(staff=staff, visits=visits, dependencies=(dep,)))
    plan = Plan(tasks, Parameters().weights)
    assert place_group(plan, [0])
    assert not place_in_turn(plan, [1, 2], branching=3, top=None)
    assert place_group(plan, [1, 2])
    assert plan.start_of_visit == {1: 9 * HOUR + 45 * 60, 2: 10 * HOUR + 30 * 60}
