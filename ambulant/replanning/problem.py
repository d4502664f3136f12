"""From the whole day's problem to the rest of the day: what a replan asks the solver.

Done and running visits leave the problem (their stops are kept as they are). Each staff member
starts where they are, when they are free; someone who dropped out stops working then. Every
visit still ahead carries where it was (`previous_staff`, `previous_start_s`), so the solver
pays for moving it. On a split-shift day the time off already begun is over for the replan (it
starts after it, from the base, if it is under way); time off ahead stays, and someone who can
no longer be back at the base by its start takes it from when they can be.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import solver
from ambulant.execution.state import PlanState
from ambulant.models import PlanStop
from ambulant.planning.problem_builder import BuiltProblem
from ambulant.planning.store import visit_parts
from ambulant.timeutil import to_day_seconds

# A staff member with less time than this left is not offered new work.
MIN_USEFUL_S = 5 * 60


@dataclass(frozen=True)
class Placement:
    """Where a visit is in the plan being replaced: staff by part, and when it starts."""

    staff_ids: tuple[int, ...]
    start_s: int


@dataclass
class ReplanProblem:
    problem: solver.Problem
    frozen_visit_ids: set[int]
    cancelled_visit_ids: set[int]
    placements: dict[int, Placement]
    """Where each visit of the plan being replaced was."""
    start_locations: dict[int, int]
    """Per staff member in the problem, the matrix index they start from now."""
    left_out: list[solver.Unassigned] = field(default_factory=list)
    """Visits that cannot be planned whatever the solver does, with the reason."""
    notes: list[str] = field(default_factory=list)


def placements_of(stops: list[PlanStop], day: dt.date) -> dict[int, Placement]:
    return {
        visit_id: Placement(
            staff_ids=tuple(s.staff_id for s in visit_stops),
            start_s=to_day_seconds(day, visit_stops[0].start_at),
        )
        for visit_id, visit_stops in visit_parts(stops).items()
    }


def replan_problem(
    built: BuiltProblem,
    *,
    state: PlanState,
    placements: dict[int, Placement],
    absences: dict[int, dt.datetime],
    positions: dict[int, int],
) -> ReplanProblem:
    """`positions`: staff id -> index into `built.extra_locations` of where they are now."""
    day = built.day
    at_s = to_day_seconds(day, state.at)
    notes: list[str] = []
    staff: list[solver.Staff] = []
    start_locations: dict[int, int] = {}
    for member in built.problem.staff:
        staff_id = int(member.id)
        progress = state.staff.get(staff_id)
        free_s = to_day_seconds(day, progress.available_from) if progress else at_s
        start_s = max(member.shift_start_s, free_s, at_s)
        end_s, overtime_s = member.shift_end_s, member.max_overtime_s
        absent = absences.get(staff_id)
        if absent is not None:
            end_s, overtime_s = min(end_s, to_day_seconds(day, absent)), 0
        if end_s - start_s < MIN_USEFUL_S:
            continue
        location = member.start_location
        if staff_id in positions:
            location = built.extra_locations[positions[staff_id]]
        # An appointment or time off under way keeps them until it ends, where it is held.
        for appointment in member.appointments:
            if appointment.start_s < start_s < appointment.end_s:
                start_s, location = appointment.end_s, appointment.location
        for off in member.off_duty:
            if off.start_s <= start_s < off.end_s:
                start_s, location = off.end_s, member.end_location
        for off in member.off_duty:
            if off.start_s < end_s <= off.end_s:
                end_s, overtime_s = off.start_s, 0  # gone in the time off: the day ends there
        if end_s - start_s < MIN_USEFUL_S:
            continue
        breaks = () if progress and progress.break_taken else member.breaks
        breaks = _breaks_left(member.id, breaks, start_s, end_s, notes)
        off_duty = _off_duty_left(
            member, location, start_s, end_s, breaks, built.problem.travel_s, notes
        )
        breaks = _apart_from_time_off(member.id, breaks, off_duty, notes)
        staff.append(
            replace(
                member,
                shift_start_s=start_s,
                shift_end_s=end_s,
                max_overtime_s=overtime_s,
                start_location=location,
                breaks=breaks,
                appointments=_appointments_left(member, start_s, end_s, notes),
                off_duty=off_duty,
            )
        )
        start_locations[staff_id] = location

    frozen = state.frozen_visit_ids
    ahead = {
        int(v.id): v
        for v in built.problem.visits
        if int(v.id) not in frozen and int(v.id) not in state.cancelled
    }
    left_out: list[solver.Unassigned] = []
    dependencies = _dependencies_left(built, state, ahead, left_out, notes)
    visits = []
    for visit_id, visit in ahead.items():
        placed = placements.get(visit_id)
        if placed is not None:
            visit = replace(
                visit,
                previous_staff=tuple(str(s) for s in placed.staff_ids),
                previous_start_s=placed.start_s,
            )
        visits.append(visit)
    problem = solver.Problem(
        staff=tuple(staff),
        visits=tuple(visits),
        travel_s=built.problem.travel_s,
        dependencies=tuple(dependencies),
    )
    return ReplanProblem(
        problem=problem,
        frozen_visit_ids=frozen,
        cancelled_visit_ids=set(state.cancelled),
        placements=placements,
        start_locations=start_locations,
        left_out=left_out,
        notes=notes,
    )


def _breaks_left(
    staff_id: str,
    breaks: tuple[solver.Break, ...],
    start_s: int,
    end_s: int,
    notes: list[str],
) -> tuple[solver.Break, ...]:
    """A break not yet taken keeps its window where it still can; one squeezed out by a running
    visit is pushed as late as the shift allows, and dropped (with a note) only if it cannot fit."""
    kept: list[solver.Break] = []
    for brk in breaks:
        earliest = max(brk.earliest_start_s, start_s)
        latest_end = min(brk.latest_end_s, end_s)
        if latest_end - earliest < brk.duration_s:
            latest_end = min(end_s, earliest + brk.duration_s)
            if latest_end - earliest < brk.duration_s:
                notes.append(f"staff {staff_id}: no room left for the break")
                continue
            notes.append(f"staff {staff_id}: the break ends later than its window")
        kept.append(solver.Break(brk.duration_s, earliest, latest_end))
    return tuple(kept)


def _off_duty_left(
    member: solver.Staff,
    location: int,
    start_s: int,
    end_s: int,
    breaks: tuple[solver.Break, ...],
    travel: tuple[tuple[int, ...], ...],
    notes: list[str],
) -> tuple[solver.OffDuty, ...]:
    """Time off still ahead (after the replan's start, before the day's end). Someone out when
    the next time off begins (a visit ran late) is back at the base as soon as they can be; if
    that is after it ends, the shifts run together."""
    ahead = [o for o in member.off_duty if start_s < o.start_s and o.end_s < end_s]
    if not ahead:
        return ()
    first = ahead[0]
    before = [b for b in breaks if b.latest_end_s <= first.start_s]
    free = start_s
    for brk in sorted(before, key=lambda b: b.earliest_start_s):
        free = max(free, brk.earliest_start_s) + brk.duration_s
    back = max(
        start_s + sum(b.duration_s for b in before) + travel[location][member.end_location], free
    )
    if back > first.start_s:
        if back >= first.end_s:
            notes.append(f"staff {member.id}: cannot be back for the time off; it is dropped")
            return tuple(ahead[1:])
        notes.append(f"staff {member.id}: back late for the time off between shifts")
        return (solver.OffDuty(back, first.end_s), *ahead[1:])
    return tuple(ahead)


def _apart_from_time_off(
    staff_id: str,
    breaks: tuple[solver.Break, ...],
    off_duty: tuple[solver.OffDuty, ...],
    notes: list[str],
) -> tuple[solver.Break, ...]:
    """A break pushed late (see _breaks_left) may now reach into the time off: it is dropped."""
    kept = []
    for brk in breaks:
        if any(brk.earliest_start_s < o.end_s and o.start_s < brk.latest_end_s for o in off_duty):
            notes.append(f"staff {staff_id}: no room left for the break before the time off")
            continue
        kept.append(brk)
    return tuple(kept)


def _appointments_left(
    member: solver.Staff, start_s: int, end_s: int, notes: list[str]
) -> tuple[solver.Appointment, ...]:
    """Appointments still ahead; those over (or under way) are kept from the plan replaced, and
    one the day no longer reaches (an absence) is dropped with a note."""
    kept: list[solver.Appointment] = []
    for appointment in member.appointments:
        if appointment.start_s >= start_s and appointment.end_s <= end_s:
            kept.append(appointment)
        elif appointment.start_s >= start_s:
            notes.append(f"staff {member.id}: appointment {appointment.id} is after the day ends")
    return tuple(kept)


def _dependencies_left(
    built: BuiltProblem,
    state: PlanState,
    ahead: dict[int, solver.Visit],
    left_out: list[solver.Unassigned],
    notes: list[str],
) -> list[solver.Dependency]:
    """A dependency whose first visit is done becomes a window on the second one."""
    kept: list[solver.Dependency] = []
    for dep in built.problem.dependencies:
        before, after = int(dep.before), int(dep.after)
        if before in ahead and after in ahead:
            kept.append(dep)
            continue
        if after not in ahead:
            continue  # the follow-up is done or cancelled: nothing left to enforce
        progress = state.visits.get(before)
        if progress is None or not progress.frozen or progress.start_at is None:
            notes.append(f"visit {after}: the visit it depends on ({before}) is cancelled")
            continue
        started_s = to_day_seconds(built.day, progress.start_at)
        visit = ahead[after]
        earliest = max(visit.earliest_start_s, started_s + dep.min_lag_s)
        latest = visit.latest_start_s
        if dep.max_lag_s is not None:
            latest = min(latest, started_s + dep.max_lag_s)
        if latest < earliest:
            del ahead[after]
            left_out.append(
                solver.Unassigned(
                    str(after),
                    solver.Reason.DEPENDENCY_UNPLANNED,
                    f"must start within the lag after visit {before}, which can no longer be met",
                )
            )
            continue
        ahead[after] = replace(visit, earliest_start_s=earliest, latest_start_s=latest)
    return kept
