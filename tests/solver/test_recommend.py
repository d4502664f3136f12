"""recommend(): ways to fit one new visit into a plan, each priced and applicable by hand."""

from __future__ import annotations

from dataclasses import replace

from solver import Option, Priority, Problem, Reason, Result, Unassigned, recommend, validate
from solver.instances import synthetic_day
from tests.solver.solver_builders import (
    HOUR,
    MINUTE,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
)


def applied(plan: Result, option: Option) -> Result:
    """The plan with the option's routes in place of its staff's, dropped visits unassigned."""
    changed = {r.staff_id for r in option.routes}
    routes = tuple(r for r in plan.routes if r.staff_id not in changed) + option.routes
    dropped = tuple(Unassigned(d, Reason.NO_ROOM, "dropped") for d in option.dropped_visits)
    return replace(plan, routes=routes, unassigned=plan.unassigned + dropped)


def with_visit(problem: Problem, visit_id: str, **fields: object) -> Problem:
    return replace(problem, visits=(*problem.visits, make_visit(id=visit_id, **fields)))


def test_top_option_on_a_synthetic_day_is_feasible_and_validates_when_applied() -> None:
    """A 40-visit day's plan and a new urgent visit: options come sorted by cost, the top one
    is feasible, and the plan with it applied by hand passes the validator."""
    day = synthetic_day(n_visits=40, n_staff=4, seed=3)
    plan = solve_valid(day)
    fields = {
        "location": 7,
        "earliest_start_s": 10 * HOUR,
        "latest_start_s": 11 * HOUR,
        "skills": frozenset({"personal_care"}),
        "priority": Priority.URGENT,
        "municipality": day.visits[5].municipality,
    }
    new = make_visit(id="urgent", **fields)
    options = recommend(day, plan, new, k=3)
    assert 1 <= len(options) <= 3
    assert [o.cost_delta for o in options] == sorted(o.cost_delta for o in options)
    top = options[0]
    assert top.feasible and len(top.staff_ids) == 1
    assert validate(with_visit(day, "urgent", **fields), applied(plan, top)) == []


def test_option_names_the_visits_it_shifts_and_its_added_travel() -> None:
    """kari does b (at 1, 09:00-12:00) at 09:00. A new visit fixed at 09:00 at the same place
    goes first and pushes b to 09:30: no added driving, b shifted."""
    problem = make_problem(visits=(make_visit(id="b", latest_start_s=12 * HOUR),))
    plan = solve_valid(problem)
    new = make_visit(id="new", earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR)
    (option,) = recommend(problem, plan, new)
    assert option.staff_ids == ("kari",) and option.start_s == 9 * HOUR
    assert option.shifted_visits == ("b",) and option.added_travel_s == 0
    assert option.cost_delta == 0
    (route,) = option.routes
    assert [(s.visit_id, s.start_s) for s in route.stops] == [
        ("new", 9 * HOUR),
        ("b", 9 * HOUR + 30 * MINUTE),
    ]


def test_a_full_route_drops_its_cheapest_visit_for_an_urgent_one() -> None:
    """kari's only slot at 10:00 holds a low-priority visit at 1 (20 min of driving). The urgent
    visit at 2, also fixed at 10:00, takes it: 40 min of driving, +1200 travel, plus the low
    visit's penalty of 50000."""
    low = make_visit(
        id="low", priority=Priority.LOW, earliest_start_s=10 * HOUR, latest_start_s=10 * HOUR
    )
    staff = make_staff(shift_start_s=9 * HOUR + 30 * MINUTE, shift_end_s=11 * HOUR)
    problem = make_problem(staff=(staff,), visits=(low,))
    plan = solve_valid(problem)
    fields = {
        "location": 2,
        "earliest_start_s": 10 * HOUR,
        "latest_start_s": 10 * HOUR,
        "priority": Priority.URGENT,
    }
    (option,) = recommend(problem, plan, make_visit(id="urgent", **fields))
    assert option.feasible and option.dropped_visits == ("low",)
    assert option.added_travel_s == 20 * MINUTE
    assert option.cost_delta == 1200 + 50_000
    assert validate(with_visit(problem, "urgent", **fields), applied(plan, option)) == []


def test_staff_who_cannot_take_it_even_with_a_drop_come_last_as_infeasible() -> None:
    """ola's shift ends before the visit's window opens: kari's option first, ola's infeasible,
    costing what leaving the visit out costs (200000 for a normal visit)."""
    staff = (make_staff(id="kari"), make_staff(id="ola", shift_end_s=9 * HOUR))
    problem = make_problem(staff=staff, visits=())
    plan = solve_valid(problem)
    options = recommend(problem, plan, make_visit(earliest_start_s=12 * HOUR))
    assert [(o.staff_ids, o.feasible) for o in options] == [(("kari",), True), (("ola",), False)]
    assert options[1].cost_delta == 200_000 and options[1].routes == ()


def test_joint_visit_options_name_two_staff_and_validate() -> None:
    """A two-staff visit among three free staff: each option has two different staff members;
    the top one, applied, is valid."""
    staff = tuple(make_staff(id=name) for name in ("kari", "ola", "per"))
    problem = make_problem(staff=staff, visits=(make_visit(id="a", location=3),))
    plan = solve_valid(problem)
    options = recommend(problem, plan, make_visit(id="j", staff_count=2), k=5)
    assert options and all(len(set(o.staff_ids)) == 2 for o in options)
    assert validate(with_visit(problem, "j", staff_count=2), applied(plan, options[0])) == []
