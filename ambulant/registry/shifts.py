"""Shifts: when a staff member works on a day, and when their break may fall."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlmodel import Session

from ambulant.errors import InvalidInput
from ambulant.models import Shift, ShiftCreate, ShiftUpdate, Staff, Team
from ambulant.registry.lookup import get_or_404, require_ref
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from ambulant.registry.staff_time import list_staff_time, overlapping
from ambulant.registry.validation import merged


def create_shift(session: Session, *, data: ShiftCreate) -> Shift:
    require_ref(session, Staff, data.staff_id, field="staff_id", what="staff")
    _refuse_overlap(session, data, shift_id=None)
    shift = Shift.model_validate(data, update={"date": data.local_date})
    session.add(shift)
    session.flush()
    return shift


def get_shift(session: Session, *, shift_id: int) -> Shift:
    return get_or_404(session, Shift, shift_id, what="shift")


def list_shifts(
    session: Session,
    *,
    day: dt.date | None = None,
    municipality: str | None = None,
    staff_id: int | None = None,
    within: Collection[str] | None = None,
    team: Team | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Shift]:
    """`within` and `team` limit the list to the shifts of staff in a caller's scope."""
    return list_staff_time(
        session,
        Shift,
        day=day,
        municipality=municipality,
        staff_id=staff_id,
        within=within,
        team=team,
        limit=limit,
        offset=offset,
    )


def update_shift(session: Session, *, shift_id: int, data: ShiftUpdate) -> Shift:
    shift = get_shift(session, shift_id=shift_id)
    valid = merged(ShiftCreate, shift, data)
    _refuse_overlap(session, valid, shift_id=shift_id)
    shift.sqlmodel_update(valid.model_dump(), update={"date": valid.local_date})
    session.add(shift)
    session.flush()
    return shift


def delete_shift(session: Session, *, shift_id: int) -> None:
    session.delete(get_shift(session, shift_id=shift_id))
    session.flush()


def _refuse_overlap(session: Session, data: ShiftCreate, *, shift_id: int | None) -> None:
    """One person cannot work two shifts at once (a 422 naming `start_at`): a day of several
    shifts (a split shift) is planned as one day with time off between them."""
    clash = overlapping(
        session,
        Shift,
        staff_id=data.staff_id,
        start_at=data.start_at,
        end_at=data.end_at,
        other_than=shift_id,
    )
    if clash is not None:
        raise InvalidInput(
            f"start_at: staff {data.staff_id} already works {clash.start_at:%Y-%m-%d %H:%M}"
            f"-{clash.end_at:%H:%M} (shift {clash.id})",
            field="start_at",
        )
