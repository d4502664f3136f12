"""The life of a plan job, the same for a day plan and a replan and for every queue:
queued → solving → draft (done) | failed | cancelled.

A job queue delivers a plan id; the job claims the plan (queued → solving), hands it to the
solve of its kind (a whole day, or the rest of a day that has begun) with a monitor that writes
progress and stops the search once the plan is no longer solving, and stores the outcome with
the status in one transaction. Every move is a compare-and-set from the state it expects
(`ambulant.jobs.transitions`): the result is written only if the plan is still solving, whole,
in the same transaction as solving → draft; a second worker finishing the same job, or a worker
finishing after a cancel, writes nothing. Any failure leaves the plan failed with the reason,
never half written. A job delivered after its plan finished does nothing.
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
from ambulant.jobs.transitions import PENDING, claim, move
from ambulant.jobs.watch import job_monitor
from ambulant.models import Plan, PlanStatus
from ambulant.planning.solve_day import solve_day
from ambulant.replanning.solve_rest_of_day import solve_rest_of_day
from ambulant.timeutil import now

log = logging.getLogger(__name__)

FINISHED = (
    PlanStatus.DRAFT,
    PlanStatus.PUBLISHED,
    PlanStatus.FAILED,
    PlanStatus.SUPERSEDED,
    PlanStatus.CANCELLED,
)


def run_plan_job(settings_data: dict[str, Any], plan_id: int) -> str:
    """Entry point for job queues: plain, picklable arguments only."""
    settings = Settings.model_validate(settings_data)
    return run_job(engine_for(settings.database_url), plan_id=plan_id, settings=settings).status


def is_replan(plan: Plan) -> bool:
    return "replan" in plan.parameters


def run_job(engine: Engine, *, plan_id: int, settings: Settings) -> Plan:
    """Solves queued plan `plan_id` and stores the outcome; returns the plan as stored."""
    if not claim(engine, plan_id, worker=worker_name()):
        return read_plan(engine, plan_id)  # finished or cancelled already: nothing to do
    monitor = job_monitor(engine, plan_id)
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get_one(Plan, plan_id)
        try:
            if is_replan(plan):
                solve_rest_of_day(session, engine, plan, settings, monitor=monitor)
            else:
                solve_day(session, engine, plan, settings, monitor=monitor)
            session.flush()
            stored = not monitor.stopped and move(
                session,
                plan_id,
                expected=[PlanStatus.SOLVING],
                to=PlanStatus.DRAFT,
                finished_at=now(),
            )
            if stored:
                session.commit()
            else:
                # Cancelled, or stored by another worker that ran the same job: write nothing.
                session.rollback()
                log.info("plan %s: no longer solving; its result is dropped", plan_id)
        except Exception as error:
            session.rollback()
            log.exception("plan %s failed", plan_id)
            move(
                session,
                plan_id,
                expected=[PlanStatus.SOLVING],
                to=PlanStatus.FAILED,
                error=f"{error.__class__.__name__}: {error}"[:2000],
                finished_at=now(),
            )
            session.commit()
    return read_plan(engine, plan_id)


def worker_name() -> str:
    """Who runs a job, as an operator finds the process: the machine and the process id (read
    at each job: RQ's work horse is a fork, with a process id of its own)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def read_plan(engine: Engine, plan_id: int) -> Plan:
    with Session(engine, expire_on_commit=False) as session:
        return session.get_one(Plan, plan_id)


def worker_lost(engine: Engine, *, plan_id: int, retries_left: int) -> None:
    """The worker solving the plan died (killed, or its machine lost): the plan is queued again
    for the retry, or failed with the reason once no retry is left. A plan that was finished
    or cancelled meanwhile is left as it is."""
    with Session(engine) as session:
        if retries_left > 0:
            if move(session, plan_id, expected=PENDING, to=PlanStatus.QUEUED):
                log.warning("plan %s: its worker died; solving it again", plan_id)
        else:
            move(
                session,
                plan_id,
                expected=PENDING,
                to=PlanStatus.FAILED,
                error="the worker solving this plan stopped and no retry is left; plan it again",
                finished_at=now(),
            )
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
