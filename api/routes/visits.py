"""Visit requests (coordinators only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ambulant.models import VisitRequest, VisitRequestCreate, VisitRequestPublic, VisitRequestUpdate
from ambulant.services import visits as service
from ambulant.services.pagination import DEFAULT_LIMIT, Page
from api.deps import DateQuery, Limit, MunicipalityQuery, Offset, SessionDep, require_planner

router = APIRouter(prefix="/visits", tags=["visits"], dependencies=[Depends(require_planner)])


@router.post("", status_code=201, response_model=VisitRequestPublic)
def create_visit(session: SessionDep, data: VisitRequestCreate) -> VisitRequest:
    return service.create_visit(session, data=data)


@router.get("", response_model=Page[VisitRequestPublic])
def list_visits(
    session: SessionDep,
    day: DateQuery = None,
    municipality: MunicipalityQuery = None,
    patient_id: int | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[VisitRequest]:
    return service.list_visits(
        session,
        day=day,
        municipality=municipality,
        patient_id=patient_id,
        limit=limit,
        offset=offset,
    )


@router.get("/{visit_id}", response_model=VisitRequestPublic)
def read_visit(session: SessionDep, visit_id: int) -> VisitRequest:
    return service.get_visit(session, visit_id=visit_id)


@router.patch("/{visit_id}", response_model=VisitRequestPublic)
def update_visit(session: SessionDep, visit_id: int, data: VisitRequestUpdate) -> VisitRequest:
    return service.update_visit(session, visit_id=visit_id, data=data)


@router.delete("/{visit_id}", status_code=204)
def delete_visit(session: SessionDep, visit_id: int) -> Response:
    service.delete_visit(session, visit_id=visit_id)
    return Response(status_code=204)
