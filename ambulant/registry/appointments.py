"""Fixed appointments: a staff member's team meeting or clinic hours, at a base or a point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlmodel import Session

from ambulant.errors import Conflict
from ambulant.models import (
    Appointment,
    AppointmentCreate,
    AppointmentUpdate,
    Base,
    Staff,
    Team,
)
from ambulant.registry.lookup import get_or_404, require_ref
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from ambulant.registry.staff_time import list_staff_time, overlapping
from ambulant.registry.validation import merged


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
    return list_staff_time(
        session,
        Appointment,
        day=day,
        municipality=municipality,
        staff_id=staff_id,
        within=within,
        team=team,
        limit=limit,
        offset=offset,
    )


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
    clash = overlapping(
        session,
        Appointment,
        staff_id=data.staff_id,
        start_at=data.start_at,
        end_at=data.end_at,
        other_than=appointment_id,
    )
    if clash is not None:
        raise Conflict(
            f"start_at: staff {data.staff_id} already has appointment {clash.id} at "
            f"{clash.start_at:%Y-%m-%d %H:%M}-{clash.end_at:%H:%M}",
            field="start_at",
        )
