"""Fixed appointments: kept at their place and time, visits planned around them, and those that
cannot be kept reported (never a crash, never an invalid plan)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import Appointment, Break, Parameters, Problem, Result, recommend, solve
from solver.instances import synthetic_day
from tests.solver.solver_builders import (
    FAST,
    HOUR,
    MINUTE,
    STEP_S,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
    unassigned_ids,
)

MEETING = Appointment("meeting", 10 * HOUR, 11 * HOUR, 3)


def kept_ids(result: Result, staff_id: str) -> list[str]:
    route = result.route_of(staff_id)
    return [] if route is None else [a.appointment_id for a in route.appointments]


def unkept(result: Result) -> dict[str, str]:
    return {u.appointment_id: u.reason for u in result.unkept_appointments}


def test_appointment_is_kept_and_visits_go_around_it() -> None:
    """A meeting at 3 from 10:00 to 11:00 and two visits whose windows span it: the meeting is
    kept at its times, neither visit overlaps it, and the drive there counts as travel."""
    staff = make_staff(appointments=(MEETING,))
    visits = (
        make_visit(id="a", earliest_start_s=9 * HOUR, latest_start_s=12 * HOUR),
        make_visit(id="b", location=4, earliest_start_s=9 * HOUR, latest_start_s=12 * HOUR),
    )
    result = solve_valid(make_problem(staff=(staff,), visits=visits))
    (route,) = result.routes
    (kept,) = route.appointments
    assert (kept.appointment_id, kept.start_s, kept.end_s) == ("meeting", 10 * HOUR, 11 * HOUR)
    assert kept.arrival_s <= kept.start_s
    assert all(s.end_s <= kept.start_s or s.start_s >= kept.end_s for s in route.stops)
    assert unassigned_ids(result) == set()
    # Every leg of the day, the appointment's included, adds up to the route's travel.
    legs = sorted([(s.start_s, s.travel_s) for s in route.stops] + [(kept.start_s, kept.travel_s)])
    assert route.travel_s == sum(t for _, t in legs) + route.return_travel_s
    assert kept.travel_s > 0
    assert result.breakdown["travel"] == route.travel_s


def test_staff_member_with_only_an_appointment_has_a_route_to_it() -> None:
    """No visits at all: the route still goes to the meeting and back (30 minutes each way)."""
    staff = make_staff(appointments=(MEETING,))
    result = solve_valid(make_problem(staff=(staff,), visits=()))
    (route,) = result.routes
    assert route.stops == () and kept_ids(result, "kari") == ["meeting"]
    assert route.travel_s == 2 * 3 * STEP_S
    assert route.departure_s == 10 * HOUR - 3 * STEP_S and route.return_s == 11 * HOUR + 3 * STEP_S


def test_overlapping_appointments_keep_the_earlier_and_report_the_other() -> None:
    """Two appointments at once: the first is kept, the second reported as an overlap, and the
    day is still planned."""
    clash = Appointment("clinic", 10 * HOUR + 30 * MINUTE, 12 * HOUR, 2)
    staff = make_staff(appointments=(clash, MEETING))
    result = solve_valid(make_problem(staff=(staff,)))
    assert kept_ids(result, "kari") == ["meeting"]
    assert unkept(result) == {"clinic": "overlap"}
    assert unassigned_ids(result) == set()


def test_unreachable_appointment_is_reported_and_the_rest_planned() -> None:
    """50 minutes away at 08:30 with the shift starting at 08:00: not reachable."""
    early = Appointment("early", 8 * HOUR + 30 * MINUTE, 9 * HOUR, 5)
    staff = make_staff(appointments=(early, MEETING))
    result = solve_valid(make_problem(staff=(staff,)))
    assert kept_ids(result, "kari") == ["meeting"]
    assert unkept(result) == {"early": "unreachable"}
    assert unassigned_ids(result) == set()


def test_appointment_at_shift_end_needs_overtime_to_get_back() -> None:
    """Clinic hours at 3 until the shift ends: 30 minutes' drive home fit in an hour of
    overtime; with none the appointment cannot be kept."""
    clinic = Appointment("clinic", 15 * HOUR, 16 * HOUR, 3)
    with_overtime = make_staff(appointments=(clinic,), max_overtime_s=HOUR)
    result = solve_valid(make_problem(staff=(with_overtime,)))
    (route,) = result.routes
    assert kept_ids(result, "kari") == ["clinic"]
    assert route.return_s == 16 * HOUR + 3 * STEP_S
    assert result.breakdown["overtime"] > 0
    result = solve_valid(make_problem(staff=(make_staff(appointments=(clinic,)),)))
    assert unkept(result) == {"clinic": "no_return"}


def test_appointment_leaving_no_time_for_the_break_is_reported() -> None:
    """The break must lie in 11:00-12:00; a meeting over the whole of it cannot be kept."""
    brk = Break(30 * MINUTE, 11 * HOUR, 12 * HOUR)
    lunch_meeting = Appointment("lunch", 11 * HOUR, 12 * HOUR, 0)
    staff = make_staff(breaks=(brk,), appointments=(lunch_meeting,))
    result = solve_valid(make_problem(staff=(staff,)))
    assert unkept(result) == {"lunch": "no_room_for_breaks"}


def day_with_appointments() -> Problem:
    """A 40-visit synthetic day; two staff members have a meeting at the other base."""
    day = synthetic_day(n_visits=40, n_staff=4, seed=3)
    meeting = Appointment("meeting", 10 * HOUR, 10 * HOUR + 45 * MINUTE, 1)
    staff = tuple(
        replace(s, appointments=(meeting,)) if i in (0, 2) else s for i, s in enumerate(day.staff)
    )
    return replace(day, staff=staff)


def test_search_never_drops_or_moves_an_appointment() -> None:
    """Hundreds of ruin-and-recreate moves and OR-Tools' local search on a full day: both
    meetings stay where they are, and the plan is valid."""
    problem = day_with_appointments()
    params = Parameters(time_limit_s=10, seed=1, guided_local_search=False, max_iterations=400)
    result = solve_valid(problem, params)
    for staff_id in ("s00", "s02"):
        route = result.route_of(staff_id)
        assert route is not None
        ((kept),) = route.appointments
        assert (kept.start_s, kept.end_s) == (10 * HOUR, 10 * HOUR + 45 * MINUTE)
    assert result.unkept_appointments == ()


def test_a_replan_keeps_the_appointments() -> None:
    """Replanning from the plan (its appointments are not read back, the problem's are laid
    in): they are kept again and the plan is valid."""
    problem = day_with_appointments()
    first = solve_valid(problem)
    again = solve(problem, FAST, initial=first)
    assert again.status == "ok"
    assert kept_ids(again, "s00") == kept_ids(again, "s02") == ["meeting"]
    assert len(again.unassigned) <= len(first.unassigned)


def test_recommendations_plan_around_the_appointment() -> None:
    """A new visit at 10:15 sharp cannot go to kari (in her meeting), so ola gets it."""
    staff = (make_staff(appointments=(MEETING,)), make_staff(id="ola"))
    problem = make_problem(staff=staff)
    plan = solve_valid(problem)
    new = make_visit(
        id="new", earliest_start_s=10 * HOUR + 15 * MINUTE, latest_start_s=10 * HOUR + 15 * MINUTE
    )
    options = recommend(problem, plan, new)
    assert [o.staff_ids for o in options if o.feasible] == [("ola",)]
    assert any(not o.feasible and o.staff_ids == ("kari",) for o in options)


def test_appointment_ids_are_unique_per_staff_member() -> None:
    """Results name kept and unkept appointments by id, so one staff member's ids differ."""
    with pytest.raises(ValueError, match="appointment"):
        make_staff(appointments=(MEETING, replace(MEETING, start_s=12 * HOUR, end_s=13 * HOUR)))
