"""Checks any plan against its problem, whoever made it. Independent of the solver's model:
everything is re-derived from the Problem and the Result alone.

Rules (the `rule` of a Violation):
  ids          unknown_staff, duplicate_route, unknown_visit, unknown_part, duplicate_part
  coverage     partly_assigned, same_staff_twice, assigned_and_unassigned, duplicate_unassigned,
               missing_visit
  eligibility  skills, pinned, refused, municipality
  load         capacity
  times        time_window, duration, travel, arrival, start_before_arrival, gap,
               departure_before_shift, return_travel, return_too_early, return_after_limit
  breaks       break_count, break_duration, break_window, break_overlaps_visit,
               break_across_departure_or_return, breaks_overlap
  links        joint_start, dependency_both_or_neither, dependency_lag
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from solver.problem import Problem, Staff, Visit
from solver.result import BreakTaken, Result, Route, Stop


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
    for route in routes:
        member = staff[route.staff_id]
        for stop in route.stops:
            if stop.visit_id in visits and 0 <= stop.part < visits[stop.visit_id].staff_count:
                _check_eligibility(member, visits[stop.visit_id], stop.part, out)
        _check_capacity(member, route, visits, out)
        _check_times(problem, member, route, visits, out)
        _check_breaks(member, route, out)
    _check_joint_starts(starts, out)
    _check_dependencies(problem, starts, out)
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


def _check_eligibility(staff: Staff, visit: Visit, part: int, out: list[Violation]) -> None:
    missing = visit.skills_of_part(part) - staff.skills
    if missing:
        out.append(Violation("skills", f"lacks {', '.join(sorted(missing))}", visit.id, staff.id))
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
    problem: Problem, staff: Staff, route: Route, visits: dict[str, Visit], out: list[Violation]
) -> None:
    travel = problem.travel_s
    sid = staff.id
    if route.departure_s < staff.shift_start_s:
        out.append(
            Violation("departure_before_shift", "leaves before the shift starts", staff_id=sid)
        )
    loc, prev_end = staff.start_location, route.departure_s
    for stop in route.stops:
        visit = visits.get(stop.visit_id)
        if visit is None:
            continue
        leg = travel[loc][visit.location]
        _check_stop(visit, stop, leg, prev_end, sid, out)
        if stop.start_s - prev_end < leg + _breaks_within(route.breaks, prev_end, stop.start_s):
            out.append(
                Violation("gap", "not enough time for the drive and breaks before", visit.id, sid)
            )
        loc, prev_end = visit.location, stop.end_s
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
        lag = after[0][1] - before[0][1]
        too_late = dep.max_lag_s is not None and lag > dep.max_lag_s
        if lag < dep.min_lag_s or too_late:
            out.append(
                Violation(
                    "dependency_lag",
                    f"{dep.after} starts {lag} s after {dep.before}, allowed "
                    f"[{dep.min_lag_s}, {dep.max_lag_s}]",
                    dep.after,
                )
            )
