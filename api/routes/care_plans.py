"""Care plans (coordinators, for the patients in their scope): the standing weekly patterns
that generate visit requests."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ambulant.auth import access, policy
from ambulant.models import AuditAction, CarePlan, CarePlanCreate, CarePlanPublic, CarePlanUpdate
from ambulant.registry import care_plans as service
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from api.deps import (
    AuditDep,
    Limit,
    MunicipalityQuery,
    Offset,
    PathId,
    PlannerDep,
    QueryId,
    SessionDep,
    require_planner,
)

router = APIRouter(
    prefix="/care-plans", tags=["care plans"], dependencies=[Depends(require_planner)]
)


@router.post("", status_code=201, response_model=CarePlanPublic)
def create_care_plan(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: CarePlanCreate
) -> CarePlan:
    access.patient_ref(session, principal, data.patient_id, field="patient_id")
    care_plan = service.create_care_plan(session, data=data)
    audit.record(AuditAction.CREATE, "care_plan", care_plan.id, patient_id=care_plan.patient_id)
    return care_plan


@router.get("", response_model=Page[CarePlanPublic])
def list_care_plans(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    patient_id: QueryId = None,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[CarePlan]:
    page = service.list_care_plans(
        session,
        patient_id=patient_id,
        municipality=municipality,
        within=policy.municipality_scope(principal),
        limit=limit,
        offset=offset,
    )
    for care_plan in page.items:
        audit.record(AuditAction.READ, "care_plan", care_plan.id, patient_id=care_plan.patient_id)
    return page


@router.get("/{care_plan_id}", response_model=CarePlanPublic)
def read_care_plan(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, care_plan_id: PathId
) -> CarePlan:
    care_plan = access.visible_care_plan(session, principal, care_plan_id)
    audit.record(AuditAction.READ, "care_plan", care_plan_id, patient_id=care_plan.patient_id)
    return care_plan


@router.patch("/{care_plan_id}", response_model=CarePlanPublic)
def update_care_plan(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    care_plan_id: PathId,
    data: CarePlanUpdate,
) -> CarePlan:
    access.visible_care_plan(session, principal, care_plan_id)
    care_plan = service.update_care_plan(session, care_plan_id=care_plan_id, data=data)
    audit.record(AuditAction.UPDATE, "care_plan", care_plan_id, patient_id=care_plan.patient_id)
    return care_plan


@router.delete("/{care_plan_id}", status_code=204)
def delete_care_plan(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, care_plan_id: PathId
) -> Response:
    care_plan = access.visible_care_plan(session, principal, care_plan_id)
    patient_id = care_plan.patient_id
    service.delete_care_plan(session, care_plan_id=care_plan_id)
    audit.record(AuditAction.DELETE, "care_plan", care_plan_id, patient_id=patient_id)
    return Response(status_code=204)
