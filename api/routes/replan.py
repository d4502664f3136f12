"""Replanning during the day (coordinators, for their scope): replan a plan, read what changed,
look at who could take a visit, and see where the day stands.

A replan solves in a worker; the request waits up to `replan_wait_s` for it and answers 201 with
the new version and its diff, or 202 with its id when it takes longer (poll GET /plans/{id}).
A replan based on a version that is no longer current answers 409 with the current version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Response

from ambulant.auth import access
from ambulant.execution.state import PlanState, plan_state
from ambulant.jobs import submit_plan, wait_for_plan
from ambulant.models import AuditAction, PlanStatus
from ambulant.models.ranges import MAX_ID
from ambulant.notify import announce
from ambulant.planning.plans import plan_summary
from ambulant.planning.problem_size import check_problem_size
from ambulant.publishing import publish_version
from ambulant.replanning import requests
from ambulant.replanning.diff import PlanDiff, plan_diff
from ambulant.replanning.recommend import recommend
from ambulant.replanning.views import (
    RecommendationRequest,
    Recommendations,
    ReplanAnswer,
    ReplanRequest,
)
from ambulant.timeutil import WallClock, as_aware, now
from ambulant.travel.factory import travel_times_from_settings
from api.deps import (
    AuditDep,
    EngineDep,
    IfMatch,
    PathId,
    PlannerDep,
    SessionDep,
    SettingsDep,
    if_match_version,
    require_planner,
)

router = APIRouter(prefix="/plans", tags=["replanning"], dependencies=[Depends(require_planner)])


@router.post(
    "/{plan_id}/replan",
    status_code=201,
    response_model=ReplanAnswer,
    responses={
        202: {"description": "Still solving: poll GET /plans/{id}.", "model": ReplanAnswer},
        503: {"description": "The job queue does not take the replan."},
        409: {"description": "Based on a version that is no longer current."},
    },
)
def replan(
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PlannerDep,
    audit: AuditDep,
    background: BackgroundTasks,
    plan_id: PathId,
    body: ReplanRequest,
    response: Response,
    if_match: IfMatch = None,
) -> ReplanAnswer:
    base = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, base.scope)
    requests.check_references(session, principal, body)
    check_problem_size(
        session, settings, day=base.date, scope=base.scope, extra_visits=len(body.new_visits)
    )
    plan = requests.request_replan(
        session,
        plan_id=plan_id,
        request=body,
        principal=principal,
        based_on_version=if_match_version(if_match),
    )
    assert plan.id is not None
    audit.record(AuditAction.PLAN, "plan", plan.id)
    submit_plan(session, settings, plan)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    finished = wait_for_plan(engine, plan_id=plan.id, timeout_s=settings.replan_wait_s)
    if finished is None:
        response.status_code = 202
        return requests.replan_answer(plan, base)
    session.expire_all()  # the worker changed the rows this session read
    answer = requests.replan_answer(finished, base)
    if body.publish and finished.status == PlanStatus.DRAFT:
        published, events = publish_version(session, plan_id=plan.id)
        audit.record(AuditAction.PUBLISH, "plan", plan.id)
        answer.plan, answer.published = plan_summary(published), True
        background.add_task(announce, settings, events)
    return answer


@router.get("/{plan_id}/diff")
def read_diff(
    session: SessionDep,
    settings: SettingsDep,
    principal: PlannerDep,
    plan_id: PathId,
    against: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Plan id (default: the base).")
    ] = None,
) -> PlanDiff:
    """What this version changes against the one it is based on (or `against`)."""
    plan = access.visible_plan(session, principal, plan_id)
    if against is not None:
        access.visible_plan(session, principal, against)
    elif plan.diff is not None:
        return PlanDiff.model_validate(plan.diff)  # stored by the worker that solved it
    return plan_diff(
        session,
        plan_id=plan_id,
        against_id=against,
        tolerance_min=settings.replan_move_tolerance_min,
    )


@router.post("/{plan_id}/recommendations")
def recommendations(
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PlannerDep,
    plan_id: PathId,
    body: RecommendationRequest,
) -> Recommendations:
    """The best `k` ways to fit a visit in now; nothing is stored or changed."""
    plan = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, plan.scope)
    access.patient_ref(session, principal, body.patient_id, field="patient_id")
    return recommend(
        session,
        plan_id=plan_id,
        request=body,
        settings=settings,
        travel=travel_times_from_settings(settings, engine=engine),
    )


@router.get("/{plan_id}/state")
def read_state(
    session: SessionDep,
    principal: PlannerDep,
    plan_id: PathId,
    at: Annotated[
        WallClock | None, Query(description="Default: now; without an offset, Oslo time.")
    ] = None,
) -> PlanState:
    """Per visit what is done, running or ahead; per staff member when and where they are free."""
    plan = access.visible_plan(session, principal, plan_id)
    return plan_state(session, plan=plan, at=as_aware(at) if at else now())
