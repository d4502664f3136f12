"""A solved plan in the database and back: the solver's routes written as stored stops, routes
and unassigned visits, and stored stops read back as solver stops (for a warm start or to say
where a visit was placed). Time off between the shifts of a split shift is a stop of kind
`off_duty` (back at the base at `arrival_at`, off from `start_at` to `end_at`).

Every writer of plan rows goes through here, so a day plan and a replan store a route the same
way; a retried job starts from a clean slate rather than adding a second copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import Session, col, select

import solver
from ambulant.models import Plan, PlanRoute, PlanStop, UnassignedVisit
from ambulant.planning.problem_builder import BuiltProblem
from ambulant.timeutil import from_day_seconds, to_day_seconds
from ambulant.travel import TravelMatrix

Visited = solver.Stop | solver.AppointmentKept | solver.OffDutyTaken
OFF_DUTY = "off_duty"


def clear_plan_rows(session: Session, plan_id: int) -> None:
    """Deletes the plan's stops, routes and unassigned visits (a retried job writes them anew)."""
    session.exec(delete(PlanStop).where(col(PlanStop.plan_id) == plan_id))
    session.exec(delete(PlanRoute).where(col(PlanRoute.plan_id) == plan_id))
    session.exec(delete(UnassignedVisit).where(col(UnassignedVisit.plan_id) == plan_id))


def store_solution(
    session: Session, plan: Plan, built: BuiltProblem, result: solver.Result
) -> None:
    """Writes a whole day's solution into `plan` (flushed, not committed)."""
    assert plan.id is not None
    clear_plan_rows(session, plan.id)
    day = built.day
    for route in result.routes:
        staff_id = int(route.staff_id)
        walk, back_m = route_walk(built.problem, built.matrix, route)
        overtime = max(0, route.return_s - built.problem.staff_member(route.staff_id).shift_end_s)
        session.add(
            PlanRoute(
                plan_id=plan.id,
                staff_id=staff_id,
                departure_at=from_day_seconds(day, route.departure_s),
                return_at=from_day_seconds(day, route.return_s),
                travel_s=route.travel_s,
                return_travel_s=route.return_travel_s,
                distance_m=sum(m for _, m in walk) + back_m,
                overtime_s=overtime,
            )
        )
        stops = route_stops(plan.id, day, route, walk)
        stops.sort(key=lambda s: (s.start_at, s.kind != "break"))
        for sequence, stop in enumerate(stops, start=1):
            stop.sequence = sequence
            session.add(stop)
    add_unassigned(session, plan.id, result.unassigned)
    session.flush()


def route_stops(
    plan_id: int, day: dt.date, route: solver.Route, walk: list[tuple[Visited, int]]
) -> list[PlanStop]:
    """The stored stops of one solved route (visits, kept appointments, breaks), unsequenced."""
    staff_id = int(route.staff_id)
    stops = [visited_stop(plan_id, staff_id, day, item, distance_m) for item, distance_m in walk]
    for brk in route.breaks:
        start = from_day_seconds(day, brk.start_s)
        stops.append(
            PlanStop(
                plan_id=plan_id,
                staff_id=staff_id,
                kind="break",
                sequence=0,
                arrival_at=start,
                start_at=start,
                end_at=from_day_seconds(day, brk.end_s),
            )
        )
    return stops


def add_unassigned(session: Session, plan_id: int, unassigned: Iterable[solver.Unassigned]) -> None:
    for u in unassigned:
        session.add(
            UnassignedVisit(
                plan_id=plan_id,
                visit_id=int(u.visit_id),
                reason=str(u.reason),
                detail=u.detail,
                closest_staff_id=int(u.closest_staff) if u.closest_staff else None,
            )
        )


def route_walk(
    problem: solver.Problem, matrix: TravelMatrix, route: solver.Route
) -> tuple[list[tuple[Visited, int]], int]:
    """The route's visits, fixed appointments and time off in the order driven, each with the
    road metres from the place before; and the metres back to the end location."""
    staff = problem.staff_member(route.staff_id)
    held_at = {a.id: a.location for a in staff.appointments}
    places: list[tuple[int, int, int, Visited]] = [
        (s.start_s, s.arrival_s, problem.visit(s.visit_id).location, s) for s in route.stops
    ]
    places += [(a.start_s, a.arrival_s, held_at[a.appointment_id], a) for a in route.appointments]
    places += [(o.start_s, o.arrival_s, staff.end_location, o) for o in route.off_duty]
    places.sort(key=lambda place: (place[0], place[1]))
    distances = matrix.distances_m
    walk: list[tuple[Visited, int]] = []
    here = staff.start_location
    for _, _, there, item in places:
        walk.append((item, distances[here][there]))
        here = there
    return walk, distances[here][staff.end_location]


def visited_stop(
    plan_id: int, staff_id: int, day: dt.date, item: Visited, distance_m: int
) -> PlanStop:
    """The stored stop of a visit part, a kept appointment or time off (`sequence` set by the
    caller)."""
    stop = PlanStop(
        plan_id=plan_id,
        staff_id=staff_id,
        kind="appointment",
        sequence=0,
        arrival_at=from_day_seconds(day, item.arrival_s),
        start_at=from_day_seconds(day, item.start_s),
        end_at=from_day_seconds(day, item.end_s),
        travel_s=item.travel_s,
        distance_m=distance_m,
    )
    if isinstance(item, solver.Stop):
        stop.kind, stop.visit_id, stop.part = "visit", int(item.visit_id), item.part
    elif isinstance(item, solver.OffDutyTaken):
        stop.kind = OFF_DUTY
    else:
        stop.appointment_id = int(item.appointment_id)
    return stop


def solver_stop(stop: PlanStop, day: dt.date) -> solver.Stop:
    """A stored visit stop read back as the solver's stop (times in seconds of `day`)."""
    assert stop.visit_id is not None
    return solver.Stop(
        visit_id=str(stop.visit_id),
        part=stop.part,
        arrival_s=to_day_seconds(day, stop.arrival_at),
        start_s=to_day_seconds(day, stop.start_at),
        end_s=to_day_seconds(day, stop.end_at),
        travel_s=stop.travel_s,
    )


def visit_parts(stops: Iterable[PlanStop]) -> dict[int, list[PlanStop]]:
    """Per visit its stored stops in part order (a joint visit has one per staff member)."""
    parts: dict[int, list[PlanStop]] = {}
    for stop in stops:
        if stop.visit_id is not None:
            parts.setdefault(stop.visit_id, []).append(stop)
    for visit_stops in parts.values():
        visit_stops.sort(key=lambda s: s.part)
    return parts


def stored_result(session: Session, plan: Plan) -> solver.Result:
    """The plan's stored routes as the solver's result, for the validator: every stop, break and
    kept appointment with its stored times, the unassigned visits and the appointments the solve
    could not keep. A stored reason the solver does not give (a replan's 'cancelled') is read as
    no room: the validator reads which visits are unassigned, not why."""
    assert plan.id is not None
    unkept = [
        solver.UnkeptAppointment(
            str(u["staff_id"]), str(u["appointment_id"]), u["reason"], u["detail"]
        )
        for u in plan.solver_stats.get("unkept_appointments", [])
    ]
    day = plan.date
    stops = list(
        session.exec(
            select(PlanStop).where(PlanStop.plan_id == plan.id).order_by(col(PlanStop.sequence))
        )
    )
    by_staff: dict[int, list[PlanStop]] = {}
    for stop in stops:
        by_staff.setdefault(stop.staff_id, []).append(stop)
    routes = []
    for row in session.exec(
        select(PlanRoute).where(PlanRoute.plan_id == plan.id).order_by(col(PlanRoute.staff_id))
    ):
        own = by_staff.get(row.staff_id, [])
        routes.append(
            solver.Route(
                staff_id=str(row.staff_id),
                departure_s=to_day_seconds(day, row.departure_at),
                return_s=to_day_seconds(day, row.return_at),
                stops=tuple(solver_stop(s, day) for s in own if s.kind == "visit"),
                breaks=tuple(
                    solver.BreakTaken(
                        to_day_seconds(day, s.start_at), to_day_seconds(day, s.end_at)
                    )
                    for s in own
                    if s.kind == "break"
                ),
                return_travel_s=row.return_travel_s,
                appointments=tuple(
                    solver.AppointmentKept(
                        appointment_id=str(s.appointment_id),
                        arrival_s=to_day_seconds(day, s.arrival_at),
                        start_s=to_day_seconds(day, s.start_at),
                        end_s=to_day_seconds(day, s.end_at),
                        travel_s=s.travel_s,
                    )
                    for s in own
                    if s.kind == "appointment"
                ),
                off_duty=tuple(
                    solver.OffDutyTaken(
                        arrival_s=to_day_seconds(day, s.arrival_at),
                        start_s=to_day_seconds(day, s.start_at),
                        end_s=to_day_seconds(day, s.end_at),
                        travel_s=s.travel_s,
                    )
                    for s in own
                    if s.kind == OFF_DUTY
                ),
            )
        )
    reasons = {r.value for r in solver.Reason}
    unassigned = tuple(
        solver.Unassigned(
            visit_id=str(u.visit_id),
            reason=solver.Reason(u.reason) if u.reason in reasons else solver.Reason.NO_ROOM,
            detail=u.detail,
            closest_staff=str(u.closest_staff_id) if u.closest_staff_id else None,
        )
        for u in session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == plan.id))
    )
    return solver.Result(
        routes=tuple(routes), unassigned=unassigned, unkept_appointments=tuple(unkept)
    )
