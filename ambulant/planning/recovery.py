"""Plans that were queued or solving when the service stopped are picked up again at start."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.jobs.queue import JobQueue
from ambulant.models import Plan, PlanStatus


def resubmit_pending(engine: Engine, queue: JobQueue) -> list[int]:
    """Hands every queued or interrupted plan to `queue` again; returns their ids."""
    with Session(engine) as session:
        pending = session.exec(
            select(Plan.id).where(col(Plan.status).in_([PlanStatus.QUEUED, PlanStatus.SOLVING]))
        ).all()
    ids = [plan_id for plan_id in pending if plan_id is not None]
    for plan_id in ids:
        queue.submit(plan_id)
    return ids
