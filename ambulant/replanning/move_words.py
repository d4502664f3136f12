"""The validator's violations in the words a coordinator reads: who, which visit, what time.

The validator speaks of ids and seconds (solver.validator); this says "Nurse 2 would be back at
15:40, after the shift ends at 15:00 and the 30 min of overtime allowed". A rule a hand move
cannot break by itself (a stored time that does not add up) keeps the validator's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import solver
from ambulant.replanning.views import MoveViolation
from ambulant.timeutil import OSLO, from_day_seconds


@dataclass
class Wording:
    day: dt.date
    problem: solver.Problem
    result: solver.Result
    staff_names: dict[str, str]
    visit_names: dict[str, str]
    """Visit id -> what the visit is, e.g. "Medication"."""
    municipality_names: dict[str, str]
    appointment_titles: dict[str, str]

    def clock(self, seconds: int) -> str:
        return f"{from_day_seconds(self.day, seconds).astimezone(OSLO):%H:%M}"

    def staff(self, staff_id: str | None) -> str:
        if staff_id is None:
            return "a staff member"
        return self.staff_names.get(staff_id) or f"staff {staff_id}"

    def visit(self, visit_id: str | None) -> str:
        if visit_id is None:
            return "a visit"
        what = self.visit_names.get(visit_id)
        return f"visit {visit_id} ({what})" if what else f"visit {visit_id}"

    def stop(self, visit_id: str | None, staff_id: str | None) -> solver.Stop | None:
        for route in self.result.routes:
            if staff_id is None or route.staff_id == staff_id:
                for stop in route.stops:
                    if stop.visit_id == visit_id:
                        return stop
        return None


def in_words(wording: Wording, violation: solver.Violation) -> MoveViolation:
    say = _SAYINGS.get(violation.rule)
    try:
        message = say(wording, violation) if say else None
    except KeyError:
        message = None  # names an id the problem lacks: the validator's own words then
    return MoveViolation(
        rule=violation.rule,
        message=message or f"{violation.message} ({violation.rule})",
        visit_id=int(violation.visit_id) if violation.visit_id else None,
        staff_id=int(violation.staff_id) if violation.staff_id else None,
    )


Saying = Callable[[Wording, solver.Violation], str | None]


def _skills(w: Wording, v: solver.Violation) -> str:
    missing = v.message.removeprefix("lacks ")
    return f"{w.staff(v.staff_id)} lacks {missing}, which {w.visit(v.visit_id)} needs"


def _skill_level(w: Wording, v: solver.Violation) -> str:
    visit = w.problem.visit(v.visit_id or "")
    member = w.problem.staff_member(v.staff_id or "")
    return (
        f"{w.visit(v.visit_id)} needs skill level {visit.skill_level}; "
        f"{w.staff(v.staff_id)} is at level {member.skill_level}"
    )


def _pinned(w: Wording, v: solver.Violation) -> str:
    pinned = w.problem.visit(v.visit_id or "").pinned_staff
    who = " and ".join(w.staff(s) for s in pinned)
    return f"{w.visit(v.visit_id)} is set to be done by {who} only"


def _refused(w: Wording, v: solver.Violation) -> str:
    return f"the patient of {w.visit(v.visit_id)} does not want visits from {w.staff(v.staff_id)}"


def _municipality(w: Wording, v: solver.Violation) -> str:
    code = w.problem.visit(v.visit_id or "").municipality or ""
    where = w.municipality_names.get(code, code)
    return f"{w.staff(v.staff_id)} does not work in {where}, where {w.visit(v.visit_id)} is"


def _time_window(w: Wording, v: solver.Violation) -> str:
    visit = w.problem.visit(v.visit_id or "")
    stop = w.stop(v.visit_id, v.staff_id)
    when = f" at {w.clock(stop.start_s)}" if stop else ""
    return (
        f"{w.visit(v.visit_id)} would start{when}, but it must start between "
        f"{w.clock(visit.earliest_start_s)} and {w.clock(visit.latest_start_s)}"
    )


def _too_soon(w: Wording, v: solver.Violation) -> str:
    stop = w.stop(v.visit_id, v.staff_id)
    if stop is None:
        return f"{w.staff(v.staff_id)} cannot get to {w.visit(v.visit_id)} in time"
    return (
        f"{w.staff(v.staff_id)} cannot be at {w.visit(v.visit_id)} by {w.clock(stop.start_s)}: "
        "the drive from the stop before (and the break, if one is between) takes longer"
    )


def _departure(w: Wording, v: solver.Violation) -> str:
    member = w.problem.staff_member(v.staff_id or "")
    return (
        f"{w.staff(v.staff_id)} would have to leave before the shift starts at "
        f"{w.clock(member.shift_start_s)}"
    )


def _return(w: Wording, v: solver.Violation) -> str:
    member = w.problem.staff_member(v.staff_id or "")
    route = w.result.route_of(v.staff_id or "")
    back = f" at {w.clock(route.return_s)}" if route else " late"
    overtime = member.max_overtime_s // 60
    allowed = f" and the {overtime} min of overtime allowed" if overtime else ""
    return (
        f"{w.staff(v.staff_id)} would be back{back}, after the shift ends at "
        f"{w.clock(member.shift_end_s)}{allowed}"
    )


def _break_window(w: Wording, v: solver.Violation) -> str:
    member = w.problem.staff_member(v.staff_id or "")
    if not member.breaks:
        return f"{w.staff(v.staff_id)}'s break would be outside the time set for it"
    brk = member.breaks[0]
    return (
        f"{w.staff(v.staff_id)}'s break would fall outside "
        f"{w.clock(brk.earliest_start_s)}-{w.clock(brk.latest_end_s)}"
    )


def _break_overlaps_visit(w: Wording, v: solver.Violation) -> str:
    return f"{w.staff(v.staff_id)}'s break would fall during {w.visit(v.visit_id)}"


def _break_count(w: Wording, v: solver.Violation) -> str:
    return f"{w.staff(v.staff_id)} would not get the break the shift has"


def _appointment(w: Wording, v: solver.Violation) -> str:
    # The validator names the appointment first ("7: not there ...") or last ("... appointment 7").
    named = v.message.split(":")[0] if v.rule == "appointment_arrival" else v.message.split()[-1]
    title = w.appointment_titles.get(named)
    what = f"the fixed appointment {title!r}" if title else "a fixed appointment"
    if v.rule == "appointment_overlap":
        return f"{w.visit(v.visit_id)} would fall during {w.staff(v.staff_id)}'s {what}"
    return f"{w.staff(v.staff_id)} would not be in time for {what}"


def _joint_start(w: Wording, v: solver.Violation) -> str:
    return f"the staff of joint {w.visit(v.visit_id)} would not start at the same time"


def _same_staff_twice(w: Wording, v: solver.Violation) -> str:
    return f"joint {w.visit(v.visit_id)} needs two different staff members"


def _dependency(w: Wording, v: solver.Violation) -> str | None:
    for dep in w.problem.dependencies:
        if dep.after != v.visit_id and dep.before != v.visit_id:
            continue
        before, after = w.visit(dep.before), w.visit(dep.after)
        if v.rule == "dependency_same_staff":
            return f"{after} must be done by the same staff member as {before}"
        if v.rule == "dependency_different_staff":
            return f"{after} must be done by someone other than whoever does {before}"
        if v.rule == "dependency_both_or_neither":
            return f"{after} follows up {before}: both are planned or neither is"
        anchor = "ends" if dep.anchor == "end" else "starts"
        most = f" and at most {dep.max_lag_s // 60} min" if dep.max_lag_s is not None else ""
        least = dep.min_lag_s // 60
        return f"{after} must start at least {least} min{most} after {before} {anchor}"
    return None


def _series(w: Wording, v: solver.Violation) -> str:
    other = v.message.split(" and ")[0]
    return (
        f"{w.visit(v.visit_id)} and {w.visit(other)} belong to one series of the patient's: "
        "the same staff member does them"
    )


def _organisation(w: Wording, v: solver.Violation) -> str:
    return f"{w.visit(v.visit_id)} needs staff of another organisation than {w.staff(v.staff_id)}'s"


def _time_off(w: Wording, v: solver.Violation) -> str:
    if v.rule == "off_duty_arrival":
        return (
            f"{w.staff(v.staff_id)} would not be back at the base for the time off between shifts"
        )
    if v.visit_id is not None:
        return (
            f"{w.visit(v.visit_id)} would fall in {w.staff(v.staff_id)}'s time off between shifts"
        )
    return f"{w.staff(v.staff_id)} would be at work in the time off between shifts"


def _two_places(w: Wording, v: solver.Violation) -> str:
    return f"{w.visit(v.visit_id)} would overlap another visit of {w.staff(v.staff_id)}'s"


_SAYINGS: dict[str, Saying] = {
    "skills": _skills,
    "skill_level": _skill_level,
    "pinned": _pinned,
    "refused": _refused,
    "municipality": _municipality,
    "time_window": _time_window,
    "arrival": _too_soon,
    "gap": _too_soon,
    "start_before_arrival": _too_soon,
    "departure_before_shift": _departure,
    "return_after_limit": _return,
    "break_window": _break_window,
    "break_overlaps_visit": _break_overlaps_visit,
    "break_count": _break_count,
    "appointment_arrival": _appointment,
    "appointment_overlap": _appointment,
    "joint_start": _joint_start,
    "same_staff_twice": _same_staff_twice,
    "dependency_lag": _dependency,
    "dependency_end_lag": _dependency,
    "dependency_same_staff": _dependency,
    "dependency_different_staff": _dependency,
    "dependency_both_or_neither": _dependency,
    "series_same_staff": _series,
    "organisation": _organisation,
    "off_duty_arrival": _time_off,
    "off_duty_overlap": _time_off,
    "two_places_at_once": _two_places,
}
