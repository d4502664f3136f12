"""Replanning during the day (coordinators, for their scope): replan a plan, read what changed,
look at who could take a visit, and see where the day stands.

A replan solves in a worker; the request waits up to `replan_wait_s` for it and answers 201 with
the new version and its diff, or 202 with its id when it takes longer (poll GET /plans/{id}).
A replan based on a version that is no longer current answers 409 with the current version.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Query, Response
from fastapi.responses import JSONResponse

from ambulant.auth import access
from ambulant.errors import InvalidInput
from ambulant.execution.state import PlanState, plan_state
from ambulant.jobs import get_replan_queue
from ambulant.models import AuditAction, PlanStatus
from ambulant.models.ranges import MAX_ID
from ambulant.notify import announce
from ambulant.planning import service as plans
from ambulant.replanning import service
from ambulant.replanning.diff import PlanDiff, plan_diff
from ambulant.replanning.publishing import publish_version
from ambulant.replanning.recommend import recommend
from ambulant.replanning.versions import VersionConflict
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
    PathId,
    PlannerDep,
    SessionDep,
    SettingsDep,
    require_planner,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/plans", tags=["replanning"], dependencies=[Depends(require_planner)])

IfMatch = Annotated[
    str | None, Header(description='The plan version the change is based on, e.g. "3".')
]


def version_conflict(error: VersionConflict) -> JSONResponse:
    return JSONResponse(
        {
            "detail": error.message,
            "field": error.field,
            "current_plan_id": error.current_plan_id,
            "current_version": error.current_version,
        },
        status_code=409,
        headers={"ETag": f'"{error.current_version}"'} if error.current_version else None,
    )


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
) -> ReplanAnswer | JSONResponse:
    base = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, base.scope)
    # Everything the request names must be within the caller's reach, like any other body.
    for i, visit in enumerate(body.new_visits):
        access.patient_ref(
            session, principal, visit.patient_id, field=f"new_visits[{i}].patient_id"
        )
    for visit_id in [*body.cancelled_visit_ids, *(late.visit_id for late in body.running_late)]:
        access.visit_ref(session, principal, visit_id, field="visit_id")
    for absence in body.unavailable:
        access.staff_ref(session, principal, absence.staff_id, field="unavailable.staff_id")
    try:
        plan = service.request_replan(
            session,
            plan_id=plan_id,
            request=body,
            principal=principal,
            based_on_version=_version(if_match),
        )
    except VersionConflict as error:
        return version_conflict(error)
    assert plan.id is not None and base.id is not None
    audit.record(AuditAction.PLAN, "plan", plan.id)
    session.commit()  # the worker is another process
    try:
        get_replan_queue(settings).submit(plan.id)
    except Exception:
        log.exception("replan %s: the job queue refused it", plan.id)
        plan.status = PlanStatus.FAILED
        plan.error = "the job queue was unavailable"
        session.add(plan)
        session.commit()
        return JSONResponse(
            {"detail": "the job queue is unavailable; the replan was not started", "field": None},
            status_code=503,
        )
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    finished = service.wait_for_plan(engine, plan_id=plan.id, timeout_s=settings.replan_wait_s)
    if finished is None:
        response.status_code = 202
        return ReplanAnswer(
            plan=plans.plan_summary(plan), based_on_plan_id=base.id, based_on_version=base.version
        )
    session.expire_all()
    answer = ReplanAnswer(
        plan=plans.plan_summary(finished),
        based_on_plan_id=base.id,
        based_on_version=base.version,
        error=finished.error,
        warnings=list(finished.solver_stats.get("warnings", [])),
    )
    if finished.status != PlanStatus.DRAFT:
        return answer
    answer.diff = plan_diff(
        session, plan_id=plan.id, tolerance_min=settings.replan_move_tolerance_min
    )
    if body.publish:
        try:
            published, events = publish_version(session, plan_id=plan.id)
        except VersionConflict as error:
            return version_conflict(error)
        audit.record(AuditAction.PUBLISH, "plan", plan.id)
        answer.plan, answer.published = plans.plan_summary(published), True
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
    access.visible_plan(session, principal, plan_id)
    if against is not None:
        access.visible_plan(session, principal, against)
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


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput('If-Match must be a plan version, e.g. "3"', field="If-Match")
    return int(text)
