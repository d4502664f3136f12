"""A plan's job as its readers see it, the same whichever queue ran it: one of queued, running,
done, failed, cancelled; the worker, when it started and finished, and while it runs the best
plan found so far (written by the worker about once a second)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel

from ambulant.models import Plan, PlanStatus


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


STATE_OF_STATUS = {
    PlanStatus.QUEUED: JobState.QUEUED,
    PlanStatus.SOLVING: JobState.RUNNING,
    PlanStatus.DRAFT: JobState.DONE,
    PlanStatus.PUBLISHED: JobState.DONE,
    PlanStatus.SUPERSEDED: JobState.DONE,
    PlanStatus.FAILED: JobState.FAILED,
    PlanStatus.CANCELLED: JobState.CANCELLED,
}


class JobView(BaseModel):
    state: JobState
    worker: str | None
    """host:pid of the worker that last ran the job."""
    attempts: int
    """How often a worker started the job (over 1: a worker died and the job was retried)."""
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    best_objective: int | None
    """The objective of the best plan so far (lower is better); once done, the plan's own."""
    visits_placed: int | None
    """Visits in the best plan so far; once done, in the plan."""
    visits_total: int | None
    progress_at: dt.datetime | None
    """When the worker last wrote its progress (about once a second while it solves)."""
    error: str | None


def job_view(plan: Plan) -> JobView:
    progress = plan.progress or {}
    state = STATE_OF_STATUS[PlanStatus(plan.status)]
    best = progress.get("best_objective")
    placed = progress.get("visits_placed")
    total = progress.get("visits_total")
    if state == JobState.DONE:
        best = plan.objective.get("total", best)
        placed = plan.kpis.get("assigned_visits", placed)
        total = plan.kpis.get("visits", total)
    at = progress.get("at")
    return JobView(
        state=state,
        worker=plan.worker,
        attempts=plan.attempts,
        started_at=plan.started_at,
        finished_at=plan.finished_at,
        best_objective=_whole(best),
        visits_placed=_whole(placed),
        visits_total=_whole(total),
        progress_at=dt.datetime.fromisoformat(at) if at else None,
        error=plan.error,
    )


def _whole(number: float | None) -> int | None:
    return None if number is None else round(number)
