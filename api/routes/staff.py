"""Staff: coordinators manage them; a nurse reads their own record and published schedule."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ambulant.auth import policy
from ambulant.errors import Forbidden
from ambulant.models import Staff, StaffCreate, StaffPublic, StaffUpdate
from ambulant.planning.schedule import staff_schedule
from ambulant.planning.views import Schedule
from ambulant.services import staff as service
from ambulant.services.pagination import DEFAULT_LIMIT, Page
from ambulant.timeutil import now
from api.deps import (
    DateQuery,
    Limit,
    MunicipalityQuery,
    Offset,
    PlannerDep,
    PrincipalDep,
    SessionDep,
)

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post("", status_code=201, response_model=StaffPublic)
def create_staff(session: SessionDep, _: PlannerDep, data: StaffCreate) -> Staff:
    return service.create_staff(session, data=data)


@router.get("", response_model=Page[StaffPublic])
def list_staff(
    session: SessionDep,
    _: PlannerDep,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Staff]:
    return service.list_staff(session, municipality=municipality, limit=limit, offset=offset)


@router.get("/{staff_id}", response_model=StaffPublic)
def read_staff(session: SessionDep, principal: PrincipalDep, staff_id: int) -> Staff:
    if not policy.can_read_staff(principal, staff_id):
        raise Forbidden("you may read only your own staff record")
    return service.get_staff(session, staff_id=staff_id)


@router.patch("/{staff_id}", response_model=StaffPublic)
def update_staff(session: SessionDep, _: PlannerDep, staff_id: int, data: StaffUpdate) -> Staff:
    return service.update_staff(session, staff_id=staff_id, data=data)


@router.delete("/{staff_id}", status_code=204)
def delete_staff(session: SessionDep, _: PlannerDep, staff_id: int) -> Response:
    service.delete_staff(session, staff_id=staff_id)
    return Response(status_code=204)


@router.get("/{staff_id}/schedule")
def read_schedule(
    session: SessionDep, principal: PrincipalDep, staff_id: int, day: DateQuery = None
) -> Schedule:
    """The staff member's day in the newest published plan (default: today in Oslo)."""
    # Checked before any lookup, so a 403 says nothing about whether the staff member exists.
    if not policy.can_read_schedule(principal, staff_id):
        raise Forbidden("you may read only your own schedule")
    return staff_schedule(session, staff_id=staff_id, day=day or now().date())
