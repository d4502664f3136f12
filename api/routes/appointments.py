"""Fixed appointments (a team meeting, clinic hours): coordinators manage those of the staff in
their scope; a nurse reads her own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from ambulant.auth import access, policy
from ambulant.auth.principal import Principal
from ambulant.models import (
    Appointment,
    AppointmentCreate,
    AppointmentPublic,
    AppointmentUpdate,
    AuditAction,
    Role,
)
from ambulant.registry import appointments as service
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
    require_role,
)

router = APIRouter(prefix="/appointments", tags=["appointments"])

ReaderDep = Annotated[Principal, Depends(require_role(*policy.PLANNERS, Role.NURSE))]


@router.post("", status_code=201, response_model=AppointmentPublic)
def create_appointment(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: AppointmentCreate
) -> Appointment:
    access.staff_ref(session, principal, data.staff_id, field="staff_id", manage=True)
    appointment = service.create_appointment(session, data=data)
    audit.record(AuditAction.CREATE, "appointment", appointment.id)
    return appointment


@router.get("", response_model=Page[AppointmentPublic])
def list_appointments(
    session: SessionDep,
    principal: ReaderDep,
    day: DateQuery = None,
    municipality: MunicipalityQuery = None,
    staff_id: QueryId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Appointment]:
    """A nurse's list holds her own appointments only, whatever `staff_id` says."""
    if principal.role == Role.NURSE:
        own = principal.staff_id
        if own is None or staff_id not in (None, own):
            # Someone else's: an empty page, as a planner's list outside their scope.
            return Page[Appointment](items=[], total=0, limit=limit, offset=offset)
        return service.list_appointments(session, day=day, staff_id=own, limit=limit, offset=offset)
    return service.list_appointments(
        session,
        day=day,
        municipality=municipality,
        staff_id=staff_id,
        within=policy.municipality_scope(principal),
        team=policy.team_scope(principal),
        limit=limit,
        offset=offset,
    )


@router.get("/{appointment_id}", response_model=AppointmentPublic)
def read_appointment(
    session: SessionDep, principal: PrincipalDep, appointment_id: PathId
) -> Appointment:
    return access.visible_appointment(session, principal, appointment_id)


@router.patch("/{appointment_id}", response_model=AppointmentPublic)
def update_appointment(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    appointment_id: PathId,
    data: AppointmentUpdate,
) -> Appointment:
    access.visible_appointment(session, principal, appointment_id, manage=True)
    if data.staff_id is not None:
        access.staff_ref(session, principal, data.staff_id, field="staff_id", manage=True)
    appointment = service.update_appointment(session, appointment_id=appointment_id, data=data)
    audit.record(AuditAction.UPDATE, "appointment", appointment_id)
    return appointment


@router.delete("/{appointment_id}", status_code=204)
def delete_appointment(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, appointment_id: PathId
) -> Response:
    access.visible_appointment(session, principal, appointment_id, manage=True)
    service.delete_appointment(session, appointment_id=appointment_id)
    audit.record(AuditAction.DELETE, "appointment", appointment_id)
    return Response(status_code=204)
