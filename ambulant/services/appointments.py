"""Fixed appointments: a staff member's team meeting or clinic hours, at a base or a point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlmodel import Session, col, select

from ambulant.errors import Conflict
from ambulant.models import (
    Appointment,
    AppointmentCreate,
    AppointmentUpdate,
    Base,
    Staff,
    Team,
)
from ambulant.services.lookup import get_or_404, require_ref
from ambulant.services.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.services.staff import in_scope, works_in
from ambulant.services.validation import merged


def create_appointment(session: Session, *, data: AppointmentCreate) -> Appointment:
    _check(session, data, appointment_id=None)
    appointment = Appointment.model_validate(data, update={"date": data.local_date})
    session.add(appointment)
    session.flush()
    return appointment


def get_appointment(session: Session, *, appointment_id: int) -> Appointment:
    return get_or_404(session, Appointment, appointment_id, what="appointment")


def list_appointments(
    session: Session,
    *,
    day: dt.date | None = None,
    municipality: str | None = None,
    staff_id: int | None = None,
    within: Collection[str] | None = None,
    team: Team | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Appointment]:
    """`within` and `team` limit the list to the appointments of staff in a caller's scope."""
    query = select(Appointment)
    if day is not None:
        query = query.where(Appointment.date == day)
    if staff_id is not None:
        query = query.where(Appointment.staff_id == staff_id)
    if municipality is not None or within is not None or team is not None:
        query = query.join(Staff, col(Staff.id) == col(Appointment.staff_id))
    if municipality is not None:
        query = query.where(works_in(municipality))
    query = in_scope(query, within=within, team=team)
    order = [col(Appointment.start_at), col(Appointment.id)]
    return paginate(session, query, order_by=order, limit=limit, offset=offset)


def update_appointment(
    session: Session, *, appointment_id: int, data: AppointmentUpdate
) -> Appointment:
    appointment = get_appointment(session, appointment_id=appointment_id)
    patch = data.model_dump(exclude_unset=True)
    # Moving it to a base forgets the old point, and the other way round, unless both are sent.
    if patch.get("base_id") is not None and not {"lat", "lon"} & patch.keys():
        data = data.model_copy(update={"lat": None, "lon": None})
    elif patch.get("lat") is not None and "base_id" not in patch:
        data = data.model_copy(update={"base_id": None})
    valid = merged(AppointmentCreate, appointment, data)
    _check(session, valid, appointment_id=appointment_id)
    appointment.sqlmodel_update(valid.model_dump(), update={"date": valid.local_date})
    session.add(appointment)
    session.flush()
    return appointment


def delete_appointment(session: Session, *, appointment_id: int) -> None:
    """Plans that hold it keep the time it took (their stops name it by id only)."""
    session.delete(get_appointment(session, appointment_id=appointment_id))
    session.flush()


def _check(session: Session, data: AppointmentCreate, *, appointment_id: int | None) -> None:
    require_ref(session, Staff, data.staff_id, field="staff_id", what="staff")
    if data.base_id is not None:
        require_ref(session, Base, data.base_id, field="base_id", what="base")
    _refuse_overlap(session, data, appointment_id=appointment_id)


def _refuse_overlap(
    session: Session, data: AppointmentCreate, *, appointment_id: int | None
) -> None:
    """One person cannot be at two appointments at once."""
    query = select(Appointment).where(
        Appointment.staff_id == data.staff_id,
        col(Appointment.start_at) < data.end_at,
        col(Appointment.end_at) > data.start_at,
    )
    if appointment_id is not None:
        query = query.where(col(Appointment.id) != appointment_id)
    clash = session.exec(query).first()
    if clash is not None:
        raise Conflict(
            f"start_at: staff {data.staff_id} already has appointment {clash.id} at "
            f"{clash.start_at:%Y-%m-%d %H:%M}-{clash.end_at:%H:%M}",
            field="start_at",
        )
