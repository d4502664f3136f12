"""Shifts (coordinators only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ambulant.models import Shift, ShiftCreate, ShiftPublic, ShiftUpdate
from ambulant.services import shifts as service
from ambulant.services.pagination import DEFAULT_LIMIT, Page
from api.deps import DateQuery, Limit, MunicipalityQuery, Offset, SessionDep, require_planner

router = APIRouter(prefix="/shifts", tags=["shifts"], dependencies=[Depends(require_planner)])


@router.post("", status_code=201, response_model=ShiftPublic)
def create_shift(session: SessionDep, data: ShiftCreate) -> Shift:
    return service.create_shift(session, data=data)


@router.get("", response_model=Page[ShiftPublic])
def list_shifts(
    session: SessionDep,
    day: DateQuery = None,
    municipality: MunicipalityQuery = None,
    staff_id: int | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Shift]:
    return service.list_shifts(
        session,
        day=day,
        municipality=municipality,
        staff_id=staff_id,
        limit=limit,
        offset=offset,
    )


@router.get("/{shift_id}", response_model=ShiftPublic)
def read_shift(session: SessionDep, shift_id: int) -> Shift:
    return service.get_shift(session, shift_id=shift_id)


@router.patch("/{shift_id}", response_model=ShiftPublic)
def update_shift(session: SessionDep, shift_id: int, data: ShiftUpdate) -> Shift:
    return service.update_shift(session, shift_id=shift_id, data=data)


@router.delete("/{shift_id}", status_code=204)
def delete_shift(session: SessionDep, shift_id: int) -> Response:
    service.delete_shift(session, shift_id=shift_id)
    return Response(status_code=204)
