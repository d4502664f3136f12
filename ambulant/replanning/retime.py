"""Times along one route after a change by hand: the stops in a given order, each reached with the
travel matrix from the one before, started as planned unless the drive (and breaks) make that
impossible, then as early as they allow; waiting is allowed.

Only the solver's types come in and go out, so the solver's validator can judge the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

import solver


class Kind(IntEnum):
    """Also the order of items planned to start at the same second (as the plan stores them)."""

    APPOINTMENT = 0
    OFF_DUTY = 1
    BREAK = 2
    VISIT = 3


@dataclass(frozen=True)
class Item:
    """One thing on a staff member's day. A break has no location (taken where they are); an
    item that is `fixed` starts at `planned_start_s` whatever the drive before it says (a fixed
    appointment, time off between shifts at the base, a start a coordinator asked for): if it
    cannot be reached by then, the validator says so."""

    kind: Kind
    planned_start_s: int
    duration_s: int
    location: int | None = None
    visit_id: str | None = None
    part: int = 0
    appointment_id: str | None = None
    fixed: bool = False

    @property
    def order(self) -> tuple[int, int]:
        return (self.planned_start_s, self.kind)


def items_of_route(problem: solver.Problem, route: solver.Route) -> list[Item]:
    """A planned route as items, with each one's planned start."""
    items = [
        Item(
            Kind.VISIT,
            stop.start_s,
            stop.end_s - stop.start_s,
            problem.visit(stop.visit_id).location,
            visit_id=stop.visit_id,
            part=stop.part,
        )
        for stop in route.stops
    ]
    items += [Item(Kind.BREAK, b.start_s, b.end_s - b.start_s) for b in route.breaks]
    held_at = {a.id: a.location for a in problem.staff_member(route.staff_id).appointments}
    items += [
        Item(
            Kind.APPOINTMENT,
            a.start_s,
            a.end_s - a.start_s,
            held_at.get(a.appointment_id),
            appointment_id=a.appointment_id,
            fixed=True,
        )
        for a in route.appointments
    ]
    items += _time_off(problem.staff_member(route.staff_id))
    return sorted(items, key=lambda item: item.order)


def _time_off(staff: solver.Staff) -> list[Item]:
    """The time off between a split shift's shifts: fixed, at the end location (the base)."""
    return [
        Item(Kind.OFF_DUTY, o.start_s, o.end_s - o.start_s, staff.end_location, fixed=True)
        for o in staff.off_duty
    ]


def fresh_day_items(staff: solver.Staff, unkept: set[str]) -> list[Item]:
    """The items of a staff member who had no route: their breaks at the earliest, their fixed
    appointments (but those the plan could not keep), their time off between shifts."""
    items = [Item(Kind.BREAK, b.earliest_start_s, b.duration_s) for b in staff.breaks]
    items += [
        Item(
            Kind.APPOINTMENT,
            a.start_s,
            a.end_s - a.start_s,
            a.location,
            appointment_id=a.id,
            fixed=True,
        )
        for a in staff.appointments
        if a.id not in unkept
    ]
    return items + _time_off(staff)


@dataclass(frozen=True)
class Timed:
    route: solver.Route
    earliest_start_s: dict[tuple[str, int], int]
    """Per visit part, the earliest start the drive and breaks before it allow."""


def retime(
    problem: solver.Problem,
    staff: solver.Staff,
    items: Sequence[Item],
    *,
    departure_s: int | None = None,
) -> Timed:
    """The route through `items` in the order given. It leaves at `departure_s` (default: the
    shift's start), earlier if the first place needs it, but never before the shift starts."""
    travel = problem.travel_s
    located = [item for item in items if item.location is not None]
    leave = staff.shift_start_s if departure_s is None else departure_s
    if located:
        first = located[0]
        assert first.location is not None
        needed = first.planned_start_s - travel[staff.start_location][first.location]
        leave = max(staff.shift_start_s, min(leave, needed))
    here, free_s = staff.start_location, leave
    stops: list[solver.Stop] = []
    kept: list[solver.AppointmentKept] = []
    off_duty: list[solver.OffDutyTaken] = []
    breaks: list[solver.BreakTaken] = []
    earliest: dict[tuple[str, int], int] = {}
    pending: list[Item] = []
    for item in items:
        if item.location is None:
            pending.append(item)
            continue
        leg = travel[here][item.location]
        soonest = free_s + leg + sum(b.duration_s for b in pending)
        start = item.planned_start_s if item.fixed else max(item.planned_start_s, soonest)
        breaks += _place_breaks(pending, free_s, start)
        pending = []
        end = start + item.duration_s
        if item.kind is Kind.VISIT:
            assert item.visit_id is not None
            earliest[(item.visit_id, item.part)] = soonest
            stops.append(solver.Stop(item.visit_id, item.part, free_s + leg, start, end, leg))
        elif item.kind is Kind.OFF_DUTY:
            off_duty.append(solver.OffDutyTaken(free_s + leg, start, end, leg))
        else:
            assert item.appointment_id is not None
            kept.append(solver.AppointmentKept(item.appointment_id, free_s + leg, start, end, leg))
        here, free_s = item.location, end
    # Breaks after the last place are taken before the drive home.
    last_breaks = _place_breaks(pending, free_s, None)
    breaks += last_breaks
    if last_breaks:
        free_s = max(free_s, last_breaks[-1].end_s)
    back = travel[here][staff.end_location]
    return Timed(
        route=solver.Route(
            staff_id=staff.id,
            departure_s=leave,
            return_s=free_s + back,
            stops=tuple(stops),
            breaks=tuple(breaks),
            return_travel_s=back,
            appointments=tuple(kept),
            off_duty=tuple(off_duty),
        ),
        earliest_start_s=earliest,
    )


def _place_breaks(
    pending: Sequence[Item], free_s: int, next_start_s: int | None
) -> list[solver.BreakTaken]:
    """Breaks between being free at `free_s` and the next start: each as planned if it can be,
    else as soon as they are free, but ending in time for the next start (the drive may be
    before or after a break; only their sum must fit, and that sets the next start)."""
    placed: list[solver.BreakTaken] = []
    cursor = free_s
    for i, brk in enumerate(pending):
        start = max(brk.planned_start_s, cursor)
        if next_start_s is not None:
            rest = sum(b.duration_s for b in pending[i:])
            start = max(cursor, min(start, next_start_s - rest))
        placed.append(solver.BreakTaken(start, start + brk.duration_s))
        cursor = start + brk.duration_s
    return placed


def with_start(item: Item, start_s: int, *, fixed: bool) -> Item:
    return replace(item, planned_start_s=start_s, fixed=fixed)
