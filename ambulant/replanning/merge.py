"""Writing a replan as a plan: the kept stops of the day so far, then the solver's rest of the day.

Kept (frozen) stops are copied from the plan being replaced with the times the reports give;
every visit of the day ends up either in a stop or in the unassigned list with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

import solver
from ambulant.execution.state import PlanState
from ambulant.models import Plan, PlanRoute, PlanStop, Shift, UnassignedVisit
from ambulant.planning.problem_builder import BuiltProblem
from ambulant.planning.store import (
    OFF_DUTY,
    add_unassigned,
    clear_plan_rows,
    route_stops,
    route_walk,
)
from ambulant.replanning.problem import ReplanProblem
from ambulant.timeutil import from_day_seconds

CANCELLED = "cancelled"


@dataclass
class _Day:
    """One staff member's stops in the new plan, and where they end up."""

    stops: list[PlanStop]
    departure_at: dt.datetime | None = None
    return_at: dt.datetime | None = None
    return_travel_s: int = 0
    return_distance_m: int = 0


def merge_rest_of_day(
    session: Session,
    *,
    plan: Plan,
    base_stops: list[PlanStop],
    base_routes: list[PlanRoute],
    built: BuiltProblem,
    rp: ReplanProblem,
    state: PlanState,
    result: solver.Result,
) -> None:
    assert plan.id is not None
    clear_plan_rows(session, plan.id)
    day = built.day
    days: dict[int, _Day] = {}
    resumes = {
        int(member.id): from_day_seconds(day, member.shift_start_s) for member in rp.problem.staff
    }
    for stop in _kept_stops(base_stops, state, plan.id, resumes):
        days.setdefault(stop.staff_id, _Day(stops=[])).stops.append(stop)
    working = {r.staff_id for r in base_routes}
    for route in [*result.routes, *_idle_routes(rp, result, working)]:
        _add_solved_route(
            days.setdefault(int(route.staff_id), _Day(stops=[])), route, built, rp, plan.id
        )

    shifts = _shift_ends(session, day)
    base_route_of = {r.staff_id: r for r in base_routes}
    for staff_id, staff_day in sorted(days.items()):
        if not staff_day.stops and staff_id not in base_route_of and staff_day.departure_at is None:
            continue
        staff_day.stops.sort(key=lambda s: (s.start_at, s.kind != "break", s.part))
        if staff_day.return_at is None:
            _drive_home(staff_day, staff_id, built)
        for sequence, stop in enumerate(staff_day.stops, start=1):
            stop.sequence = sequence
            session.add(stop)
        session.add(_route_row(plan.id, staff_id, staff_day, base_route_of.get(staff_id), shifts))

    add_unassigned(session, plan.id, [*result.unassigned, *rp.left_out])
    for visit_id in sorted(rp.cancelled_visit_ids):
        progress = state.visits[visit_id]
        when = progress.reported_at.strftime("%H:%M") if progress.reported_at else "earlier"
        session.add(
            UnassignedVisit(
                plan_id=plan.id, visit_id=visit_id, reason=CANCELLED, detail=f"cancelled at {when}"
            )
        )
    session.flush()


def _kept_stops(
    base_stops: list[PlanStop],
    state: PlanState,
    plan_id: int,
    resumes: dict[int, dt.datetime],
) -> list[PlanStop]:
    """The stops the replan keeps from the plan it replaces. `resumes` is when each staff member
    in the replan's problem starts the rest of their day: time off before that is kept (it is
    not in the problem), later time off comes back from the solver."""
    kept: list[PlanStop] = []
    for stop in base_stops:
        if stop.kind == OFF_DUTY:
            resume = resumes.get(stop.staff_id, state.at)
            if stop.start_at < resume:
                kept.append(_copy(stop, plan_id))
            continue
        if stop.kind == "appointment":
            # Begun or over by now: the replan starts after it (ambulant.replanning.problem).
            if stop.start_at < state.at:
                kept.append(_copy(stop, plan_id))
            continue
        if stop.kind == "break":
            progress = state.staff.get(stop.staff_id)
            if progress is not None and progress.break_taken and stop.start_at < state.at:
                kept.append(_copy(stop, plan_id))
            continue
        visit = state.visits.get(stop.visit_id) if stop.visit_id is not None else None
        if visit is None or not visit.frozen or stop.staff_id not in visit.staff_ids:
            continue
        copy = _copy(stop, plan_id)
        if visit.source == "reported" and visit.start_at is not None and visit.end_at is not None:
            copy.start_at, copy.end_at = visit.start_at, visit.end_at
            copy.arrival_at = min(stop.arrival_at, visit.start_at)
        kept.append(copy)
    return kept


def _copy(stop: PlanStop, plan_id: int) -> PlanStop:
    return PlanStop(
        plan_id=plan_id,
        staff_id=stop.staff_id,
        visit_id=stop.visit_id,
        appointment_id=stop.appointment_id,
        kind=stop.kind,
        sequence=0,
        part=stop.part,
        arrival_at=stop.arrival_at,
        start_at=stop.start_at,
        end_at=stop.end_at,
        travel_s=stop.travel_s,
        distance_m=stop.distance_m,
    )


def _idle_routes(rp: ReplanProblem, result: solver.Result, working: set[int]) -> list[solver.Route]:
    """Staff already out today whom the solver gives no new work still take their break (at its
    earliest) and go back: the solver leaves out routes without visits."""
    routed = {r.staff_id for r in result.routes}
    idle = []
    for member in rp.problem.staff:
        if member.id in routed or int(member.id) not in working:
            continue
        breaks = tuple(
            solver.BreakTaken(b.earliest_start_s, b.earliest_start_s + b.duration_s)
            for b in member.breaks
        )
        back_s = rp.problem.travel_s[member.start_location][member.end_location]
        free_s = max([member.shift_start_s, *(b.end_s for b in breaks)])
        idle.append(
            solver.Route(
                staff_id=member.id,
                departure_s=member.shift_start_s,
                return_s=free_s + back_s,
                breaks=breaks,
                return_travel_s=back_s,
            )
        )
    return idle


def _add_solved_route(
    staff_day: _Day, route: solver.Route, built: BuiltProblem, rp: ReplanProblem, plan_id: int
) -> None:
    day = built.day
    walk, back_m = route_walk(rp.problem, built.matrix, route)
    staff_day.stops.extend(route_stops(plan_id, day, route, walk))
    staff_day.departure_at = from_day_seconds(day, route.departure_s)
    staff_day.return_at = from_day_seconds(day, route.return_s)
    staff_day.return_travel_s = route.return_travel_s
    staff_day.return_distance_m = back_m


def _drive_home(staff_day: _Day, staff_id: int, built: BuiltProblem) -> None:
    """A day that ends with its kept stops (no time left, or gone from the moment): home from
    the last kept visit."""
    visits = [s for s in staff_day.stops if s.visit_id is not None]
    try:
        home = built.problem.staff_member(str(staff_id)).end_location
        here = built.problem.visit(str(visits[-1].visit_id)).location
    except (KeyError, IndexError):
        return
    back_s = built.matrix.durations_s[here][home]
    last_end = max(s.end_at for s in staff_day.stops)
    staff_day.return_at = last_end + dt.timedelta(seconds=back_s)
    staff_day.return_travel_s = back_s
    staff_day.return_distance_m = built.matrix.distances_m[here][home]


def _route_row(
    plan_id: int,
    staff_id: int,
    staff_day: _Day,
    base: PlanRoute | None,
    shift_ends: dict[int, dt.datetime],
) -> PlanRoute:
    stops = staff_day.stops
    first = stops[0].start_at if stops else None
    departure = base.departure_at if base is not None else (staff_day.departure_at or first)
    if staff_day.return_at is not None:
        back, back_s, back_m = (
            staff_day.return_at,
            staff_day.return_travel_s,
            staff_day.return_distance_m,
        )
    elif base is not None:
        # Nothing new for them: the day ends as it would have after their kept stops.
        last_end = max((s.end_at for s in stops), default=base.departure_at)
        back_s = base.return_travel_s
        back, back_m = max(base.return_at, last_end + dt.timedelta(seconds=back_s)), 0
    else:
        back, back_s, back_m = max(s.end_at for s in stops), 0, 0
    assert departure is not None
    shift_end = shift_ends.get(staff_id)
    overtime = 0 if shift_end is None else max(0, to_seconds(back - shift_end))
    return PlanRoute(
        plan_id=plan_id,
        staff_id=staff_id,
        departure_at=min(departure, first) if first is not None else departure,
        return_at=back,
        travel_s=sum(s.travel_s for s in stops) + back_s,
        return_travel_s=back_s,
        distance_m=sum(s.distance_m for s in stops) + back_m,
        overtime_s=overtime,
    )


def to_seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


def _shift_ends(session: Session, day: dt.date) -> dict[int, dt.datetime]:
    """When each staff member's working day ends: their last shift's end (overtime counts from
    there on a split-shift day)."""
    ends: dict[int, dt.datetime] = {}
    for shift in session.exec(select(Shift).where(Shift.date == day).order_by(col(Shift.start_at))):
        ends[shift.staff_id] = shift.end_at
    return ends
