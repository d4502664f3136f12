"""Visit requests: a patient to be visited on a day, inside a time window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlmodel import Session, col, select

from ambulant.errors import Conflict, InvalidInput
from ambulant.models import (
    CarePlan,
    DependencyStaff,
    Patient,
    Plan,
    PlanStatus,
    PlanStop,
    Staff,
    UnassignedVisit,
    VisitRequest,
    VisitRequestCreate,
    VisitRequestUpdate,
)
from ambulant.registry.lookup import get_or_404, refuse_if_referenced, require_ref
from ambulant.registry.organisations import check_organisation_refs
from ambulant.registry.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.registry.validation import merged


def create_visit(session: Session, *, data: VisitRequestCreate) -> VisitRequest:
    _check_references(session, data, visit_id=None)
    visit = VisitRequest.model_validate(data, update={"date": data.local_date})
    session.add(visit)
    session.flush()
    return visit


def get_visit(session: Session, *, visit_id: int) -> VisitRequest:
    return get_or_404(session, VisitRequest, visit_id, what="visit")


def list_visits(
    session: Session,
    *,
    day: dt.date | None = None,
    municipality: str | None = None,
    patient_id: int | None = None,
    within: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[VisitRequest]:
    """`within` limits the list to patients living in those municipalities (a caller's scope)."""
    query = select(VisitRequest)
    if day is not None:
        query = query.where(VisitRequest.date == day)
    if patient_id is not None:
        query = query.where(VisitRequest.patient_id == patient_id)
    if municipality is not None or within is not None:
        query = query.join(Patient, col(Patient.id) == col(VisitRequest.patient_id))
    if municipality is not None:
        query = query.where(Patient.municipality_code == municipality)
    if within is not None:
        query = query.where(col(Patient.municipality_code).in_(sorted(within)))
    order = [col(VisitRequest.window_start), col(VisitRequest.id)]
    return paginate(session, query, order_by=order, limit=limit, offset=offset)


def update_visit(session: Session, *, visit_id: int, data: VisitRequestUpdate) -> VisitRequest:
    """Changes a visit, unless a plan of its day (old or new) is being solved: that solve reads
    the visit as it was, and the version it makes would put the changed visit where the old one
    fitted (409; edit when the solve is done, then replan)."""
    visit = get_visit(session, visit_id=visit_id)
    valid = merged(VisitRequestCreate, visit, data)
    _refuse_while_solving(session, {visit.date, valid.local_date}, visit_id=visit_id)
    _check_references(session, valid, visit_id=visit_id)
    visit.sqlmodel_update(valid.model_dump(), update={"date": valid.local_date})
    session.add(visit)
    session.flush()
    return visit


def _refuse_while_solving(session: Session, days: Collection[dt.date], *, visit_id: int) -> None:
    solving = session.exec(
        select(Plan).where(
            col(Plan.date).in_(sorted(days)),
            col(Plan.status).in_([PlanStatus.QUEUED, PlanStatus.SOLVING]),
        )
    ).first()
    if solving is not None:
        raise Conflict(
            f"plan {solving.id} of {solving.date.isoformat()} is being solved from the visits as "
            f"they are; change visit {visit_id} when it is done, then replan",
            field="visit_id",
        )


def delete_visit(session: Session, *, visit_id: int) -> None:
    visit = get_visit(session, visit_id=visit_id)
    refuse_if_referenced(
        session,
        f"visit {visit_id}",
        [
            ("plan stops", select(PlanStop.id).where(PlanStop.visit_id == visit_id)),
            (
                "unassigned visits in plans",
                select(UnassignedVisit.id).where(UnassignedVisit.visit_id == visit_id),
            ),
            (
                "dependent visits",
                select(VisitRequest.id).where(VisitRequest.depends_on_id == visit_id),
            ),
        ],
    )
    session.delete(visit)
    session.flush()


def _check_references(session: Session, data: VisitRequestCreate, *, visit_id: int | None) -> None:
    require_ref(session, Patient, data.patient_id, field="patient_id", what="patient")
    if data.care_plan_id is not None:
        care_plan = require_ref(
            session, CarePlan, data.care_plan_id, field="care_plan_id", what="care plan"
        )
        if care_plan.patient_id != data.patient_id:
            raise InvalidInput(
                f"care_plan_id: care plan {data.care_plan_id} belongs to another patient",
                field="care_plan_id",
            )
    if data.pinned_staff_id is not None:
        require_ref(session, Staff, data.pinned_staff_id, field="pinned_staff_id", what="staff")
    check_organisation_refs(session, data.organisation_id, data.part_organisation_ids)
    if data.depends_on_id is not None:
        _check_dependency(session, data, visit_id=visit_id)


def _check_dependency(session: Session, data: VisitRequestCreate, *, visit_id: int | None) -> None:
    assert data.depends_on_id is not None
    other = require_ref(
        session, VisitRequest, data.depends_on_id, field="depends_on_id", what="visit"
    )
    if other.date != data.local_date:
        raise InvalidInput(
            f"depends_on_id: visit {other.id} is on {other.date}, not on {data.local_date}",
            field="depends_on_id",
        )
    _check_staff_rule(data, other)
    # Following the chain back must never reach this visit, or neither could ever start first.
    seen: set[int] = set()
    current: VisitRequest | None = other
    while current is not None and current.id is not None and current.id not in seen:
        if current.id == visit_id:
            raise InvalidInput(
                "depends_on_id: the dependency would form a cycle", field="depends_on_id"
            )
        seen.add(current.id)
        current = (
            session.get(VisitRequest, current.depends_on_id) if current.depends_on_id else None
        )


def _check_staff_rule(data: VisitRequestCreate, other: VisitRequest) -> None:
    """Pinning both visits can contradict the dependency's staff rule; no plan could keep both."""
    if data.pinned_staff_id is None or other.pinned_staff_id is None:
        return
    same = data.pinned_staff_id == other.pinned_staff_id
    rule = DependencyStaff(data.dependency_staff)
    if (rule == DependencyStaff.SAME and not same) or (rule == DependencyStaff.DIFFERENT and same):
        raise InvalidInput(
            f"dependency_staff: '{rule}' cannot hold, the visits are pinned to staff "
            f"{other.pinned_staff_id} and {data.pinned_staff_id}",
            field="dependency_staff",
        )
