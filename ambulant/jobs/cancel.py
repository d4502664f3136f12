"""Cancelling a plan's job: a queued plan is taken off its queue, a solving one stops within
about a second (its worker's search checks the plan's state between iterations and then writes
nothing), and either ends `cancelled`. A finished plan cannot be cancelled (409)."""

from __future__ import annotations

import logging

from sqlmodel import Session

from ambulant.config import Settings
from ambulant.errors import Conflict
from ambulant.jobs.lifecycle import is_replan
from ambulant.jobs.queues import get_queue, get_replan_queue
from ambulant.jobs.transitions import PENDING, move
from ambulant.models import Plan, PlanStatus
from ambulant.timeutil import now

log = logging.getLogger(__name__)


def cancel_plan(session: Session, settings: Settings, plan: Plan) -> Plan:
    """Moves `plan` from queued or solving to cancelled and commits the caller's transaction
    with it (its audit entry goes in with the cancel); raises Conflict when it has finished."""
    assert plan.id is not None
    if not move(
        session,
        plan.id,
        expected=PENDING,
        to=PlanStatus.CANCELLED,
        finished_at=now(),
        error="cancelled by a coordinator",
    ):
        session.rollback()
        session.refresh(plan)
        raise Conflict(
            f"plan {plan.id} is {plan.status}: only a queued or solving plan can be cancelled",
            field="status",
        )
    session.commit()
    session.refresh(plan)
    queue = get_replan_queue(settings) if is_replan(plan) else get_queue(settings)
    try:
        queue.cancel(plan.id)
    except Exception:
        # The cancel stands: a worker that gets the job finds the plan cancelled and does nothing.
        log.exception("plan %s: could not take its job off the queue", plan.id)
    return plan
