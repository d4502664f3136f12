"""A staff member's day as published: what a nurse sees on the phone. A split shift shows as its
shifts, each with its own departure, return and break; the time off between them is not a stop
(the stored `off_duty` stop marks where one shift ends and the next begins)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from ambulant.errors import NotFound
from ambulant.models import (
    Appointment,
    Base,
    Patient,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Shift,
    Staff,
    VisitRequest,
)
from ambulant.planning.problem_builder import appointment_point
from ambulant.planning.store import OFF_DUTY
from ambulant.planning.views import Schedule, ScheduleShift, ScheduleStop


def published_plan_for(session: Session, *, staff_id: int, day: dt.date) -> Plan | None:
    """The newest published plan of `day` that has a route for the staff member."""
    query = (
        select(Plan)
        .join(PlanRoute, col(PlanRoute.plan_id) == col(Plan.id))
        .where(
            Plan.date == day,
            Plan.status == PlanStatus.PUBLISHED,
            PlanRoute.staff_id == staff_id,
        )
        .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
    )
    return session.exec(query).first()


def published_plan_covering(session: Session, *, staff: Staff, day: dt.date) -> Plan | None:
    """The newest published plan of `day` whose scope takes in the staff member (all, or the
    municipality employing them), whether or not it gave them a route."""
    query = (
        select(Plan)
        .where(
            Plan.date == day,
            Plan.status == PlanStatus.PUBLISHED,
            col(Plan.scope).in_(["all", staff.municipality_code]),
        )
        .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
    )
    return session.exec(query).first()


def staff_schedule(session: Session, *, staff_id: int, day: dt.date) -> Schedule:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(f"staff {staff_id} not found")
    plan = published_plan_for(session, staff_id=staff_id, day=day)
    if plan is None or plan.id is None:
        # The solver gives no route to someone it sends nowhere; their day is still published.
        return _idle_schedule(session, staff=staff, day=day)
    route = session.exec(
        select(PlanRoute).where(PlanRoute.plan_id == plan.id, PlanRoute.staff_id == staff_id)
    ).one()
    rows = session.exec(
        select(PlanStop, VisitRequest, Patient, Appointment)
        .outerjoin(VisitRequest, col(VisitRequest.id) == col(PlanStop.visit_id))
        .outerjoin(Patient, col(Patient.id) == col(VisitRequest.patient_id))
        .outerjoin(Appointment, col(Appointment.id) == col(PlanStop.appointment_id))
        .where(PlanStop.plan_id == plan.id, PlanStop.staff_id == staff_id)
        .order_by(col(PlanStop.sequence))
    ).all()
    bases: dict[int | None, Base] = {}
    if any(appointment is not None for *_, appointment in rows):
        bases = {b.id: b for b in session.exec(select(Base)).all()}
    stops = []
    off_duty: list[PlanStop] = []
    for stop, visit, patient, appointment in rows:
        if stop.kind == OFF_DUTY:
            off_duty.append(stop)
            continue
        view = _schedule_stop(stop, visit, patient)
        view.shift = len(off_duty) + 1
        if appointment is not None:
            _describe_appointment(view, appointment, bases)
        stops.append(view)
    return Schedule(
        staff_id=staff_id,
        staff_name=staff.name,
        date=day,
        plan_id=plan.id,
        plan_version=plan.version,
        published_at=plan.published_at,
        departure_at=route.departure_at,
        return_at=route.return_at,
        travel_s=route.travel_s,
        distance_m=route.distance_m,
        travel_estimated=plan.travel_estimated,
        stops=stops,
        # The roster is read only for a split day: a day of one shift costs no extra statement.
        shifts=_planned_shifts(
            route, off_duty, stops, _day_shifts(session, staff_id, day) if off_duty else []
        ),
    )


def _day_shifts(session: Session, staff_id: int, day: dt.date) -> list[Shift]:
    return list(
        session.exec(
            select(Shift)
            .where(Shift.staff_id == staff_id, Shift.date == day)
            .order_by(col(Shift.start_at))
        )
    )


def _planned_shifts(
    route: PlanRoute, off_duty: list[PlanStop], stops: list[ScheduleStop], rostered: list[Shift]
) -> list[ScheduleShift]:
    """Each shift between the day's departure, the times off and the return: it starts when the
    nurse leaves for its first visit or appointment (not before the time off ends) and ends when
    she is back for the next time off (or home)."""
    count = len(off_duty) + 1
    shifts = []
    for number in range(1, count + 1):
        own = [s for s in stops if s.shift == number]
        if number == 1:
            departure = route.departure_at
        else:
            off_end = off_duty[number - 2].end_at
            first = next((s for s in own if s.kind != "break"), None)
            departure = off_end
            if first is not None:
                departure = max(off_end, first.arrival_at - dt.timedelta(seconds=first.travel_s))
        back = route.return_at if number == count else off_duty[number - 1].arrival_at
        brk = next((s for s in own if s.kind == "break"), None)
        roster = rostered[number - 1] if len(rostered) == count else None
        if roster is not None and all(s.kind == "break" for s in own):
            # Nothing to drive to in this shift: it is the shift itself, as on an idle day.
            departure, back = roster.start_at, roster.end_at
        shifts.append(
            ScheduleShift(
                number=number,
                start_at=roster.start_at if roster else None,
                end_at=roster.end_at if roster else None,
                departure_at=departure,
                return_at=back,
                break_start_at=brk.start_at if brk else None,
                break_end_at=brk.end_at if brk else None,
            )
        )
    return shifts


def _idle_schedule(session: Session, *, staff: Staff, day: dt.date) -> Schedule:
    """The day of a staff member on shift whom the published plan sends to no visit: the shifts
    and their breaks, no stops to drive to. A missing shift or plan is a 404 naming which."""
    assert staff.id is not None
    shifts = _day_shifts(session, staff.id, day)
    if not shifts:
        raise NotFound(f"staff {staff.id} has no shift on {day.isoformat()}", field="date")
    plan = published_plan_covering(session, staff=staff, day=day)
    if plan is None or plan.id is None:
        raise NotFound(f"no published plan for staff {staff.id} on {day.isoformat()}", field="date")
    stops: list[ScheduleStop] = []
    views = []
    for number, shift in enumerate(shifts, start=1):
        view = ScheduleShift(
            number=number,
            start_at=shift.start_at,
            end_at=shift.end_at,
            departure_at=shift.start_at,
            return_at=shift.end_at,
        )
        if shift.break_minutes > 0:
            # Where the solver puts a break on a route with nothing before it: as early as
            # allowed.
            start = shift.break_earliest or shift.start_at
            view.break_start_at = start
            view.break_end_at = start + dt.timedelta(minutes=shift.break_minutes)
            stops.append(
                ScheduleStop(
                    sequence=len(stops) + 1,
                    kind="break",
                    visit_id=None,
                    arrival_at=start,
                    start_at=start,
                    end_at=view.break_end_at,
                    travel_s=0,
                    distance_m=0,
                    shift=number,
                )
            )
        views.append(view)
    return Schedule(
        staff_id=staff.id,
        staff_name=staff.name,
        date=day,
        plan_id=plan.id,
        plan_version=plan.version,
        published_at=plan.published_at,
        departure_at=shifts[0].start_at,
        return_at=shifts[-1].end_at,
        travel_s=0,
        distance_m=0,
        travel_estimated=plan.travel_estimated,
        stops=stops,
        shifts=views,
    )


def _schedule_stop(
    stop: PlanStop, visit: VisitRequest | None, patient: Patient | None
) -> ScheduleStop:
    view = ScheduleStop(
        sequence=stop.sequence,
        kind=stop.kind,
        visit_id=stop.visit_id,
        appointment_id=stop.appointment_id,
        arrival_at=stop.arrival_at,
        start_at=stop.start_at,
        end_at=stop.end_at,
        travel_s=stop.travel_s,
        distance_m=stop.distance_m,
    )
    if visit is not None and patient is not None:
        view.patient_id = patient.id
        view.patient_name = patient.name
        view.address = patient.address
        view.lat, view.lon = patient.lat, patient.lon
        view.notes = patient.notes
        view.description = visit.description
        view.joint = visit.staff_count > 1
        # A geo: URI (RFC 5870) opens the phone's own map app; no third party sees the address.
        view.navigation_url = f"geo:{patient.lat:.6f},{patient.lon:.6f}"
    return view


def _describe_appointment(
    view: ScheduleStop, appointment: Appointment, bases: dict[int | None, Base]
) -> None:
    """What the nurse needs to get there: the title and the place (the base's name if held at
    one). An appointment deleted after planning keeps its time and loses the rest."""
    view.title = appointment.title
    base = bases.get(appointment.base_id) if appointment.base_id is not None else None
    view.address = appointment.address or (base.name if base is not None else None)
    point = appointment_point(appointment, bases)
    if point is not None:
        view.lat, view.lon = point.lat, point.lon
        view.navigation_url = f"geo:{point.lat:.6f},{point.lon:.6f}"


def patient_ids_in_schedule(session: Session, *, staff_id: int, days: list[dt.date]) -> set[int]:
    """Patients a staff member visits on any of `days` in the published plans: what a nurse may
    read."""
    ids: set[int] = set()
    for day in days:
        plan = published_plan_for(session, staff_id=staff_id, day=day)
        if plan is None:
            continue
        rows = session.exec(
            select(VisitRequest.patient_id)
            .join(PlanStop, col(PlanStop.visit_id) == col(VisitRequest.id))
            .where(PlanStop.plan_id == plan.id, PlanStop.staff_id == staff_id)
        )
        ids.update(rows.all())
    return ids
