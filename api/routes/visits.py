"""Visit requests: coordinators manage those of patients in their scope; a nurse reads the
visits on their own schedule today and tomorrow."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import Session

from ambulant.auth import access, policy
from ambulant.auth.principal import Principal
from ambulant.models import (
    AuditAction,
    VisitRequest,
    VisitRequestCreate,
    VisitRequestPublic,
    VisitRequestUpdate,
)
from ambulant.registry import visits as service
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from api.deps import (
    AuditDep,
    DateQuery,
    Limit,
    MunicipalityQuery,
    Offset,
    PathId,
    PlannerDep,
    PrincipalDep,
    QueryId,
    SessionDep,
)

router = APIRouter(prefix="/visits", tags=["visits"])


def _check_references(
    session: Session,
    principal: Principal,
    *,
    pinned_staff_id: int | None,
    depends_on_id: int | None,
) -> None:
    if pinned_staff_id is not None:
        access.staff_ref(session, principal, pinned_staff_id, field="pinned_staff_id")
    if depends_on_id is not None:
        access.visit_ref(session, principal, depends_on_id, field="depends_on_id")


@router.post("", status_code=201, response_model=VisitRequestPublic)
def create_visit(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: VisitRequestCreate
) -> VisitRequest:
    access.patient_ref(session, principal, data.patient_id, field="patient_id")
    _check_references(
        session,
        principal,
        pinned_staff_id=data.pinned_staff_id,
        depends_on_id=data.depends_on_id,
    )
    visit = service.create_visit(session, data=data)
    audit.record(AuditAction.CREATE, "visit", visit.id, patient_id=visit.patient_id)
    return visit


@router.get("", response_model=Page[VisitRequestPublic])
def list_visits(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    day: DateQuery = None,
    municipality: MunicipalityQuery = None,
    patient_id: QueryId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[VisitRequest]:
    page = service.list_visits(
        session,
        day=day,
        municipality=municipality,
        patient_id=patient_id,
        within=policy.municipality_scope(principal),
        limit=limit,
        offset=offset,
    )
    for visit in page.items:
        audit.record(AuditAction.READ, "visit", visit.id, patient_id=visit.patient_id)
    return page


@router.get("/{visit_id}", response_model=VisitRequestPublic)
def read_visit(
    session: SessionDep, principal: PrincipalDep, audit: AuditDep, visit_id: PathId
) -> VisitRequest:
    visit = access.visible_visit(session, principal, visit_id)
    audit.record(AuditAction.READ, "visit", visit_id, patient_id=visit.patient_id)
    return visit


@router.patch("/{visit_id}", response_model=VisitRequestPublic)
def update_visit(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    visit_id: PathId,
    data: VisitRequestUpdate,
) -> VisitRequest:
    access.visible_visit(session, principal, visit_id, manage=True)
    _check_references(
        session,
        principal,
        pinned_staff_id=data.pinned_staff_id,
        depends_on_id=data.depends_on_id,
    )
    visit = service.update_visit(session, visit_id=visit_id, data=data)
    audit.record(AuditAction.UPDATE, "visit", visit_id, patient_id=visit.patient_id)
    return visit


@router.delete("/{visit_id}", status_code=204)
def delete_visit(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, visit_id: PathId
) -> Response:
    visit = access.visible_visit(session, principal, visit_id, manage=True)
    patient_id = visit.patient_id
    service.delete_visit(session, visit_id=visit_id)
    audit.record(AuditAction.DELETE, "visit", visit_id, patient_id=patient_id)
    return Response(status_code=204)
