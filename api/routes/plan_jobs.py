"""A plan's job (coordinators, for their scope): cancel it while it is queued or solving.

Its state, worker, times and progress are part of GET /plans/{id} (`job`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ambulant.auth import access
from ambulant.jobs.cancel import cancel_plan
from ambulant.models import AuditAction
from ambulant.planning import plans
from ambulant.planning.views import PlanSummary
from api.deps import AuditDep, PathId, PlannerDep, SessionDep, SettingsDep, require_planner

router = APIRouter(prefix="/plans", tags=["plans"], dependencies=[Depends(require_planner)])


@router.post(
    "/{plan_id}/cancel",
    responses={409: {"description": "The plan has finished (done, failed or cancelled)."}},
)
def cancel(
    session: SessionDep,
    settings: SettingsDep,
    principal: PlannerDep,
    audit: AuditDep,
    plan_id: PathId,
) -> PlanSummary:
    """Cancels a queued plan (taken off its queue) or a solving one (its search stops within
    about a second and nothing of it is stored); the plan ends `cancelled`."""
    plan = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, plan.scope)
    audit.record(AuditAction.CANCEL, "plan", plan_id)
    return plans.plan_summary(cancel_plan(session, settings, plan))
