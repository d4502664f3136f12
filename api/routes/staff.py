"""Staff: coordinators manage those in their scope; a nurse reads their own record and schedule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from ambulant.auth import access, policy
from ambulant.models import AuditAction, Staff, StaffCreate, StaffPublic, StaffUpdate
from ambulant.notify.etag import etag_matches, schedule_etag
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.planning.views import Schedule
from ambulant.registry import staff as service
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from ambulant.timeutil import today
from api.deps import (
    AuditDep,
    DateQuery,
    Limit,
    MunicipalityQuery,
    Offset,
    PathId,
    PlannerDep,
    PrincipalDep,
    SessionDep,
)

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post("", status_code=201, response_model=StaffPublic)
def create_staff(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: StaffCreate
) -> Staff:
    access.require_municipality(principal, data.municipality_code, field="municipality_code")
    access.require_team(principal, data.team)
    staff = service.create_staff(session, data=data)
    audit.record(AuditAction.CREATE, "staff", staff.id)
    return staff


@router.get("", response_model=Page[StaffPublic])
def list_staff(
    session: SessionDep,
    principal: PlannerDep,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Staff]:
    return service.list_staff(
        session,
        municipality=municipality,
        within=policy.municipality_scope(principal),
        team=policy.team_scope(principal),
        limit=limit,
        offset=offset,
    )


@router.get("/{staff_id}", response_model=StaffPublic)
def read_staff(session: SessionDep, principal: PrincipalDep, staff_id: PathId) -> Staff:
    return access.visible_staff(session, principal, staff_id)


@router.patch("/{staff_id}", response_model=StaffPublic)
def update_staff(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, staff_id: PathId, data: StaffUpdate
) -> Staff:
    access.manageable_staff(session, principal, staff_id)
    if data.municipality_code is not None:
        access.require_municipality(principal, data.municipality_code, field="municipality_code")
    if data.team is not None:
        access.require_team(principal, data.team)
    staff = service.update_staff(session, staff_id=staff_id, data=data)
    audit.record(AuditAction.UPDATE, "staff", staff_id)
    return staff


@router.delete("/{staff_id}", status_code=204)
def delete_staff(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, staff_id: PathId
) -> Response:
    access.manageable_staff(session, principal, staff_id)
    service.delete_staff(session, staff_id=staff_id)
    audit.record(AuditAction.DELETE, "staff", staff_id)
    return Response(status_code=204)


@router.get(
    "/{staff_id}/schedule",
    response_model=Schedule,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match."}},
)
def read_schedule(
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    staff_id: PathId,
    response: Response,
    day: DateQuery = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Schedule | Response:
    """The staff member's day in the newest published plan (default: today in Oslo)."""
    # Someone outside the caller's reach is "not found", exactly like an id nobody has.
    access.visible_staff(session, principal, staff_id)
    schedule = staff_schedule(session, staff_id=staff_id, day=day or today())
    # The ETag changes only when this person's day does; a phone that has it gets a 304.
    etag = schedule_etag(schedule)
    response.headers["ETag"] = etag
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    audit.record_patients(
        AuditAction.READ, "schedule", staff_id, (s.patient_id for s in schedule.stops)
    )
    return schedule
