"""Plans (coordinators only): ask for a solve, follow it, read it, publish it.

A solve runs in a worker process, so asking for a plan answers 202 at once; the client polls
GET /plans/{id} until the status is draft (or failed).
"""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ambulant.jobs import get_queue
from ambulant.models import PlanStatus
from ambulant.planning import service
from ambulant.planning.views import PlanDetail, PlanSummary
from api.deps import DateQuery, SessionDep, SettingsDep, require_planner

log = logging.getLogger(__name__)

router = APIRouter(prefix="/plans", tags=["plans"], dependencies=[Depends(require_planner)])


class PlanRequest(BaseModel):
    date: dt.date
    scope: str = Field(default="all", max_length=40, description="'all' or a municipality code.")


class PlanAccepted(BaseModel):
    id: int
    status: PlanStatus
    version: int


@router.post(
    "",
    status_code=202,
    response_model=PlanAccepted,
    responses={503: {"description": "The job queue does not take the plan."}},
)
def request_plan(
    session: SessionDep, settings: SettingsDep, body: PlanRequest, response: Response
) -> PlanAccepted | JSONResponse:
    plan = service.request_plan(session, day=body.date, scope=body.scope)
    assert plan.id is not None
    # The worker is another process: it can only see the plan once it is committed.
    session.commit()
    try:
        get_queue(settings).submit(plan.id)
    except Exception:
        log.exception("plan %s: the job queue refused it", plan.id)
        plan.status = PlanStatus.FAILED
        plan.error = "the job queue was unavailable"
        session.add(plan)
        session.commit()
        return JSONResponse(
            {"detail": "the job queue is unavailable; the plan was not started", "field": None},
            status_code=503,
        )
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return PlanAccepted(id=plan.id, status=plan.status, version=plan.version)


@router.get("")
def list_plans(
    session: SessionDep, day: DateQuery = None, scope: str | None = None
) -> list[PlanSummary]:
    plans = service.list_plans(session, day=day, scope=scope)
    return [service.plan_summary(plan) for plan in plans]


@router.get("/{plan_id}")
def read_plan(session: SessionDep, plan_id: int) -> PlanDetail:
    return service.plan_detail(session, plan_id=plan_id)


@router.post("/{plan_id}/publish")
def publish_plan(session: SessionDep, plan_id: int) -> PlanSummary:
    return service.plan_summary(service.publish_plan(session, plan_id=plan_id))
