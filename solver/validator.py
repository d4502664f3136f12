"""Checks any plan against its problem, whoever made it. Independent of the solver's model:
everything is re-derived from the Problem and the Result alone.

Rules (the `rule` of a Violation):
  ids          unknown_staff, duplicate_route, unknown_visit, unknown_part, duplicate_part
  coverage     partly_assigned, same_staff_twice, assigned_and_unassigned, duplicate_unassigned,
               missing_visit
  eligibility  skills, skill_level, pinned, refused, municipality, organisation
  load         capacity
  times        time_window, duration, travel, arrival, start_before_arrival, gap,
               departure_before_shift, return_travel, return_too_early, return_after_limit,
               two_places_at_once
  time_off     off_duty_missing, off_duty_unknown, off_duty_travel, off_duty_arrival,
               off_duty_overlap
  breaks       break_count, break_duration, break_window, break_overlaps_visit,
               break_across_departure_or_return, breaks_overlap, break_overlaps_appointment
  appointments appointment_unknown, duplicate_appointment, appointment_missing,
               appointment_kept_and_unkept, appointment_time, appointment_travel,
               appointment_arrival, appointment_overlap
  links        joint_start, dependency_both_or_neither, dependency_lag, dependency_end_lag,
               dependency_same_staff, dependency_different_staff, series_same_staff

A route's stops, kept appointments and time off between split shifts are one sequence in time:
each is reached from the one before (or the start location), and the drive home leaves from the
last. Time off is spent at the end location; a staff member is one route, so nobody is in two
places at once as long as nothing on the route overlaps.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from solver.problem import Appointment, OffDuty, Problem, Staff, Visit
from solver.result import AppointmentKept, BreakTaken, OffDutyTaken, Result, Route, Stop


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    visit_id: str | None = None
    staff_id: str | None = None


class PlanInvalid(Exception):
    """The plan breaks at least one rule; `violations` lists them all."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = [f"{v.rule}: {v.message}" for v in violations]
        super().__init__(f"{len(violations)} violation(s):\n" + "\n".join(lines))


def assert_valid(problem: Problem, result: Result) -> None:
    violations = validate(problem, result)
    if violations:
        raise PlanInvalid(violations)


def validate(problem: Problem, result: Result) -> list[Violation]:
    """Every rule the plan breaks; empty if it is valid."""
    out: list[Violation] = []
    staff = {s.id: s for s in problem.staff}
    visits = {v.id: v for v in problem.visits}
    routes = _known_routes(result, staff, out)
    starts = _check_parts(result, routes, visits, out)
    _check_unassigned(problem, result, starts, out)
    kept = _check_appointment_coverage(problem, result, routes, out)
    for route in routes:
        member = staff[route.staff_id]
        for stop in route.stops:
            if stop.visit_id in visits and 0 <= stop.part < visits[stop.visit_id].staff_count:
                _check_eligibility(member, visits[stop.visit_id], stop.part, out)
        _check_capacity(member, route, visits, out)
        off = _check_off_duty_coverage(member, route, out)
        _check_times(problem, member, route, visits, kept[route.staff_id], off, out)
        _check_breaks(member, route, out)
        _check_appointment_overlaps(member, route, kept[route.staff_id], out)
        _check_off_duty_overlaps(member, route, off, out)
        _check_two_places(member, route, out)
    _check_joint_starts(starts, out)
    _check_dependencies(problem, starts, out)
    _check_series(problem, starts, out)
    return out


def _known_routes(result: Result, staff: dict[str, Staff], out: list[Violation]) -> list[Route]:
    seen: set[str] = set()
    known = []
    for route in result.routes:
        if route.staff_id not in staff:
            out.append(Violation("unknown_staff", f"route for unknown staff {route.staff_id}"))
        elif route.staff_id in seen:
            out.append(Violation("duplicate_route", "more than one route", staff_id=route.staff_id))
        else:
            seen.add(route.staff_id)
            known.append(route)
    return known


def _check_parts(
    result: Result, routes: list[Route], visits: dict[str, Visit], out: list[Violation]
) -> dict[str, dict[int, tuple[str, int]]]:
    """(staff, start) of every part, by visit; reports unknown, repeated and partial visits."""
    parts: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)
    for route in routes:
        for stop in route.stops:
            visit = visits.get(stop.visit_id)
            if visit is None:
                out.append(
                    Violation(
                        "unknown_visit", "stop for an unknown visit", stop.visit_id, route.staff_id
                    )
                )
                continue
            if not 0 <= stop.part < visit.staff_count:
                out.append(
                    Violation(
                        "unknown_part",
                        f"part {stop.part} of a {visit.staff_count}-staff visit",
                        visit.id,
                        route.staff_id,
                    )
                )
                continue
            if stop.part in parts[visit.id]:
                out.append(
                    Violation(
                        "duplicate_part",
                        f"part {stop.part} planned twice",
                        visit.id,
                        route.staff_id,
                    )
                )
                continue
            parts[visit.id][stop.part] = (route.staff_id, stop.start_s)
    for visit_id, done in parts.items():
        visit = visits[visit_id]
        if len(done) != visit.staff_count:
            out.append(
                Violation(
                    "partly_assigned",
                    f"{len(done)} of {visit.staff_count} parts planned",
                    visit_id,
                )
            )
        by = [staff_id for staff_id, _ in done.values()]
        if len(set(by)) != len(by):
            out.append(Violation("same_staff_twice", "one staff member does two parts", visit_id))
    return parts


def _check_unassigned(
    problem: Problem,
    result: Result,
    parts: dict[str, dict[int, tuple[str, int]]],
    out: list[Violation],
) -> None:
    visit_ids = {v.id for v in problem.visits}
    listed: set[str] = set()
    for item in result.unassigned:
        if item.visit_id not in visit_ids:
            out.append(
                Violation("unknown_visit", "unassigned entry for an unknown visit", item.visit_id)
            )
        elif item.visit_id in listed:
            out.append(Violation("duplicate_unassigned", "listed unassigned twice", item.visit_id))
        elif item.visit_id in parts:
            out.append(
                Violation("assigned_and_unassigned", "planned and listed unassigned", item.visit_id)
            )
        listed.add(item.visit_id)
    for visit in problem.visits:
        if visit.id not in parts and visit.id not in listed:
            out.append(
                Violation("missing_visit", "neither planned nor listed unassigned", visit.id)
            )


def _check_appointment_coverage(
    problem: Problem, result: Result, routes: list[Route], out: list[Violation]
) -> dict[str, list[tuple[AppointmentKept, Appointment]]]:
    """Each staff member's appointments kept on their route or listed unkept, exactly once;
    returns the kept ones (with what the problem says of them) by staff member."""
    own = {s.id: {a.id: a for a in s.appointments} for s in problem.staff}
    kept: dict[str, list[tuple[AppointmentKept, Appointment]]] = defaultdict(list)
    for route in routes:
        seen: set[str] = set()
        for got in route.appointments:
            appointment = own[route.staff_id].get(got.appointment_id)
            if appointment is None:
                out.append(
                    Violation(
                        "appointment_unknown",
                        f"{got.appointment_id} is not one of this staff member's appointments",
                        staff_id=route.staff_id,
                    )
                )
            elif got.appointment_id in seen:
                out.append(
                    Violation(
                        "duplicate_appointment",
                        f"{got.appointment_id} kept twice",
                        staff_id=route.staff_id,
                    )
                )
            else:
                seen.add(got.appointment_id)
                kept[route.staff_id].append((got, appointment))
    listed: set[tuple[str, str]] = set()
    for item in result.unkept_appointments:
        key = (item.staff_id, item.appointment_id)
        if item.appointment_id not in own.get(item.staff_id, {}):
            out.append(
                Violation(
                    "appointment_unknown",
                    f"{item.appointment_id} listed unkept, but not an appointment of theirs",
                    staff_id=item.staff_id,
                )
            )
        elif key in listed:
            out.append(
                Violation(
                    "duplicate_appointment",
                    f"{item.appointment_id} listed unkept twice",
                    staff_id=item.staff_id,
                )
            )
        elif any(got.appointment_id == item.appointment_id for got, _ in kept[item.staff_id]):
            out.append(
                Violation(
                    "appointment_kept_and_unkept",
                    f"{item.appointment_id} kept and listed unkept",
                    staff_id=item.staff_id,
                )
            )
        listed.add(key)
    for member in problem.staff:
        done = {got.appointment_id for got, _ in kept[member.id]}
        for appointment in member.appointments:
            if appointment.id not in done and (member.id, appointment.id) not in listed:
                out.append(
                    Violation(
                        "appointment_missing",
                        f"{appointment.id} neither kept nor listed unkept",
                        staff_id=member.id,
                    )
                )
    return kept


def _check_eligibility(staff: Staff, visit: Visit, part: int, out: list[Violation]) -> None:
    missing = visit.skills_of_part(part) - staff.skills
    if missing:
        out.append(Violation("skills", f"lacks {', '.join(sorted(missing))}", visit.id, staff.id))
    if staff.skill_level < visit.skill_level:
        out.append(
            Violation(
                "skill_level",
                f"level {staff.skill_level}, the visit needs {visit.skill_level}",
                visit.id,
                staff.id,
            )
        )
    if part < len(visit.pinned_staff) and visit.pinned_staff[part] != staff.id:
        out.append(
            Violation(
                "pinned", f"part {part} is pinned to {visit.pinned_staff[part]}", visit.id, staff.id
            )
        )
    if staff.id in visit.refused_staff:
        out.append(Violation("refused", "refused by the patient", visit.id, staff.id))
    if staff.municipalities and visit.municipality not in (None, *staff.municipalities):
        out.append(
            Violation("municipality", f"does not cover {visit.municipality}", visit.id, staff.id)
        )
    foreign = visit.organisations_of_part(part) - staff.organisations
    if foreign:
        out.append(
            Violation(
                "organisation",
                f"part {part} needs staff of {', '.join(sorted(foreign))}",
                visit.id,
                staff.id,
            )
        )


def _check_off_duty_coverage(
    staff: Staff, route: Route, out: list[Violation]
) -> list[OffDutyTaken]:
    """The route takes each of the staff member's off-duty periods, once, at its own times;
    returns the ones that are theirs."""
    wanted = {(o.start_s, o.end_s) for o in staff.off_duty}
    seen: set[tuple[int, int]] = set()
    theirs = []
    for got in route.off_duty:
        key = (got.start_s, got.end_s)
        if key not in wanted or key in seen:
            out.append(
                Violation(
                    "off_duty_unknown",
                    f"time off {got.start_s}-{got.end_s} is not one of the staff member's "
                    "(or it is there twice)",
                    staff_id=staff.id,
                )
            )
            continue
        seen.add(key)
        theirs.append(got)
    for off in staff.off_duty:
        if (off.start_s, off.end_s) not in seen:
            out.append(
                Violation(
                    "off_duty_missing",
                    f"the time off {off.start_s}-{off.end_s} between shifts is not on the route",
                    staff_id=staff.id,
                )
            )
    return theirs


def _check_capacity(
    staff: Staff, route: Route, visits: dict[str, Visit], out: list[Violation]
) -> None:
    if staff.capacity is None:
        return
    load = sum(visits[s.visit_id].demand for s in route.stops if s.visit_id in visits)
    if load > staff.capacity:
        out.append(
            Violation(
                "capacity", f"load {load} exceeds capacity {staff.capacity}", staff_id=staff.id
            )
        )


def _breaks_within(breaks: tuple[BreakTaken, ...], start: int, end: int) -> int:
    return sum(b.end_s - b.start_s for b in breaks if start <= b.start_s and b.end_s <= end)


def _check_times(
    problem: Problem,
    staff: Staff,
    route: Route,
    visits: dict[str, Visit],
    kept: list[tuple[AppointmentKept, Appointment]],
    off_duty: list[OffDutyTaken],
    out: list[Violation],
) -> None:
    travel = problem.travel_s
    sid = staff.id
    if route.departure_s < staff.shift_start_s:
        out.append(
            Violation("departure_before_shift", "leaves before the shift starts", staff_id=sid)
        )
    # Stops, appointments and time off in time order (an appointment or time off first on a
    # tie: a zero-length overlap is no overlap, and the drive between them is checked either
    # way).
    at_base = OffDuty(0, 1)  # stands for any time off: what matters is where it is spent
    day: list[tuple[int, int, Stop | AppointmentKept | OffDutyTaken, Visit | Appointment | OffDuty]]
    day = [(got.start_s, 0, got, appointment) for got, appointment in kept]
    day += [(got.start_s, 0, got, at_base) for got in off_duty]
    day += [
        (stop.start_s, 1, stop, visits[stop.visit_id])
        for stop in route.stops
        if stop.visit_id in visits
    ]
    day.sort(key=lambda item: (item[0], item[1]))
    loc, prev_end = staff.start_location, route.departure_s
    for _, _, done, what in day:
        here = staff.end_location if isinstance(what, OffDuty) else what.location
        leg = travel[loc][here]
        gap_ok = done.start_s - prev_end >= leg + _breaks_within(
            route.breaks, prev_end, done.start_s
        )
        if isinstance(done, Stop) and isinstance(what, Visit):
            _check_stop(what, done, leg, prev_end, sid, out)
            if not gap_ok:
                out.append(
                    Violation(
                        "gap", "not enough time for the drive and breaks before", what.id, sid
                    )
                )
        elif isinstance(done, AppointmentKept) and isinstance(what, Appointment):
            _check_appointment(what, done, leg, prev_end, gap_ok, sid, out)
        elif isinstance(done, OffDutyTaken):
            _check_back_for_time_off(done, leg, prev_end, gap_ok, sid, out)
        loc, prev_end = here, done.end_s
    leg = travel[loc][staff.end_location]
    if route.return_travel_s != leg:
        out.append(
            Violation(
                "return_travel",
                f"return travel {route.return_travel_s}, matrix {leg}",
                staff_id=sid,
            )
        )
    if route.return_s - prev_end < leg + _breaks_within(route.breaks, prev_end, route.return_s):
        out.append(
            Violation("return_too_early", "back before the drive home could end", staff_id=sid)
        )
    if route.return_s > staff.shift_end_s + staff.max_overtime_s:
        out.append(
            Violation("return_after_limit", "back after shift end plus overtime", staff_id=sid)
        )


def _check_back_for_time_off(
    got: OffDutyTaken, leg: int, prev_end: int, gap_ok: bool, sid: str, out: list[Violation]
) -> None:
    """Back at the end location by the time off starts, after the drive from before."""
    if got.travel_s != leg:
        out.append(
            Violation(
                "off_duty_travel",
                f"time off at {got.start_s}: travel {got.travel_s}, matrix says {leg}",
                staff_id=sid,
            )
        )
    if got.arrival_s < prev_end + leg or got.arrival_s > got.start_s or not gap_ok:
        out.append(
            Violation(
                "off_duty_arrival",
                f"not back at the end location by the time off at {got.start_s} after the "
                "drive (and breaks) from before",
                staff_id=sid,
            )
        )


def _check_stop(
    visit: Visit, stop: Stop, leg: int, prev_end: int, sid: str, out: list[Violation]
) -> None:
    if not visit.earliest_start_s <= stop.start_s <= visit.latest_start_s:
        out.append(Violation("time_window", "starts outside its window", visit.id, sid))
    if stop.end_s != stop.start_s + visit.duration_s:
        out.append(Violation("duration", "end is not start plus duration", visit.id, sid))
    if stop.travel_s != leg:
        out.append(Violation("travel", f"travel {stop.travel_s}, matrix says {leg}", visit.id, sid))
    if stop.arrival_s < prev_end + leg:
        out.append(Violation("arrival", "arrives before the drive could end", visit.id, sid))
    if stop.start_s < stop.arrival_s:
        out.append(Violation("start_before_arrival", "starts before arriving", visit.id, sid))


def _check_appointment(
    appointment: Appointment,
    got: AppointmentKept,
    leg: int,
    prev_end: int,
    gap_ok: bool,
    sid: str,
    out: list[Violation],
) -> None:
    """There for the whole appointment, reached in time from the previous place."""
    aid = appointment.id
    if got.start_s != appointment.start_s or got.end_s != appointment.end_s:
        out.append(
            Violation(
                "appointment_time",
                f"{aid} kept {got.start_s}-{got.end_s}, "
                f"it is {appointment.start_s}-{appointment.end_s}",
                staff_id=sid,
            )
        )
    if got.travel_s != leg:
        out.append(
            Violation(
                "appointment_travel",
                f"{aid}: travel {got.travel_s}, matrix says {leg}",
                staff_id=sid,
            )
        )
    if got.arrival_s < prev_end + leg or got.arrival_s > got.start_s or not gap_ok:
        out.append(
            Violation(
                "appointment_arrival",
                f"{aid}: not there by its start after the drive (and breaks) from before",
                staff_id=sid,
            )
        )


def _check_appointment_overlaps(
    staff: Staff,
    route: Route,
    kept: list[tuple[AppointmentKept, Appointment]],
    out: list[Violation],
) -> None:
    """Nothing else happens during an appointment: no visit, no other appointment."""
    for i, (got, _) in enumerate(kept):
        for stop in route.stops:
            if stop.start_s < got.end_s and got.start_s < stop.end_s:
                out.append(
                    Violation(
                        "appointment_overlap",
                        f"visit during appointment {got.appointment_id}",
                        stop.visit_id,
                        staff.id,
                    )
                )
        for other, _ in kept[i + 1 :]:
            if other.start_s < got.end_s and got.start_s < other.end_s:
                out.append(
                    Violation(
                        "appointment_overlap",
                        f"appointments {got.appointment_id} and {other.appointment_id} overlap",
                        staff_id=staff.id,
                    )
                )


def _check_off_duty_overlaps(
    staff: Staff, route: Route, off_duty: list[OffDutyTaken], out: list[Violation]
) -> None:
    """Time off is time off: no visit, appointment or break falls inside it."""
    for off in off_duty:
        items: list[tuple[str, int, int, str | None]] = [
            (f"visit {s.visit_id}", s.start_s, s.end_s, s.visit_id) for s in route.stops
        ]
        items += [
            (f"appointment {a.appointment_id}", a.start_s, a.end_s, None)
            for a in route.appointments
        ]
        items += [("a break", b.start_s, b.end_s, None) for b in route.breaks]
        for what, start, end, visit_id in items:
            if start < off.end_s and off.start_s < end:
                out.append(
                    Violation(
                        "off_duty_overlap",
                        f"{what} during the time off {off.start_s}-{off.end_s}",
                        visit_id,
                        staff.id,
                    )
                )


def _check_two_places(staff: Staff, route: Route, out: list[Violation]) -> None:
    """One staff member does one visit at a time: no two stops of the route overlap."""
    stops = sorted(route.stops, key=lambda s: (s.start_s, s.end_s))
    for i, first in enumerate(stops):
        for second in stops[i + 1 :]:
            if second.start_s >= first.end_s:
                break
            out.append(
                Violation(
                    "two_places_at_once",
                    f"visits {first.visit_id} and {second.visit_id} overlap in time",
                    second.visit_id,
                    staff.id,
                )
            )


def _check_breaks(staff: Staff, route: Route, out: list[Violation]) -> None:
    sid = staff.id
    required = sorted(staff.breaks, key=lambda b: (b.earliest_start_s, b.latest_end_s))
    taken = sorted(route.breaks, key=lambda b: b.start_s)
    if len(taken) != len(required):
        out.append(
            Violation("break_count", f"{len(taken)} breaks, {len(required)} required", staff_id=sid)
        )
    for need, got in zip(required, taken, strict=False):
        if got.end_s - got.start_s != need.duration_s:
            out.append(Violation("break_duration", "break of the wrong length", staff_id=sid))
        if got.start_s < need.earliest_start_s or got.end_s > need.latest_end_s:
            out.append(Violation("break_window", "break outside its window", staff_id=sid))
    for first, second in itertools.pairwise(taken):
        if second.start_s < first.end_s:
            out.append(Violation("breaks_overlap", "two breaks overlap", staff_id=sid))
    for got in taken:
        for stop in route.stops:
            if got.start_s < stop.end_s and stop.start_s < got.end_s:
                out.append(
                    Violation("break_overlaps_visit", "break during a visit", stop.visit_id, sid)
                )
        for appointment in route.appointments:
            if got.start_s < appointment.end_s and appointment.start_s < got.end_s:
                out.append(
                    Violation(
                        "break_overlaps_appointment",
                        f"break during appointment {appointment.appointment_id}",
                        staff_id=sid,
                    )
                )
        for edge in (route.departure_s, route.return_s):
            if got.start_s < edge < got.end_s:
                out.append(
                    Violation(
                        "break_across_departure_or_return",
                        "break spans a departure or return",
                        staff_id=sid,
                    )
                )


def _check_joint_starts(parts: dict[str, dict[int, tuple[str, int]]], out: list[Violation]) -> None:
    for visit_id, done in parts.items():
        if len({start for _, start in done.values()}) > 1:
            out.append(Violation("joint_start", "parts start at different times", visit_id))


def _check_dependencies(
    problem: Problem, parts: dict[str, dict[int, tuple[str, int]]], out: list[Violation]
) -> None:
    visits = {v.id: v for v in problem.visits}
    for dep in problem.dependencies:
        before, after = parts.get(dep.before), parts.get(dep.after)
        if (before is None) != (after is None):
            out.append(
                Violation(
                    "dependency_both_or_neither",
                    f"{dep.before} -> {dep.after}: only one is planned",
                    dep.after if after is None else dep.before,
                )
            )
            continue
        if before is None or after is None or 0 not in before or 0 not in after:
            continue
        # Durations are fixed: a lag from the end is one from the start plus the duration.
        end = dep.anchor == "end"
        lag = after[0][1] - before[0][1] - (visits[dep.before].duration_s if end else 0)
        too_late = dep.max_lag_s is not None and lag > dep.max_lag_s
        if lag < dep.min_lag_s or too_late:
            out.append(
                Violation(
                    "dependency_end_lag" if end else "dependency_lag",
                    f"{dep.after} starts {lag} s after {dep.before} "
                    f"{'ends' if end else 'starts'}, allowed [{dep.min_lag_s}, {dep.max_lag_s}]",
                    dep.after,
                )
            )
        shared = {s for s, _ in before.values()} & {s for s, _ in after.values()}
        if dep.staff == "same" and not shared:
            out.append(
                Violation(
                    "dependency_same_staff",
                    f"{dep.before} and {dep.after} need the same staff member",
                    dep.after,
                )
            )
        if dep.staff == "different" and shared:
            out.append(
                Violation(
                    "dependency_different_staff",
                    f"{', '.join(sorted(shared))} does both {dep.before} and {dep.after}",
                    dep.after,
                )
            )


def _check_series(
    problem: Problem, parts: dict[str, dict[int, tuple[str, int]]], out: list[Violation]
) -> None:
    """Every two planned visits of a series share a staff member (so one staff member does a
    series of single-staff visits)."""
    series: dict[str, list[str]] = defaultdict(list)
    for visit in problem.visits:
        if visit.series is not None and visit.id in parts:
            series[visit.series].append(visit.id)
    for name, members in series.items():
        for a, b in itertools.combinations(members, 2):
            if not {s for s, _ in parts[a].values()} & {s for s, _ in parts[b].values()}:
                out.append(
                    Violation(
                        "series_same_staff",
                        f"{a} and {b} of series {name} have no staff member in common",
                        b,
                    )
                )
