"""The validator, rule by rule: a hand-made valid plan, then one change that breaks one rule.

The day (line world, base at 0): kari (care + nurse, a 30-minute break in 11:00-13:00, up to an
hour of overtime) and ola (care, Nordvik only, no break).
  a1  at 1, 09:00-10:00, 30 min, nurse, pinned to kari
  j1  at 2, 10:00-12:00, 30 min, two staff (kari + ola), Nordvik
  f1  at 1, 11:30-13:00, 15 min, refuses ola; starts 2-4 h after a1
  u1  needs welding, which nobody has: unassigned
(Cases about time off give ola a split shift: off duty 11:00-12:00 at the base, back from j1 at
10:50.)
kari: leaves 08:50, a1 09:00-09:30, j1 10:00-10:30, break 11:00-11:30, f1 11:30-11:45, back 11:55.
ola:  leaves 09:40, j1 10:00-10:30, back 10:50.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from solver import (
    Appointment,
    Break,
    BreakTaken,
    Dependency,
    OffDuty,
    OffDutyTaken,
    Problem,
    Reason,
    Result,
    Route,
    Stop,
    Unassigned,
    validate,
)
from solver.result import AppointmentKept, UnkeptAppointment
from tests.solver.solver_builders import HOUR, MINUTE, line_travel, make_staff, make_visit

BREAK = Break(30 * MINUTE, 11 * HOUR, 13 * HOUR)


def day() -> Problem:
    kari = make_staff(
        id="kari",
        skills=frozenset({"care", "nurse"}),
        breaks=(BREAK,),
        max_overtime_s=HOUR,
    )
    ola = make_staff(id="ola", municipalities=frozenset({"Nordvik"}))
    visits = (
        make_visit(
            id="a1",
            location=1,
            earliest_start_s=9 * HOUR,
            latest_start_s=10 * HOUR,
            skills=frozenset({"nurse"}),
            pinned_staff=("kari",),
            municipality="Nordvik",
        ),
        make_visit(
            id="j1",
            location=2,
            earliest_start_s=10 * HOUR,
            latest_start_s=12 * HOUR,
            staff_count=2,
            municipality="Nordvik",
        ),
        make_visit(
            id="f1",
            location=1,
            duration_s=15 * MINUTE,
            earliest_start_s=11 * HOUR + 30 * MINUTE,
            latest_start_s=13 * HOUR,
            refused_staff=frozenset({"ola"}),
        ),
        make_visit(id="u1", location=3, skills=frozenset({"welding"})),
    )
    return Problem(
        staff=(kari, ola),
        visits=visits,
        travel_s=line_travel(),
        dependencies=(Dependency("a1", "f1", min_lag_s=2 * HOUR, max_lag_s=4 * HOUR),),
    )


def plan() -> Result:
    t = HOUR
    kari = Route(
        staff_id="kari",
        departure_s=8 * t + 50 * MINUTE,
        return_s=11 * t + 55 * MINUTE,
        stops=(
            Stop("a1", 0, 9 * t, 9 * t, 9 * t + 30 * MINUTE, 10 * MINUTE),
            Stop("j1", 0, 9 * t + 40 * MINUTE, 10 * t, 10 * t + 30 * MINUTE, 10 * MINUTE),
            Stop(
                "f1",
                0,
                10 * t + 40 * MINUTE,
                11 * t + 30 * MINUTE,
                11 * t + 45 * MINUTE,
                10 * MINUTE,
            ),
        ),
        breaks=(BreakTaken(11 * t, 11 * t + 30 * MINUTE),),
        return_travel_s=10 * MINUTE,
    )
    ola = Route(
        staff_id="ola",
        departure_s=9 * t + 40 * MINUTE,
        return_s=10 * t + 50 * MINUTE,
        stops=(Stop("j1", 1, 10 * t, 10 * t, 10 * t + 30 * MINUTE, 20 * MINUTE),),
        return_travel_s=20 * MINUTE,
    )
    return Result(
        routes=(kari, ola),
        unassigned=(Unassigned("u1", Reason.NO_SKILLED_STAFF, "nobody welds"),),
    )


def rules(problem: Problem, result: Result) -> set[str]:
    return {v.rule for v in validate(problem, result)}


# -- helpers that change one thing ----------------------------------------------------------------
def route(result: Result, staff_id: str) -> Route:
    found = result.route_of(staff_id)
    assert found is not None
    return found


def with_route(result: Result, new: Route) -> Result:
    return replace(
        result, routes=tuple(new if r.staff_id == new.staff_id else r for r in result.routes)
    )


def with_stop(result: Result, staff_id: str, visit_id: str, **changes: int) -> Result:
    r = route(result, staff_id)
    stops = tuple(
        replace(s, **changes)  # type: ignore[arg-type]
        if s.visit_id == visit_id
        else s
        for s in r.stops
    )
    return with_route(result, replace(r, stops=stops))


def with_kari(result: Result, **changes: object) -> Result:
    return with_route(result, replace(route(result, "kari"), **changes))  # type: ignore[arg-type]


def problem_with_staff(problem: Problem, staff_id: str, **changes: object) -> Problem:
    staff = tuple(replace(s, **changes) if s.id == staff_id else s for s in problem.staff)  # type: ignore[arg-type]
    return replace(problem, staff=staff)


def problem_with_visit(problem: Problem, visit_id: str, **changes: object) -> Problem:
    visits = tuple(replace(v, **changes) if v.id == visit_id else v for v in problem.visits)  # type: ignore[arg-type]
    return replace(problem, visits=visits)


Case = Callable[[Problem, Result], tuple[Problem, Result]]

T = HOUR
# rule -> (a change that keeps the plan valid, often right at the limit; a change that breaks it)
CASES: dict[str, tuple[Case, Case]] = {
    "unknown_staff": (
        lambda p, r: (p, r),
        lambda p, r: (p, replace(r, routes=(*r.routes, Route("nobody", 9 * T, 9 * T)))),
    ),
    "duplicate_route": (
        lambda p, r: (p, r),
        lambda p, r: (p, replace(r, routes=(*r.routes, route(r, "ola")))),
    ),
    "unknown_visit": (
        lambda p, r: (p, r),
        lambda p, r: (
            p,
            replace(r, unassigned=(*r.unassigned, Unassigned("ghost", Reason.NO_ROOM, ""))),
        ),
    ),
    "unknown_part": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_stop(r, "ola", "j1", part=2)),
    ),
    "duplicate_part": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_stop(r, "ola", "j1", part=0)),
    ),
    "partly_assigned": (
        lambda p, r: (p, r),
        lambda p, r: (p, replace(r, routes=(route(r, "kari"),))),
    ),
    "same_staff_twice": (
        lambda p, r: (p, r),
        lambda p, r: (
            p,
            with_kari(
                replace(r, routes=(route(r, "kari"),)),
                stops=(*route(r, "kari").stops, Stop("j1", 1, 12 * T, 12 * T, 12 * T + 1800, 600)),
            ),
        ),
    ),
    "assigned_and_unassigned": (
        lambda p, r: (p, r),
        lambda p, r: (
            p,
            replace(r, unassigned=(*r.unassigned, Unassigned("a1", Reason.NO_ROOM, ""))),
        ),
    ),
    "duplicate_unassigned": (
        lambda p, r: (p, r),
        lambda p, r: (p, replace(r, unassigned=r.unassigned * 2)),
    ),
    "missing_visit": (
        lambda p, r: (p, r),
        lambda p, r: (p, replace(r, unassigned=())),
    ),
    # kari carries a1 (demand 1) and f1 (demand 2): a load of 3.
    "capacity": (
        lambda p, r: (_loaded(p, capacity=3), r),
        lambda p, r: (_loaded(p, capacity=2), r),
    ),
    "skills": (
        lambda p, r: (problem_with_staff(p, "ola", skills=frozenset({"care", "extra"})), r),
        lambda p, r: (problem_with_staff(p, "ola", skills=frozenset()), r),
    ),
    "pinned": (
        lambda p, r: (problem_with_visit(p, "j1", pinned_staff=("kari", "ola")), r),
        lambda p, r: (problem_with_visit(p, "j1", pinned_staff=("ola", "kari")), r),
    ),
    "refused": (
        lambda p, r: (problem_with_visit(p, "j1", refused_staff=frozenset({"someone"})), r),
        lambda p, r: (problem_with_visit(p, "j1", refused_staff=frozenset({"ola"})), r),
    ),
    "municipality": (
        lambda p, r: (problem_with_staff(p, "kari", municipalities=frozenset({"Nordvik"})), r),
        lambda p, r: (problem_with_staff(p, "kari", municipalities=frozenset({"Sørdal"})), r),
    ),
    "time_window": (
        lambda p, r: (problem_with_visit(p, "a1", latest_start_s=9 * T), r),
        lambda p, r: (
            problem_with_visit(p, "a1", latest_start_s=9 * T - 1, earliest_start_s=8 * T),
            r,
        ),
    ),
    "duration": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_stop(r, "kari", "a1", end_s=9 * T + 1801)),
    ),
    "travel": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_stop(r, "kari", "a1", travel_s=601)),
    ),
    "arrival": (
        lambda p, r: (p, with_kari(r, departure_s=8 * T + 50 * MINUTE)),
        lambda p, r: (p, with_kari(r, departure_s=8 * T + 50 * MINUTE + 1)),
    ),
    "start_before_arrival": (
        lambda p, r: (p, with_stop(r, "kari", "f1", arrival_s=11 * T + 30 * MINUTE)),
        lambda p, r: (p, with_stop(r, "kari", "f1", arrival_s=11 * T + 30 * MINUTE + 1)),
    ),
    # j1 ends 10:30, f1 starts 11:30: the hour holds the drive plus the 30-minute break. A drive
    # of 30 minutes still fits (exactly); 30 minutes and one second does not.
    "gap": (
        lambda p, r: _slow_road(p, r, 30 * MINUTE),
        lambda p, r: _slow_road(p, r, 30 * MINUTE + 1),
    ),
    "departure_before_shift": (
        lambda p, r: (problem_with_staff(p, "kari", shift_start_s=8 * T + 50 * MINUTE), r),
        lambda p, r: (problem_with_staff(p, "kari", shift_start_s=8 * T + 50 * MINUTE + 1), r),
    ),
    "return_travel": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_kari(r, return_travel_s=601)),
    ),
    "return_too_early": (
        lambda p, r: (p, with_kari(r, return_s=11 * T + 55 * MINUTE)),
        lambda p, r: (p, with_kari(r, return_s=11 * T + 55 * MINUTE - 1)),
    ),
    # Back at 11:55: a shift to 11:30 plus 25 minutes of overtime is just enough.
    "return_after_limit": (
        lambda p, r: (_short_shift(p, 25 * MINUTE), r),
        lambda p, r: (_short_shift(p, 25 * MINUTE - 1), r),
    ),
    "break_count": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_kari(r, breaks=())),
    ),
    "break_duration": (
        lambda p, r: (p, r),
        lambda p, r: (p, with_kari(r, breaks=(BreakTaken(11 * T, 11 * T + 29 * MINUTE),))),
    ),
    "break_window": (
        lambda p, r: (p, with_kari(r, breaks=(BreakTaken(11 * T, 11 * T + 30 * MINUTE),))),
        lambda p, r: (p, with_kari(r, breaks=(BreakTaken(11 * T - 1, 11 * T + 30 * MINUTE - 1),))),
    ),
    "break_overlaps_visit": (
        lambda p, r: (p, with_kari(r, breaks=(BreakTaken(12 * T, 12 * T + 30 * MINUTE),))),
        lambda p, r: (
            p,
            with_kari(r, breaks=(BreakTaken(11 * T + 44 * MINUTE, 12 * T + 14 * MINUTE),)),
        ),
    ),
    "break_across_departure_or_return": (
        lambda p, r: (
            p,
            with_kari(r, breaks=(BreakTaken(11 * T + 55 * MINUTE, 12 * T + 25 * MINUTE),)),
        ),
        lambda p, r: (
            p,
            with_kari(r, breaks=(BreakTaken(11 * T + 50 * MINUTE, 12 * T + 20 * MINUTE),)),
        ),
    ),
    # The 15-minute break after the return is fine; during the first break it is not.
    "breaks_overlap": (
        lambda p, r: _two_breaks(p, r, 12 * T),
        lambda p, r: _two_breaks(p, r, 11 * T + 15 * MINUTE),
    ),
    "joint_start": (
        lambda p, r: (p, r),
        lambda p, r: (
            p,
            with_stop(r, "ola", "j1", start_s=10 * T + 60, end_s=10 * T + 30 * MINUTE + 60),
        ),
    ),
    "dependency_both_or_neither": (
        lambda p, r: (p, r),
        lambda p, r: (
            p,
            replace(
                with_kari(r, stops=route(r, "kari").stops[:2]),
                unassigned=(*r.unassigned, Unassigned("f1", Reason.NO_ROOM, "")),
            ),
        ),
    ),
    # a1 09:00, f1 11:30: a lag of 2.5 hours.
    "dependency_lag": (
        lambda p, r: (_lag(p, 2 * T + 30 * MINUTE), r),
        lambda p, r: (_lag(p, 2 * T + 30 * MINUTE + 1), r),
    ),
    # a1 ends 09:30 (it lasts 30 minutes), f1 starts 11:30: two hours after its end.
    "dependency_end_lag": (
        lambda p, r: (_dependency(p, min_lag_s=2 * T, anchor="end"), r),
        lambda p, r: (_dependency(p, min_lag_s=2 * T + 1, anchor="end"), r),
    ),
    # kari does a1 and f1; in the other plan ola does f1.
    "dependency_same_staff": (
        lambda p, r: (_dependency(p, staff="same"), r),
        lambda p, r: _f1_by_ola(_dependency(p, staff="same"), r),
    ),
    "dependency_different_staff": (
        lambda p, r: _f1_by_ola(_dependency(p, staff="different"), r),
        lambda p, r: (_dependency(p, staff="different"), r),
    ),
    "series_same_staff": (
        lambda p, r: (_series(p, "a1", "f1"), r),
        lambda p, r: _f1_by_ola(_series(p, "a1", "f1"), r),
    ),
    # a1 needs level 2: kari at level 2 may do it, at level 1 not.
    "skill_level": (
        lambda p, r: (_levels(p, kari=2, a1=2), r),
        lambda p, r: (_levels(p, kari=1, a1=2), r),
    ),
    # ola's meeting at 3, 11:00-12:00: from j1 (at 2, ends 10:30) a 10-minute drive.
    "appointment_unknown": (
        lambda p, r: _meeting(p, r),
        lambda p, r: _meeting(p, r, appointment_id="ghost"),
    ),
    "duplicate_appointment": (
        lambda p, r: _meeting(p, r),
        lambda p, r: _meeting(p, r, twice=True),
    ),
    "appointment_missing": (
        lambda p, r: (_meeting(p, r)[0], _unkept(r)),
        lambda p, r: (_meeting(p, r)[0], r),
    ),
    "appointment_kept_and_unkept": (
        lambda p, r: _meeting(p, r),
        lambda p, r: (_meeting(p, r)[0], _unkept(_meeting(p, r)[1])),
    ),
    "appointment_time": (
        lambda p, r: _meeting(p, r),
        lambda p, r: _meeting(p, r, end_s=12 * T - 1),
    ),
    "appointment_travel": (
        lambda p, r: _meeting(p, r),
        lambda p, r: _meeting(p, r, travel_s=601),
    ),
    # j1 ends 10:30, ten minutes' drive: there at 10:40 at the earliest.
    "appointment_arrival": (
        lambda p, r: _meeting(p, r, arrival_s=10 * T + 40 * MINUTE),
        lambda p, r: _meeting(p, r, arrival_s=10 * T + 40 * MINUTE - 1),
    ),
    # At j1's own address: it may begin the second j1 ends, not a second before.
    "appointment_overlap": (
        lambda p, r: _meeting_at_j1(p, r, 10 * T + 30 * MINUTE),
        lambda p, r: _meeting_at_j1(p, r, 10 * T + 30 * MINUTE - 1),
    ),
    # kari's huddle at the base 12:00-12:30, after f1: the break may follow it, not overlap it.
    "break_overlaps_appointment": (
        lambda p, r: _huddle(p, r, break_start_s=12 * T + 30 * MINUTE),
        lambda p, r: _huddle(p, r, break_start_s=12 * T + 29 * MINUTE),
    ),
    # j1's first part needs staff of the hospital's team: kari works for it, ola does not.
    "organisation": (
        lambda p, r: (_organisations(p, part_organisations=("hospital", None)), r),
        lambda p, r: (_organisations(p, part_organisations=(None, "hospital")), r),
    ),
    "off_duty_missing": (
        lambda p, r: _split_ola(p, r),
        lambda p, r: (_split_ola(p, r)[0], r),
    ),
    "off_duty_unknown": (
        lambda p, r: _split_ola(p, r),
        lambda p, r: _split_ola(p, r, taken_end_s=12 * T + 1),
    ),
    "off_duty_travel": (
        lambda p, r: _split_ola(p, r),
        lambda p, r: _split_ola(p, r, travel_s=20 * MINUTE + 1),
    ),
    # Back from j1 (ends 10:30, 20 minutes from the base) at 10:50 at the earliest.
    "off_duty_arrival": (
        lambda p, r: _split_ola(p, r, arrival_s=10 * T + 50 * MINUTE),
        lambda p, r: _split_ola(p, r, arrival_s=10 * T + 50 * MINUTE - 1),
    ),
    # Time off may start the second ola is back from j1, not while j1 still goes on.
    "off_duty_overlap": (
        lambda p, r: _split_ola(p, r, start_s=10 * T + 50 * MINUTE),
        lambda p, r: _split_ola(p, r, start_s=10 * T + 29 * MINUTE, arrival_s=10 * T + 29 * MINUTE),
    ),
    # kari's a1 moved to 09:45-10:15 would still be going on when j1 starts at 10:00.
    "two_places_at_once": (
        lambda p, r: (p, r),
        lambda p, r: (
            p,
            with_stop(r, "kari", "a1", start_s=9 * T + 45 * MINUTE, end_s=10 * T + 15 * MINUTE),
        ),
    ),
}


def _organisations(problem: Problem, **changes: object) -> Problem:
    problem = problem_with_staff(problem, "kari", organisations=frozenset({"hospital", "trust"}))
    problem = problem_with_staff(problem, "ola", organisations=frozenset({"nordvik"}))
    return problem_with_visit(problem, "j1", **changes)


def _split_ola(
    problem: Problem,
    result: Result,
    start_s: int = 11 * T,
    arrival_s: int = 10 * T + 50 * MINUTE,
    travel_s: int = 20 * MINUTE,
    taken_end_s: int = 12 * T,
) -> tuple[Problem, Result]:
    """ola off duty from `start_s` to 12:00 at the base (0), back from j1 (at 2, ends 10:30);
    her day ends with the time off (nothing after it, so she is back at 12:00)."""
    problem = problem_with_staff(problem, "ola", off_duty=(OffDuty(start_s, 12 * T),))
    taken = OffDutyTaken(arrival_s, start_s, taken_end_s, travel_s)
    ola = replace(
        route(result, "ola"),
        off_duty=(taken,),
        return_s=taken_end_s,
        return_travel_s=0,
    )
    return problem, with_route(result, ola)


def _dependency(problem: Problem, **changes: object) -> Problem:
    fields: dict[str, object] = {"min_lag_s": 2 * T, "max_lag_s": 4 * T, **changes}
    return replace(problem, dependencies=(Dependency("a1", "f1", **fields),))  # type: ignore[arg-type]


def _f1_by_ola(problem: Problem, result: Result) -> tuple[Problem, Result]:
    """The same day with f1 (no longer refusing ola) on ola's route after j1: kari is back
    from j1 at 10:50 (her break after that), ola drives on to f1 and is back at 11:55."""
    problem = problem_with_visit(problem, "f1", refused_staff=frozenset())
    kari = route(result, "kari")
    kari = replace(kari, stops=kari.stops[:2], return_s=10 * T + 50 * MINUTE, return_travel_s=1200)
    ola = route(result, "ola")
    f1 = Stop("f1", 0, 10 * T + 40 * MINUTE, 11 * T + 30 * MINUTE, 11 * T + 45 * MINUTE, 600)
    ola = replace(ola, stops=(*ola.stops, f1), return_s=11 * T + 55 * MINUTE, return_travel_s=600)
    return problem, replace(result, routes=(kari, ola))


def _series(problem: Problem, *visit_ids: str) -> Problem:
    for visit_id in visit_ids:
        problem = problem_with_visit(problem, visit_id, series="morning")
    return problem


def _levels(problem: Problem, kari: int, a1: int) -> Problem:
    problem = problem_with_staff(problem, "kari", skill_level=kari)
    return problem_with_visit(problem, "a1", skill_level=a1)


MEETING = Appointment("meet", 11 * T, 12 * T, 3)


def _meeting(
    problem: Problem, result: Result, twice: bool = False, **changes: object
) -> tuple[Problem, Result]:
    """ola has a meeting at 3, 11:00-12:00, kept after j1: there at 10:40, back at 12:30."""
    problem = problem_with_staff(problem, "ola", appointments=(MEETING,))
    fields: dict[str, object] = {
        "appointment_id": "meet",
        "arrival_s": 10 * T + 40 * MINUTE,
        "start_s": 11 * T,
        "end_s": 12 * T,
        "travel_s": 600,
        **changes,
    }
    kept = AppointmentKept(**fields)  # type: ignore[arg-type]
    ola = replace(
        route(result, "ola"),
        appointments=(kept, kept) if twice else (kept,),
        return_s=12 * T + 30 * MINUTE,
        return_travel_s=1800,
    )
    return problem, with_route(result, ola)


def _unkept(result: Result) -> Result:
    unkept = UnkeptAppointment("ola", "meet", "unreachable", "cannot get there in time")
    return replace(result, unkept_appointments=(unkept,))


def _meeting_at_j1(problem: Problem, result: Result, start_s: int) -> tuple[Problem, Result]:
    """ola's hour-long meeting at j1's address (2), starting at `start_s`."""
    meeting = Appointment("meet", start_s, start_s + T, 2)
    problem = problem_with_staff(problem, "ola", appointments=(meeting,))
    kept = AppointmentKept("meet", 10 * T + 30 * MINUTE, start_s, start_s + T, 0)
    ola = replace(
        route(result, "ola"),
        appointments=(kept,),
        return_s=start_s + T + 20 * MINUTE,
        return_travel_s=1200,
    )
    return problem, with_route(result, ola)


def _huddle(problem: Problem, result: Result, break_start_s: int) -> tuple[Problem, Result]:
    """kari's huddle at the base (0), 12:00-12:30, after f1 (at 1, ends 11:45); her break
    moves to `break_start_s`."""
    huddle = Appointment("huddle", 12 * T, 12 * T + 30 * MINUTE, 0)
    problem = problem_with_staff(problem, "kari", appointments=(huddle,))
    kept = AppointmentKept("huddle", 11 * T + 55 * MINUTE, 12 * T, 12 * T + 30 * MINUTE, 600)
    brk = BreakTaken(break_start_s, break_start_s + 30 * MINUTE)
    kari = replace(
        route(result, "kari"),
        appointments=(kept,),
        breaks=(brk,),
        return_s=max(12 * T + 30 * MINUTE, brk.end_s),
        return_travel_s=0,
    )
    return problem, with_route(result, kari)


def _slow_road(problem: Problem, result: Result, seconds: int) -> tuple[Problem, Result]:
    """The drive from j1 (location 2) to f1 (location 1) takes `seconds`."""
    travel = [list(row) for row in problem.travel_s]
    travel[2][1] = seconds
    bad = with_stop(
        result, "kari", "f1", travel_s=seconds, arrival_s=10 * T + 30 * MINUTE + seconds
    )
    return replace(problem, travel_s=tuple(tuple(row) for row in travel)), bad


def _loaded(problem: Problem, capacity: int) -> Problem:
    problem = problem_with_visit(problem, "a1", demand=1)
    problem = problem_with_visit(problem, "f1", demand=2)
    return problem_with_staff(problem, "kari", capacity=capacity)


def _short_shift(problem: Problem, overtime_s: int) -> Problem:
    brk = Break(30 * MINUTE, 10 * T + 30 * MINUTE, 11 * T + 30 * MINUTE)
    return problem_with_staff(
        problem, "kari", shift_end_s=11 * T + 30 * MINUTE, max_overtime_s=overtime_s, breaks=(brk,)
    )


def _two_breaks(problem: Problem, result: Result, second_start_s: int) -> tuple[Problem, Result]:
    short = Break(15 * MINUTE, 11 * T, 13 * T)
    both = (
        BreakTaken(11 * T, 11 * T + 30 * MINUTE),
        BreakTaken(second_start_s, second_start_s + 15 * MINUTE),
    )
    return problem_with_staff(problem, "kari", breaks=(BREAK, short)), with_kari(
        result, breaks=both
    )


def _lag(problem: Problem, min_lag_s: int) -> Problem:
    return replace(
        problem, dependencies=(Dependency("a1", "f1", min_lag_s=min_lag_s, max_lag_s=4 * T),)
    )


def test_the_hand_made_plan_is_valid() -> None:
    """The baseline plan breaks no rule, so each violation below comes from its one change."""
    assert validate(day(), plan()) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_respected(rule: str) -> None:
    """A change that stays within the rule (often right at its limit) is not reported."""
    problem, result = CASES[rule][0](day(), plan())
    assert rule not in rules(problem, result)
    assert validate(problem, result) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_violated(rule: str) -> None:
    """A change that breaks the rule is reported under the rule's name."""
    problem, result = CASES[rule][1](day(), plan())
    assert rule in rules(problem, result)


def test_every_rule_in_the_docstring_has_a_case() -> None:
    """The validator's documented rules and the cases here are the same set."""
    import solver.validator as module

    doc = module.__doc__ or ""
    documented = {
        word.strip(",")
        for line in doc.splitlines()
        if line.startswith("  ")
        for word in line.split()[1 if not line.startswith("   ") else 0 :]
    }
    assert documented == set(CASES)
