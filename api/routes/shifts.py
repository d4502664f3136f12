"""Shifts (coordinators, for the staff in their scope)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ambulant.auth import access, policy
from ambulant.models import AuditAction, Shift, ShiftCreate, ShiftPublic, ShiftUpdate
from ambulant.registry import shifts as service
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from api.deps import (
    AuditDep,
    DateQuery,
    Limit,
    MunicipalityQuery,
    Offset,
    PathId,
    PlannerDep,
    QueryId,
    SessionDep,
    require_planner,
)

router = APIRouter(prefix="/shifts", tags=["shifts"], dependencies=[Depends(require_planner)])


@router.post("", status_code=201, response_model=ShiftPublic)
def create_shift(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: ShiftCreate
) -> Shift:
    access.staff_ref(session, principal, data.staff_id, field="staff_id", manage=True)
    shift = service.create_shift(session, data=data)
    audit.record(AuditAction.CREATE, "shift", shift.id)
    return shift


@router.get("", response_model=Page[ShiftPublic])
def list_shifts(
    session: SessionDep,
    principal: PlannerDep,
    day: DateQuery = None,
    municipality: MunicipalityQuery = None,
    staff_id: QueryId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Shift]:
    return service.list_shifts(
        session,
        day=day,
        municipality=municipality,
        staff_id=staff_id,
        within=policy.municipality_scope(principal),
        team=policy.team_scope(principal),
        limit=limit,
        offset=offset,
    )


@router.get("/{shift_id}", response_model=ShiftPublic)
def read_shift(session: SessionDep, principal: PlannerDep, shift_id: PathId) -> Shift:
    return access.visible_shift(session, principal, shift_id)


@router.patch("/{shift_id}", response_model=ShiftPublic)
def update_shift(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, shift_id: PathId, data: ShiftUpdate
) -> Shift:
    access.visible_shift(session, principal, shift_id, manage=True)
    shift = service.update_shift(session, shift_id=shift_id, data=data)
    audit.record(AuditAction.UPDATE, "shift", shift_id)
    return shift


@router.delete("/{shift_id}", status_code=204)
def delete_shift(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, shift_id: PathId
) -> Response:
    access.visible_shift(session, principal, shift_id, manage=True)
    service.delete_shift(session, shift_id=shift_id)
    audit.record(AuditAction.DELETE, "shift", shift_id)
    return Response(status_code=204)
