"""Organisations (municipalities, hospital trusts, their specialist teams): every planner reads
them; one who plans for every municipality (an admin, an all-scope coordinator) adds them,
since an organisation is shared by the whole region."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ambulant.auth import policy
from ambulant.errors import Forbidden
from ambulant.models import AuditAction, Organisation, OrganisationCreate, OrganisationPublic
from ambulant.registry import organisations as service
from api.deps import AuditDep, PathId, PlannerDep, SessionDep, require_planner

router = APIRouter(
    prefix="/organisations", tags=["organisations"], dependencies=[Depends(require_planner)]
)


@router.post("", status_code=201, response_model=OrganisationPublic)
def create_organisation(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: OrganisationCreate
) -> Organisation:
    if not policy.covers_all(principal):
        raise Forbidden("adding an organisation needs a planner of every municipality")
    organisation = service.create_organisation(session, data=data)
    audit.record(AuditAction.CREATE, "organisation", organisation.id)
    return organisation


@router.get("", response_model=list[OrganisationPublic])
def list_organisations(session: SessionDep, _: PlannerDep) -> list[Organisation]:
    return service.list_organisations(session)


@router.get("/{organisation_id}", response_model=OrganisationPublic)
def read_organisation(session: SessionDep, _: PlannerDep, organisation_id: PathId) -> Organisation:
    return service.get_organisation(session, organisation_id=organisation_id)
