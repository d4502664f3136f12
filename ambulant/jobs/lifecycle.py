"""The life of a plan job, the same for a day plan and a replan and for every queue:
queued → solving → draft (done) | failed.

A job queue delivers a plan id; the job marks the plan solving, hands it to the solve of its kind
(a whole day, or the rest of a day that has begun), and stores the outcome with the status in one
transaction: any failure leaves the plan failed with the reason, never half written. A job
delivered twice finds its plan finished and does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.models import Plan, PlanStatus
from ambulant.planning.solve_day import solve_day
from ambulant.replanning.solve_rest_of_day import solve_rest_of_day
from ambulant.timeutil import now

log = logging.getLogger(__name__)

# Who runs a job, as an operator finds the process: the machine and the process id.
WORKER = f"{socket.gethostname()}:{os.getpid()}"

PENDING = (PlanStatus.QUEUED, PlanStatus.SOLVING)
FINISHED = (PlanStatus.DRAFT, PlanStatus.PUBLISHED, PlanStatus.FAILED, PlanStatus.SUPERSEDED)


def run_plan_job(settings_data: dict[str, Any], plan_id: int) -> str:
    """Entry point for job queues: plain, picklable arguments only."""
    settings = Settings.model_validate(settings_data)
    return run_job(engine_for(settings.database_url), plan_id=plan_id, settings=settings).status


def is_replan(plan: Plan) -> bool:
    return "replan" in plan.parameters


def run_job(engine: Engine, *, plan_id: int, settings: Settings) -> Plan:
    """Solves queued plan `plan_id` and stores the outcome; returns the plan as stored."""
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise LookupError(f"plan {plan_id} not found")
        if plan.status not in PENDING:
            return plan  # already done: a job queue may deliver a job twice
        plan.status = PlanStatus.SOLVING
        plan.started_at = now()
        plan.worker = WORKER
        plan.attempts += 1
        session.add(plan)
        session.commit()
        try:
            if is_replan(plan):
                solve_rest_of_day(session, engine, plan, settings)
            else:
                solve_day(session, engine, plan, settings)
            plan.status = PlanStatus.DRAFT
        except Exception as error:
            session.rollback()
            log.exception("plan %s failed", plan_id)
            plan = session.get(Plan, plan_id) or plan
            plan.status = PlanStatus.FAILED
            plan.error = f"{error.__class__.__name__}: {error}"[:2000]
        plan.finished_at = now()
        session.add(plan)
        session.commit()
        return plan


def worker_lost(engine: Engine, *, plan_id: int, retries_left: int) -> None:
    """The worker solving the plan died (killed, or its machine lost): the plan is queued again
    for the retry, or failed with the reason once no retry is left. A plan that was finished
    meanwhile is left as it is."""
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        if plan is None or plan.status not in PENDING:
            return
        if retries_left > 0:
            plan.status = PlanStatus.QUEUED
            log.warning("plan %s: its worker died; solving it again", plan_id)
        else:
            plan.status = PlanStatus.FAILED
            plan.error = "the worker solving this plan stopped and no retry is left; plan it again"
            plan.finished_at = now()
        session.add(plan)
        session.commit()


def wait_for_plan(engine: Engine, *, plan_id: int, timeout_s: float) -> Plan | None:
    """The plan once a worker has finished it, or None if it takes longer than `timeout_s`.

    Polls the row rather than the job, so it works the same for the local pool and RQ."""
    deadline = time.monotonic() + timeout_s
    pause = 0.02
    while True:
        with Session(engine, expire_on_commit=False) as session:
            plan = session.get(Plan, plan_id)
            if plan is not None and plan.status in FINISHED:
                return plan
        if time.monotonic() >= deadline:
            return None
        time.sleep(pause)
        pause = min(pause * 1.5, 0.2)
