"""Skill levels, home municipality, workload balance, end-anchored and same/different-staff
dependencies, and series: one rule each on a tiny day, every plan through the validator."""

from __future__ import annotations

from dataclasses import replace

from solver import (
    Dependency,
    Parameters,
    Priority,
    Reason,
    Result,
    Route,
    Visit,
    Weights,
    recommend,
    solve,
    validate,
)
from solver.objective import workload_cost
from tests.solver.solver_builders import (
    FAST,
    HOUR,
    MINUTE,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
    staff_of,
    start_of,
    unassigned_ids,
)


def reasons(result: Result) -> dict[str, Reason]:
    return {u.visit_id: u.reason for u in result.unassigned}


def with_workload(per_s: int) -> Parameters:
    return replace(FAST, weights=Weights(workload_per_s=per_s))


# -- skill level -------------------------------------------------------------------------------
def test_staff_below_the_visits_level_may_not_do_it() -> None:
    """The visit needs level 2: the assistant (level 1) is nearer in cost terms (no
    over-qualification) but not allowed; the nurse does it."""
    staff = (make_staff(id="assistant", skill_level=1), make_staff(id="nurse", skill_level=2))
    visit = make_visit(skill_level=2)
    assert staff_of(solve_valid(make_problem(staff=staff, visits=(visit,))), "v1") == ["nurse"]


def test_no_staff_at_level_is_the_reason_when_only_lower_levels_have_the_skills() -> None:
    """Skilled staff exist, all at level 1, the visit needs 3: NO_STAFF_AT_LEVEL."""
    staff = (make_staff(id="a", skill_level=1), make_staff(id="b", skill_level=1))
    result = solve_valid(make_problem(staff=staff, visits=(make_visit(skill_level=3),)))
    (item,) = result.unassigned
    assert item.reason is Reason.NO_STAFF_AT_LEVEL and "level 3" in item.detail


def test_over_qualification_costs_per_level_and_the_lowest_sufficient_level_is_chosen() -> None:
    """Level 1 visit, a level 1 and a level 3 staff member at the same base: level 1 gets it.
    Pinned to level 3 instead, the breakdown counts 2 levels x 120."""
    staff = (make_staff(id="specialist", skill_level=3), make_staff(id="assistant", skill_level=1))
    visit = make_visit(skill_level=1)
    result = solve_valid(make_problem(staff=staff, visits=(visit,)))
    assert staff_of(result, "v1") == ["assistant"]
    assert result.breakdown["overqualification"] == 0
    pinned = replace(visit, pinned_staff=("specialist",))
    result = solve_valid(make_problem(staff=staff, visits=(pinned,)))
    assert result.breakdown["overqualification"] == 2 * 120
    assert result.kpis["overqualified_parts"] == 1


# -- home municipality ---------------------------------------------------------------------------
def test_visits_go_to_staff_from_their_municipality() -> None:
    """A Sørdal visit and two staff who may both work there: the one at home in Sørdal gets it;
    given to the other it costs 300 in the breakdown."""
    staff = (
        make_staff(id="nora", home_municipality="Nordvik"),
        make_staff(id="sara", home_municipality="Sørdal"),
    )
    visit = make_visit(municipality="Sørdal")
    result = solve_valid(make_problem(staff=staff, visits=(visit,)))
    assert staff_of(result, "v1") == ["sara"]
    assert result.breakdown["outside_home_municipality"] == 0
    result = solve_valid(
        make_problem(staff=staff, visits=(replace(visit, pinned_staff=("nora",)),))
    )
    assert result.breakdown["outside_home_municipality"] == 300
    assert result.kpis["parts_outside_home_municipality"] == 1


# -- workload ------------------------------------------------------------------------------------
def four_visits_at_one_address() -> tuple[Visit, ...]:
    return tuple(
        make_visit(id=f"v{i}", earliest_start_s=9 * HOUR, latest_start_s=13 * HOUR)
        for i in range(4)
    )


def test_without_workload_one_route_does_everything_it_can() -> None:
    """Four visits at one address: one staff member drives there once (cheapest)."""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=four_visits_at_one_address()))
    assert len(result.routes) == 1
    assert result.breakdown["workload"] == 0


def test_workload_weight_shares_the_day_between_those_who_work() -> None:
    """kari and ola each have a pinned visit at address 1 at 09:00, and four more visits there
    can go to either at no difference in driving. Each second above the mean time away costs
    5: both get three visits, and the breakdown's workload term is 0. (A staff member with no
    visits does not work and is not in the mean: the term shares work, it does not spread it.)"""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    pinned = tuple(
        make_visit(
            id=f"p{s}", earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR, pinned_staff=(s,)
        )
        for s in ("kari", "ola")
    )
    visits = pinned + four_visits_at_one_address()
    result = solve_valid(make_problem(staff=staff, visits=visits), with_workload(5))
    assert sorted(len(r.stops) for r in result.routes) == [3, 3]
    assert result.breakdown["workload"] == workload_cost(5, result.routes) == 0
    assert result.objective == sum(result.breakdown.values())


def test_workload_cost_is_the_excess_over_the_mean() -> None:
    """Routes of 1, 2 and 6 hours: mean 3 h, one route 3 h above it: 3 x 3600 x 2 cost units."""
    routes = tuple(Route(f"s{i}", 8 * HOUR, 8 * HOUR + h * HOUR) for i, h in enumerate((1, 2, 6)))
    assert workload_cost(2, routes) == 3 * 3600 * 2
    assert workload_cost(0, routes) == 0


# -- dependencies: anchor and staff --------------------------------------------------------------
def test_end_anchored_lag_counts_from_the_first_visits_end() -> None:
    """The first visit lasts an hour from 09:00; the second may start 30 minutes after it ends,
    so no earlier than 10:30."""
    visits = (
        make_visit(id="first", duration_s=HOUR, earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR),
        make_visit(id="then", earliest_start_s=9 * HOUR, latest_start_s=14 * HOUR),
    )
    dep = Dependency("first", "then", min_lag_s=30 * MINUTE, anchor="end")
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits, dependencies=(dep,)))
    assert start_of(result, "then") == 10 * HOUR + 30 * MINUTE


def linked_pair(staff_rule: str) -> tuple[tuple[Visit, Visit], Dependency]:
    visits = (
        make_visit(id="first", earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR),
        make_visit(id="then", location=2, earliest_start_s=10 * HOUR, latest_start_s=12 * HOUR),
    )
    return visits, Dependency("first", "then", min_lag_s=HOUR, staff=staff_rule)


def test_same_staff_dependency_keeps_one_staff_member() -> None:
    """Both visits by one person, though each staff member could take one."""
    visits, dep = linked_pair("same")
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits, dependencies=(dep,)))
    assert len(set(staff_of(result, "first") + staff_of(result, "then"))) == 1
    assert unassigned_ids(result) == set()


def test_different_staff_dependency_uses_two_staff_members() -> None:
    """One route could do both (the cheapest plan); the rule makes it two."""
    visits, dep = linked_pair("different")
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits, dependencies=(dep,)))
    assert staff_of(result, "first") != staff_of(result, "then")
    assert unassigned_ids(result) == set()


def test_different_staff_dependency_with_one_staff_member_is_a_linked_staff_conflict() -> None:
    """Only kari works: she may do either visit but not both, so both stay out, and the
    reason says why."""
    visits, dep = linked_pair("different")
    result = solve_valid(make_problem(visits=visits, dependencies=(dep,)))
    assert reasons(result) == {
        "first": Reason.LINKED_STAFF_CONFLICT,
        "then": Reason.LINKED_STAFF_CONFLICT,
    }


def test_same_staff_dependency_when_nobody_may_do_both_is_a_linked_staff_conflict() -> None:
    """Each visit is pinned to a different staff member: nobody may do both."""
    visits, dep = linked_pair("same")
    first, then = visits
    visits = (replace(first, pinned_staff=("kari",)), replace(then, pinned_staff=("ola",)))
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits, dependencies=(dep,)))
    assert set(reasons(result).values()) == {Reason.LINKED_STAFF_CONFLICT}


# -- series ------------------------------------------------------------------------------------
def test_a_series_is_done_by_one_staff_member() -> None:
    """Three visits of one series spread over the day, two staff: one does all three."""
    visits = tuple(
        make_visit(
            id=f"v{h}",
            location=1 + h % 3,
            earliest_start_s=h * HOUR,
            latest_start_s=h * HOUR,
            series="mrs-hansen",
        )
        for h in (9, 11, 13)
    )
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits))
    assert unassigned_ids(result) == set()
    assert len({s for v in visits for s in staff_of(result, v.id)}) == 1


def test_a_series_visit_that_fits_nowhere_keeps_the_others_in() -> None:
    """One visit of the series starts after every shift ends: it stays out, the others are
    planned (with one staff member)."""
    visits = (
        make_visit(id="am", series="s"),
        make_visit(id="pm", series="s", location=2),
        make_visit(id="night", series="s", earliest_start_s=22 * HOUR, latest_start_s=22 * HOUR),
    )
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits))
    assert reasons(result) == {"night": Reason.NO_SHIFT_COVERS_WINDOW}
    assert len(set(staff_of(result, "am") + staff_of(result, "pm"))) == 1


def test_series_visit_left_out_for_its_staff_rule_says_so() -> None:
    """kari must do a 10:00 visit (pinned) of the series; the series' other visit is at 10:00
    too, so kari cannot, and ola (free) may not: LINKED_STAFF_CONFLICT, naming ola."""
    visits = (
        make_visit(
            id="pinned",
            series="s",
            pinned_staff=("kari",),
            priority=Priority.URGENT,
            earliest_start_s=10 * HOUR,
            latest_start_s=10 * HOUR,
        ),
        make_visit(
            id="other", series="s", location=2, earliest_start_s=10 * HOUR, latest_start_s=10 * HOUR
        ),
    )
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    result = solve_valid(make_problem(staff=staff, visits=visits))
    (item,) = result.unassigned
    assert item.visit_id == "other"
    assert item.reason is Reason.LINKED_STAFF_CONFLICT and item.closest_staff == "ola"


def test_a_replan_from_a_plan_that_splits_a_series_joins_it_again() -> None:
    """The plan to start from has the series' two visits on two staff members (say, before the
    series was set): the replan puts them with one staff member."""
    visits = (
        make_visit(id="am", series="s", earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR),
        make_visit(
            id="pm", series="s", location=2, earliest_start_s=13 * HOUR, latest_start_s=13 * HOUR
        ),
    )
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    split = solve_valid(
        make_problem(
            staff=staff,
            visits=tuple(
                replace(v, series=None, pinned_staff=(s,))
                for v, s in zip(visits, ("kari", "ola"), strict=True)
            ),
        )
    )
    assert staff_of(split, "am") != staff_of(split, "pm")
    problem = make_problem(staff=staff, visits=visits)
    result = solve(problem, FAST, initial=split)
    assert validate(problem, result) == [] and result.status == "ok"
    assert staff_of(result, "am") == staff_of(result, "pm")


def test_recommendations_for_a_series_visit_name_only_its_staff_member() -> None:
    """kari has the morning visit of the series: a new evening visit of it goes to kari, not
    to ola (though ola is free too)."""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    am = make_visit(id="am", series="s", earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR)
    problem = make_problem(staff=staff, visits=(am,))
    plan = solve_valid(problem)
    pm = make_visit(
        id="pm", series="s", location=2, earliest_start_s=14 * HOUR, latest_start_s=15 * HOUR
    )
    options = recommend(problem, plan, pm)
    assert {o.staff_ids for o in options} == {tuple(staff_of(plan, "am"))}
