"""solve() on tiny named days, one rule each; every plan also passes the validator."""

from __future__ import annotations

from solver import Break, Dependency, Parameters, Priority, Reason, Weights
from tests.solver.solver_builders import (
    FAST,
    HOUR,
    MINUTE,
    STEP_S,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
    staff_of,
    start_of,
    unassigned_ids,
)


def test_visits_start_inside_their_windows() -> None:
    """A visit fixed at 10:00 starts at 10:00; the flexible ones start inside their windows."""
    visits = (
        make_visit(id="fixed", earliest_start_s=10 * HOUR, latest_start_s=10 * HOUR),
        make_visit(id="early", location=2, earliest_start_s=8 * HOUR, latest_start_s=9 * HOUR),
        make_visit(id="late", location=3, earliest_start_s=13 * HOUR, latest_start_s=14 * HOUR),
    )
    result = solve_valid(make_problem(visits=visits))
    assert start_of(result, "fixed") == 10 * HOUR
    assert 8 * HOUR <= start_of(result, "early") <= 9 * HOUR
    assert 13 * HOUR <= start_of(result, "late") <= 14 * HOUR


def test_route_leaves_as_late_as_the_first_visit_allows() -> None:
    """With one visit at 10:00 ten minutes away, the route leaves at 09:50, not at shift start."""
    visit = make_visit(earliest_start_s=10 * HOUR, latest_start_s=12 * HOUR)
    result = solve_valid(make_problem(visits=(visit,)))
    (route,) = result.routes
    assert route.departure_s == 10 * HOUR - STEP_S
    assert route.stops[0].arrival_s == route.stops[0].start_s == 10 * HOUR


def test_visit_outside_every_shift_stays_out() -> None:
    """A shift ending at 09:00 cannot take a visit that starts at 12:00."""
    staff = make_staff(shift_end_s=9 * HOUR)
    visit = make_visit(earliest_start_s=12 * HOUR, latest_start_s=12 * HOUR)
    result = solve_valid(make_problem(staff=(staff,), visits=(visit,)))
    assert [u.reason for u in result.unassigned] == [Reason.NO_SHIFT_COVERS_WINDOW]


def test_break_is_taken_inside_its_window_and_not_during_a_visit() -> None:
    """Visits all day long still leave the 30-minute break inside 11:00-12:30."""
    brk = Break(30 * MINUTE, 11 * HOUR, 12 * HOUR + 30 * MINUTE)
    staff = make_staff(breaks=(brk,))
    visits = tuple(
        make_visit(id=f"v{h}", earliest_start_s=h * HOUR, latest_start_s=h * HOUR)
        for h in range(9, 15)
    )
    result = solve_valid(make_problem(staff=(staff,), visits=visits))
    (route,) = result.routes
    (taken,) = route.breaks
    assert taken.start_s >= 11 * HOUR and taken.end_s <= 12 * HOUR + 30 * MINUTE
    assert len(route.stops) == 6


def test_visit_covering_the_whole_break_window_is_left_out() -> None:
    """An hour-long visit at 11:00 would swallow a break that must be in 11:00-11:30."""
    staff = make_staff(breaks=(Break(30 * MINUTE, 11 * HOUR, 11 * HOUR + 30 * MINUTE),))
    visit = make_visit(duration_s=HOUR, earliest_start_s=11 * HOUR, latest_start_s=11 * HOUR)
    result = solve_valid(make_problem(staff=(staff,), visits=(visit,)))
    assert [u.reason for u in result.unassigned] == [Reason.NO_SHIFT_COVERS_WINDOW]


def test_skilled_staff_member_gets_the_visit() -> None:
    """Only nina is a nurse, so the nurse visit is hers even though kari is free too."""
    staff = (make_staff(id="kari"), make_staff(id="nina", skills=frozenset({"care", "nurse"})))
    visit = make_visit(skills=frozenset({"nurse"}))
    assert staff_of(solve_valid(make_problem(staff=staff, visits=(visit,))), "v1") == ["nina"]


def test_pinned_staff_member_does_the_visit() -> None:
    """Pinned to ola, who starts far away: the visit is still ola's."""
    staff = (make_staff(id="kari"), make_staff(id="ola", start_location=5, end_location=5))
    visit = make_visit(pinned_staff=("ola",))
    assert staff_of(solve_valid(make_problem(staff=staff, visits=(visit,))), "v1") == ["ola"]


def test_refused_staff_member_never_gets_the_visit() -> None:
    """The patient refuses kari, who is closest: ola goes."""
    staff = (make_staff(id="kari"), make_staff(id="ola", start_location=5, end_location=5))
    visit = make_visit(refused_staff=frozenset({"kari"}))
    assert staff_of(solve_valid(make_problem(staff=staff, visits=(visit,))), "v1") == ["ola"]


def test_municipality_coverage_is_hard() -> None:
    """kari works only in Nordvik; the Sørdal visit goes to ola."""
    staff = (
        make_staff(id="kari", municipalities=frozenset({"Nordvik"})),
        make_staff(id="ola", start_location=5, end_location=5),
    )
    visit = make_visit(municipality="Sørdal")
    assert staff_of(solve_valid(make_problem(staff=staff, visits=(visit,))), "v1") == ["ola"]


def test_joint_visit_gets_two_different_qualified_staff_at_one_start() -> None:
    """A nurse part and a care part: nina (nurse) and one other, starting at the same second."""
    staff = (
        make_staff(id="kari"),
        make_staff(id="nina", skills=frozenset({"care", "nurse"}), start_location=3),
        make_staff(id="ola", start_location=5, end_location=5),
    )
    joint = make_visit(
        id="j",
        staff_count=2,
        part_skills=(frozenset({"nurse"}), frozenset()),
        earliest_start_s=10 * HOUR,
        latest_start_s=13 * HOUR,
    )
    others = (make_visit(id="a", location=2), make_visit(id="b", location=4))
    result = solve_valid(make_problem(staff=staff, visits=(joint, *others)))
    who = staff_of(result, "j")
    assert who[0] == "nina" and len(set(who)) == 2
    starts = {s.start_s for r in result.routes for s in r.stops if s.visit_id == "j"}
    assert len(starts) == 1


def test_dependency_lag_is_kept() -> None:
    """The follow-up starts 2 to 3 hours after the first visit, wherever the windows allow."""
    visits = (
        make_visit(id="first", earliest_start_s=9 * HOUR, latest_start_s=10 * HOUR),
        make_visit(id="then", location=2, earliest_start_s=9 * HOUR, latest_start_s=15 * HOUR),
    )
    dep = Dependency("first", "then", min_lag_s=2 * HOUR, max_lag_s=3 * HOUR)
    result = solve_valid(make_problem(visits=visits, dependencies=(dep,)))
    lag = start_of(result, "then") - start_of(result, "first")
    assert 2 * HOUR <= lag <= 3 * HOUR


def test_impossible_dependency_leaves_both_out() -> None:
    """A follow-up that would have to start after the day ends takes its first visit out too."""
    visits = (
        make_visit(id="first", earliest_start_s=14 * HOUR, latest_start_s=14 * HOUR),
        make_visit(id="then", earliest_start_s=9 * HOUR, latest_start_s=15 * HOUR),
    )
    dep = Dependency("first", "then", min_lag_s=3 * HOUR)
    result = solve_valid(make_problem(visits=visits, dependencies=(dep,)))
    assert unassigned_ids(result) == {"first", "then"}


def test_overtime_is_used_and_paid_when_needed() -> None:
    """A visit ending at the shift's end, 30 minutes from base: 30 minutes of paid overtime."""
    staff = make_staff(shift_end_s=12 * HOUR, max_overtime_s=HOUR)
    visit = make_visit(
        location=3, earliest_start_s=11 * HOUR + 30 * MINUTE, latest_start_s=11 * HOUR + 30 * MINUTE
    )
    problem = make_problem(staff=(staff,), visits=(visit,))
    result = solve_valid(problem)
    (route,) = result.routes
    assert route.return_s == 12 * HOUR + 30 * MINUTE
    assert result.breakdown["overtime"] == 30 * MINUTE * 4
    assert result.kpis["overtime_s"] == 30 * MINUTE


def test_urgent_visit_is_kept_over_a_low_one_when_short_of_time() -> None:
    """One staff member, two visits at the same fixed time: the urgent one is planned."""
    visits = (
        make_visit(
            id="low", priority=Priority.LOW, earliest_start_s=10 * HOUR, latest_start_s=10 * HOUR
        ),
        make_visit(
            id="urgent",
            location=2,
            priority=Priority.URGENT,
            earliest_start_s=10 * HOUR,
            latest_start_s=10 * HOUR,
        ),
    )
    result = solve_valid(make_problem(visits=visits))
    assert unassigned_ids(result) == {"low"}
    assert staff_of(result, "urgent") == ["kari"]


def test_objective_is_the_sum_of_its_breakdown() -> None:
    """objective == sum(breakdown); travel in the breakdown matches the routes' driving."""
    visits = (make_visit(id="a"), make_visit(id="b", location=3))
    result = solve_valid(make_problem(visits=visits))
    assert result.objective == sum(result.breakdown.values())
    assert result.breakdown["travel"] == sum(r.travel_s for r in result.routes)
    assert result.kpis["assigned_visits"] == 2 and result.kpis["assignment_rate"] == 1.0


def test_empty_day_gives_an_empty_plan() -> None:
    """No visits, or no staff: a valid result, never an exception."""
    assert solve_valid(make_problem(visits=())).routes == ()
    result = solve_valid(make_problem(staff=()))
    assert [u.reason for u in result.unassigned] == [Reason.NO_SKILLED_STAFF]


def test_capacity_is_respected() -> None:
    """kari (capacity 3) could do both 2-unit visits; with them she exceeds it, so ola from afar
    takes one. With capacity 4 kari does both."""
    visits = (make_visit(id="a", demand=2), make_visit(id="b", location=2, demand=2))
    ola = make_staff(id="ola", start_location=5, end_location=5)
    tight = solve_valid(make_problem(staff=(make_staff(capacity=3), ola), visits=visits))
    assert sorted(staff_of(tight, "a") + staff_of(tight, "b")) == ["kari", "ola"]
    roomy = solve_valid(make_problem(staff=(make_staff(capacity=4), ola), visits=visits))
    assert staff_of(roomy, "a") == staff_of(roomy, "b") == ["kari"]


def test_visit_heavier_than_every_vehicle_is_not_allowed() -> None:
    """Demand 5 with capacity 3: nobody may take it."""
    result = solve_valid(
        make_problem(staff=(make_staff(capacity=3),), visits=(make_visit(demand=5),))
    )
    assert [u.reason for u in result.unassigned] == [Reason.NO_ALLOWED_STAFF]
    assert "capacity" in result.unassigned[0].detail


def test_tardiness_is_costed_but_not_a_violation() -> None:
    """An hour-long fixed visit at 09:00 at the same place comes first, so b (soft latest 09:30)
    starts at 10:00: 1800 s late, costed 1 per s, plus 3 per s of the maximum when asked."""
    visits = (
        make_visit(id="a", duration_s=HOUR, earliest_start_s=9 * HOUR, latest_start_s=9 * HOUR),
        make_visit(id="b", soft_latest_start_s=9 * HOUR + 30 * MINUTE),
    )
    params = Parameters(**{**FAST.__dict__, "weights": Weights(max_tardiness_per_s=3)})
    result = solve_valid(make_problem(visits=visits), params)
    assert start_of(result, "b") == 10 * HOUR
    assert result.breakdown["tardiness"] == 1800 and result.breakdown["max_tardiness"] == 5400
    assert result.kpis["tardiness_s"] == 1800 and result.kpis["visits_late"] == 1


def test_tardiness_changes_the_order_when_it_costs_more_than_the_detour() -> None:
    """kari goes from 0 to 5. Visiting a (at 2, soft latest 08:30) after b (at 1) saves 20 min
    of driving but makes a 20 min late, at 5 per s: a comes first and is on time."""
    kari = make_staff(end_location=5)
    visits = (
        make_visit(
            id="a",
            location=2,
            earliest_start_s=8 * HOUR,
            soft_latest_start_s=8 * HOUR + 30 * MINUTE,
        ),
        make_visit(id="b", location=1, earliest_start_s=8 * HOUR),
    )
    params = Parameters(**{**FAST.__dict__, "weights": Weights(tardiness_per_s=5)})
    result = solve_valid(make_problem(staff=(kari,), visits=visits), params)
    assert [s.visit_id for s in result.routes[0].stops] == ["a", "b"]
    assert result.breakdown["tardiness"] == 0


def test_linked_pair_waits_for_the_second_staff_member() -> None:
    """kari's first visit may start from 09:00, ola's follow-up 30-45 min after it, but ola is
    busy (a more important visit) until 10:30: the pair goes in with the first visit at 09:45,
    the latest lag away from 10:30, not at its earliest."""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    visits = (
        make_visit(
            id="busy",
            duration_s=90 * MINUTE,
            latest_start_s=9 * HOUR,
            pinned_staff=("ola",),
            priority=Priority.HIGH,
        ),
        make_visit(id="first", earliest_start_s=9 * HOUR, pinned_staff=("kari",)),
        make_visit(id="then", earliest_start_s=9 * HOUR, pinned_staff=("ola",)),
    )
    dep = Dependency("first", "then", min_lag_s=30 * MINUTE, max_lag_s=45 * MINUTE)
    result = solve_valid(make_problem(staff=staff, visits=visits, dependencies=(dep,)))
    assert unassigned_ids(result) == set()
    assert start_of(result, "first") == 9 * HOUR + 45 * MINUTE
    assert start_of(result, "then") == 10 * HOUR + 30 * MINUTE
