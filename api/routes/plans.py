"""Plans (coordinators, for their scope): ask for a solve, follow it, read it, publish it.

A solve runs in a worker process, so asking for a plan answers 202 at once; the client polls
GET /plans/{id} until the status is draft (or failed).
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from ambulant.acknowledgements import plan_acknowledgements
from ambulant.auth import access
from ambulant.jobs import submit_plan
from ambulant.models import AuditAction, PlanAcknowledgements, PlanStatus
from ambulant.models.ranges import FORBID_EXTRA
from ambulant.notify import announce
from ambulant.planning import plans
from ambulant.planning.municipality_kpis import kpis_csv, municipality_kpis
from ambulant.planning.problem_size import check_problem_size
from ambulant.planning.views import PlanDetail, PlanSummary
from ambulant.planning.weights import WeightOverrides
from ambulant.publishing import publish_version
from ambulant.registry.care_plan_generation import (
    GenerationCounts,
    generate,
    scope_municipalities,
)
from ambulant.timeutil import Day
from api.deps import (
    AuditDep,
    DateQuery,
    PathId,
    PlannerDep,
    SessionDep,
    SettingsDep,
    require_planner,
)

router = APIRouter(prefix="/plans", tags=["plans"], dependencies=[Depends(require_planner)])


class PlanRequest(BaseModel):
    model_config = FORBID_EXTRA

    date: Day
    scope: str = Field(default="all", max_length=40, description="'all' or a municipality code.")
    weights: WeightOverrides | None = Field(
        default=None, description="Objective weights for this plan; the rest from the settings."
    )
    generate_from_care_plans: bool = Field(
        default=True,
        description="First bring the day's visits in the scope in line with the care plans "
        "(POST /care-plans/generate for this day); false plans the visits as they are.",
    )


class PlanAccepted(BaseModel):
    id: int
    status: PlanStatus
    version: int
    care_plans: GenerationCounts | None = Field(
        default=None, description="What generation from the care plans did first, if it ran."
    )


@router.post(
    "",
    status_code=202,
    response_model=PlanAccepted,
    responses={503: {"description": "The job queue does not take the plan."}},
)
def request_plan(
    session: SessionDep,
    settings: SettingsDep,
    principal: PlannerDep,
    audit: AuditDep,
    body: PlanRequest,
    response: Response,
) -> PlanAccepted:
    access.require_planning(principal, body.scope)
    generated = None
    if body.generate_from_care_plans:
        plans.validate_scope(session, body.scope)
        day = body.date
        result = generate(
            session, first=day, last=day, municipalities=scope_municipalities(body.scope, None)
        )
        if result.patient_ids:  # the plan request itself is audited below
            audit.record_patients(
                AuditAction.UPDATE,
                "care_plan_generation",
                f"{day} {body.scope}",
                result.patient_ids,
            )
        generated = result.counts()
    check_problem_size(session, settings, day=body.date, scope=body.scope)
    plan = plans.request_plan(session, day=body.date, scope=body.scope, weights=body.weights)
    assert plan.id is not None
    audit.record(AuditAction.PLAN, "plan", plan.id)
    submit_plan(session, settings, plan)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return PlanAccepted(id=plan.id, status=plan.status, version=plan.version, care_plans=generated)


@router.get("")
def list_plans(
    session: SessionDep, principal: PlannerDep, day: DateQuery = None, scope: str | None = None
) -> list[PlanSummary]:
    found = plans.list_plans(
        session, day=day, scope=scope, scopes=access.visible_plan_scopes(principal)
    )
    return [plans.plan_summary(plan) for plan in found]


@router.get("/{plan_id}")
def read_plan(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, plan_id: PathId
) -> PlanDetail:
    access.visible_plan(session, principal, plan_id)
    detail = plans.plan_detail(session, plan_id=plan_id)
    patients = [s.patient_id for r in detail.routes for s in r.stops]
    patients += [u.patient_id for u in detail.unassigned]
    audit.record_patients(AuditAction.READ, "plan", plan_id, patients)
    return detail


@router.get(
    "/{plan_id}/kpis.csv",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "Per municipality and for the day: visits, hours with patients, "
            "drive hours, km, overtime hours, unassigned visits (comma-separated, dot decimals, "
            "a header row).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def read_kpis_csv(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, plan_id: PathId
) -> PlainTextResponse:
    """The figures of `kpis_by_municipality` in GET /plans/{id}, as a spreadsheet reads them."""
    plan = access.visible_plan(session, principal, plan_id)
    rows = municipality_kpis(session, plan_id=plan_id)
    # Sums per municipality show no patient's data: one entry for the plan, none per patient.
    audit.record(AuditAction.READ, "plan", plan_id)
    filename = f"plan-{plan_id}-{plan.date.isoformat()}-v{plan.version}-kpis.csv"
    return PlainTextResponse(
        kpis_csv(rows),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{plan_id}/acknowledgements",
    responses={409: {"description": "The plan has not been published."}},
)
def read_acknowledgements(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, plan_id: PathId
) -> PlanAcknowledgements:
    """Who of the staff whose day this plan changed has acknowledged her day as it is now."""
    plan = access.visible_plan(session, principal, plan_id)
    acknowledgements = plan_acknowledgements(session, plan=plan, principal=principal)
    audit.record(AuditAction.READ, "plan_acknowledgements", plan_id)
    return acknowledgements


@router.post("/{plan_id}/publish")
def publish_plan(
    session: SessionDep,
    settings: SettingsDep,
    principal: PlannerDep,
    audit: AuditDep,
    background: BackgroundTasks,
    plan_id: PathId,
) -> PlanSummary:
    plan = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, plan.scope)
    # A replan's draft is refused (409) once its base is no longer current; the staff whose day
    # changed are told once the commit is done.
    published, events = publish_version(session, plan_id=plan_id)
    summary = plans.plan_summary(published)
    audit.record(AuditAction.PUBLISH, "plan", plan_id)
    background.add_task(announce, settings, events)
    return summary
