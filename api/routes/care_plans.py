"""Care plans (coordinators only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ambulant.models import CarePlan, CarePlanCreate, CarePlanPublic, CarePlanUpdate
from ambulant.services import care_plans as service
from ambulant.services.pagination import DEFAULT_LIMIT, Page
from api.deps import Limit, MunicipalityQuery, Offset, SessionDep, require_planner

router = APIRouter(
    prefix="/care-plans", tags=["care plans"], dependencies=[Depends(require_planner)]
)


@router.post("", status_code=201, response_model=CarePlanPublic)
def create_care_plan(session: SessionDep, data: CarePlanCreate) -> CarePlan:
    return service.create_care_plan(session, data=data)


@router.get("", response_model=Page[CarePlanPublic])
def list_care_plans(
    session: SessionDep,
    patient_id: int | None = None,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[CarePlan]:
    return service.list_care_plans(
        session, patient_id=patient_id, municipality=municipality, limit=limit, offset=offset
    )


@router.get("/{care_plan_id}", response_model=CarePlanPublic)
def read_care_plan(session: SessionDep, care_plan_id: int) -> CarePlan:
    return service.get_care_plan(session, care_plan_id=care_plan_id)


@router.patch("/{care_plan_id}", response_model=CarePlanPublic)
def update_care_plan(session: SessionDep, care_plan_id: int, data: CarePlanUpdate) -> CarePlan:
    return service.update_care_plan(session, care_plan_id=care_plan_id, data=data)


@router.delete("/{care_plan_id}", status_code=204)
def delete_care_plan(session: SessionDep, care_plan_id: int) -> Response:
    service.delete_care_plan(session, care_plan_id=care_plan_id)
    return Response(status_code=204)
