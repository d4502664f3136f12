"""Staff members: who works, where, with which skills, starting from where."""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlalchemy import String, cast, false, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ambulant.models import (
    Appointment,
    Base,
    Municipality,
    Organisation,
    Patient,
    PlanRoute,
    PlanStop,
    Shift,
    Staff,
    StaffCreate,
    StaffUpdate,
    Team,
    UnassignedVisit,
    VisitRequest,
)
from ambulant.registry.lookup import get_or_404, refuse_if_referenced, require_all, require_ref
from ambulant.registry.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.registry.validation import merged


def create_staff(session: Session, *, data: StaffCreate) -> Staff:
    _check_references(session, data)
    staff = Staff.model_validate(data)
    session.add(staff)
    session.flush()
    return staff


def get_staff(session: Session, *, staff_id: int) -> Staff:
    return get_or_404(session, Staff, staff_id, what="staff")


def list_staff(
    session: Session,
    *,
    municipality: str | None = None,
    within: Collection[str] | None = None,
    team: Team | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Staff]:
    """`within` and `team` limit the list to a caller's scope (None: no limit)."""
    query = select(Staff)
    if municipality is not None:
        query = query.where(works_in(municipality))
    query = in_scope(query, within=within, team=team)
    return paginate(session, query, order_by=[col(Staff.id)], limit=limit, offset=offset)


def update_staff(session: Session, *, staff_id: int, data: StaffUpdate) -> Staff:
    staff = get_staff(session, staff_id=staff_id)
    valid = merged(StaffCreate, staff, data)
    _check_references(session, valid)
    staff.sqlmodel_update(valid.model_dump())
    session.add(staff)
    session.flush()
    return staff


def delete_staff(session: Session, *, staff_id: int) -> None:
    """Refused while shifts, plans or pinned visits point at the staff member; patients'
    preferred and refused lists simply forget them."""
    staff = get_staff(session, staff_id=staff_id)
    refuse_if_referenced(
        session,
        f"staff {staff_id}",
        [
            ("shifts", select(Shift.id).where(Shift.staff_id == staff_id)),
            ("appointments", select(Appointment.id).where(Appointment.staff_id == staff_id)),
            ("plan routes", select(PlanRoute.id).where(PlanRoute.staff_id == staff_id)),
            ("plan stops", select(PlanStop.id).where(PlanStop.staff_id == staff_id)),
            (
                "unassigned visits in plans",
                select(UnassignedVisit.id).where(UnassignedVisit.closest_staff_id == staff_id),
            ),
            (
                "pinned visits",
                select(VisitRequest.id).where(VisitRequest.pinned_staff_id == staff_id),
            ),
        ],
    )
    _forget_in_patient_lists(session, staff_id)
    session.delete(staff)
    session.flush()


def works_in(municipality: str) -> ColumnElement[bool]:
    """Employed by `municipality` or explicitly serving it.

    `serves` is a JSON list of code strings; matching its text against the quoted code works the
    same on SQLite and PostgreSQL and cannot hit a longer code, because the quotes delimit it.
    """
    needle = json.dumps(municipality)
    return or_(
        col(Staff.municipality_code) == municipality,
        cast(col(Staff.serves), String).contains(needle, autoescape=True),
    )


def in_scope[T](
    query: SelectOfScalar[T], *, within: Collection[str] | None, team: Team | None
) -> SelectOfScalar[T]:
    """Staff working in any of `within` (employed or serving), of `team`; the query must
    select from (or join) Staff."""
    if within is not None:
        query = query.where(or_(false(), *(works_in(code) for code in sorted(within))))
    if team is not None:
        query = query.where(Staff.team == team)
    return query


def _check_references(session: Session, data: StaffCreate) -> None:
    require_ref(
        session,
        Municipality,
        data.municipality_code,
        field="municipality_code",
        what="municipality",
    )
    require_all(session, Municipality, data.serves, field="serves", what="municipality codes")
    if data.base_id is not None:
        require_ref(session, Base, data.base_id, field="base_id", what="base")
    if data.organisation_id is not None:
        require_ref(
            session,
            Organisation,
            data.organisation_id,
            field="organisation_id",
            what="organisation",
        )


def _forget_in_patient_lists(session: Session, staff_id: int) -> None:
    # The lists are JSON, so a text match narrows the candidates and Python decides exactly.
    text = str(staff_id)
    candidates = session.exec(
        select(Patient).where(
            or_(
                cast(col(Patient.preferred_staff), String).contains(text),
                cast(col(Patient.refused_staff), String).contains(text),
            )
        )
    )
    for patient in candidates:
        if staff_id in patient.preferred_staff or staff_id in patient.refused_staff:
            patient.preferred_staff = [s for s in patient.preferred_staff if s != staff_id]
            patient.refused_staff = [s for s in patient.refused_staff if s != staff_id]
            session.add(patient)
