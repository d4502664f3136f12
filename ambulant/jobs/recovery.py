"""Plans that were queued or solving when the service stopped are picked up again at start."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from ambulant.jobs.queue import JobQueue
from ambulant.models import Plan, PlanStatus

log = logging.getLogger(__name__)


def resubmit_pending(engine: Engine, queue: JobQueue) -> list[int]:
    """Hands every queued or interrupted plan to `queue` again; returns their ids.

    A database that cannot be reached is logged, not raised: the API must still start, so that
    its health check can say the database is down.
    """
    try:
        with Session(engine) as session:
            pending = session.exec(
                select(Plan.id).where(col(Plan.status).in_([PlanStatus.QUEUED, PlanStatus.SOLVING]))
            ).all()
    except SQLAlchemyError as error:
        log.warning("could not look for interrupted plans: %s", error.__class__.__name__)
        return []
    ids = [plan_id for plan_id in pending if plan_id is not None]
    for plan_id in ids:
        queue.submit(plan_id)
    return ids
