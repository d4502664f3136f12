"""Handing a queued plan to a worker: commit it, then submit it; a queue that refuses it leaves
the plan failed with the reason (it is never left queued with nobody to solve it)."""

from __future__ import annotations

import logging

from sqlmodel import Session

from ambulant.config import Settings
from ambulant.errors import Unavailable
from ambulant.jobs.lifecycle import is_replan
from ambulant.jobs.queues import get_queue, get_replan_queue
from ambulant.models import Plan, PlanStatus

log = logging.getLogger(__name__)


def submit_plan(session: Session, settings: Settings, plan: Plan) -> None:
    """Commits the caller's transaction (the worker is another process and sees only committed
    plans) and queues `plan`: a replan on the replan queue, a day plan on the plan queue."""
    assert plan.id is not None
    session.commit()
    queue = get_replan_queue(settings) if is_replan(plan) else get_queue(settings)
    try:
        queue.submit(plan.id)
    except Exception as error:
        log.exception("plan %s: the job queue refused it", plan.id)
        plan.status = PlanStatus.FAILED
        plan.error = "the job queue was unavailable"
        session.add(plan)
        session.commit()
        kind = "replan" if is_replan(plan) else "plan"
        raise Unavailable(f"the job queue is unavailable; the {kind} was not started") from error
