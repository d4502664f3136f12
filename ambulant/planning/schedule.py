"""A staff member's day as published: what a nurse sees on the phone."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from ambulant.errors import NotFound
from ambulant.models import Patient, Plan, PlanRoute, PlanStatus, PlanStop, Staff, VisitRequest
from ambulant.planning.views import Schedule, ScheduleStop


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


def staff_schedule(session: Session, *, staff_id: int, day: dt.date) -> Schedule:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(f"staff {staff_id} not found")
    plan = published_plan_for(session, staff_id=staff_id, day=day)
    if plan is None or plan.id is None:
        raise NotFound(f"no published plan for staff {staff_id} on {day.isoformat()}")
    route = session.exec(
        select(PlanRoute).where(PlanRoute.plan_id == plan.id, PlanRoute.staff_id == staff_id)
    ).one()
    rows = session.exec(
        select(PlanStop, VisitRequest, Patient)
        .outerjoin(VisitRequest, col(VisitRequest.id) == col(PlanStop.visit_id))
        .outerjoin(Patient, col(Patient.id) == col(VisitRequest.patient_id))
        .where(PlanStop.plan_id == plan.id, PlanStop.staff_id == staff_id)
        .order_by(col(PlanStop.sequence))
    ).all()
    stops = [_schedule_stop(stop, visit, patient) for stop, visit, patient in rows]
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
    )


def _schedule_stop(
    stop: PlanStop, visit: VisitRequest | None, patient: Patient | None
) -> ScheduleStop:
    view = ScheduleStop(
        sequence=stop.sequence,
        kind=stop.kind,
        visit_id=stop.visit_id,
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
