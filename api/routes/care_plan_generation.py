"""Care plans become visit requests on demand (coordinators, for their scope): the same
generation every plan request runs for its day (docs/planning.md, "From care plans to visits")."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from ambulant.auth import access, policy
from ambulant.models import AuditAction, Role
from ambulant.planning.plans import validate_scope
from ambulant.registry.care_plan_generation import (
    GenerationCounts,
    generate,
    scope_municipalities,
)
from ambulant.timeutil import Day
from api.deps import AuditDep, PrincipalDep, SessionDep, require_role

router = APIRouter(
    prefix="/care-plans",
    tags=["care plans"],
    dependencies=[Depends(require_role(Role.COORDINATOR))],
)


class GenerationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first: Day = Field(alias="from", description="The first Oslo date (included).")
    last: Day = Field(alias="to", description="The last Oslo date (included); at most 92 days.")
    scope: str = Field(default="all", max_length=40, description="'all' or a municipality code.")


@router.post("/generate", response_model=GenerationCounts)
def generate_visits(
    session: SessionDep, principal: PrincipalDep, audit: AuditDep, body: GenerationRequest
) -> GenerationCounts:
    validate_scope(session, body.scope)
    # 'all' is everything the caller may see (limited below), unless she is limited to a team:
    # care plans belong to no team, so as with plans she generates none.
    if body.scope != "all" or policy.team_scope(principal) is not None:
        access.require_planning(principal, body.scope)
    municipalities = scope_municipalities(body.scope, policy.municipality_scope(principal))
    result = generate(session, first=body.first, last=body.last, municipalities=municipalities)
    audit.record_patients(
        AuditAction.UPDATE,
        "care_plan_generation",
        f"{body.first}..{body.last} {body.scope}"[:40],
        sorted(result.patient_ids),
    )
    return result.counts()
