"""What shifts and fixed appointments have in common: each is a stretch of one staff member's
time on a day. Listing them for a caller's scope and refusing two at once work the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlmodel import Session, col, select

from ambulant.models import Appointment, Shift, Staff, Team
from ambulant.registry.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.registry.staff import in_scope, works_in


def list_staff_time[Timed: (Shift, Appointment)](
    session: Session,
    model: type[Timed],
    *,
    day: dt.date | None = None,
    municipality: str | None = None,
    staff_id: int | None = None,
    within: Collection[str] | None = None,
    team: Team | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Timed]:
    """`within` and `team` limit the list to the rows of staff in a caller's scope; in time
    order."""
    query = select(model)
    if day is not None:
        query = query.where(model.date == day)
    if staff_id is not None:
        query = query.where(model.staff_id == staff_id)
    if municipality is not None or within is not None or team is not None:
        query = query.join(Staff, col(Staff.id) == col(model.staff_id))
    if municipality is not None:
        query = query.where(works_in(municipality))
    query = in_scope(query, within=within, team=team)
    order = [col(model.start_at), col(model.id)]
    return paginate(session, query, order_by=order, limit=limit, offset=offset)


def overlapping[Timed: (Shift, Appointment)](
    session: Session,
    model: type[Timed],
    *,
    staff_id: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    other_than: int | None,
) -> Timed | None:
    """A row of the staff member's that overlaps [start_at, end_at), other than `other_than`."""
    query = select(model).where(
        model.staff_id == staff_id,
        col(model.start_at) < end_at,
        col(model.end_at) > start_at,
    )
    if other_than is not None:
        query = query.where(col(model.id) != other_than)
    return session.exec(query).first()
