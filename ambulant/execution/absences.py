"""Staff who drop out during the day (sick, car trouble): their shift ends at `from_at`."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput, NotFound
from ambulant.models import Shift, Staff, StaffAbsence
from ambulant.timeutil import as_aware


def record_absence(
    session: Session, *, staff_id: int, day: dt.date, from_at: dt.datetime, reason: str, by: str
) -> StaffAbsence:
    """Stores that `staff_id` is unavailable from `from_at` for the rest of `day`."""
    if session.get(Staff, staff_id) is None:
        raise NotFound(f"staff {staff_id} not found")
    if (
        session.exec(select(Shift).where(Shift.staff_id == staff_id, Shift.date == day)).first()
        is None
    ):
        raise InvalidInput(f"staff {staff_id} has no shift on {day.isoformat()}", field="staff_id")
    absence = StaffAbsence(
        staff_id=staff_id, date=day, from_at=as_aware(from_at), reason=reason[:200], created_by=by
    )
    session.add(absence)
    session.flush()
    return absence


def absences_on(session: Session, *, day: dt.date) -> dict[int, dt.datetime]:
    """Per staff member, the earliest moment they are unavailable from on `day`."""
    earliest: dict[int, dt.datetime] = {}
    rows = session.exec(
        select(StaffAbsence).where(StaffAbsence.date == day).order_by(col(StaffAbsence.from_at))
    )
    for absence in rows:
        earliest.setdefault(absence.staff_id, absence.from_at)
    return earliest
