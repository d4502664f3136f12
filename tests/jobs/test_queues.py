"""Solves run outside the caller's process: a spawned process pool, or RQ workers on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.jobs.local import LocalProcessQueue
from ambulant.jobs.recovery import resubmit_pending
from ambulant.jobs.rq_queue import QUEUE_NAME, RqQueue
from ambulant.models import Plan, PlanStatus
from ambulant.planning.plans import request_plan
from tests.builders import make_small_day


def queued_plan(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
        assert plan.id is not None
        return plan.id


def status_of(engine: Engine, plan_id: int) -> PlanStatus:
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        return PlanStatus(plan.status)


def test_local_process_pool_solves_a_queued_plan(engine: Engine, database_url: str) -> None:
    """A plan submitted to the local pool is solved in another process and stored as a draft."""
    plan_id = queued_plan(engine)
    settings = Settings(database_url=database_url, solve_time_limit_s=2)
    queue = LocalProcessQueue(settings.model_dump(mode="json"))
    try:
        queue.submit(plan_id)
        queue.wait(timeout_s=120)
    finally:
        queue.shutdown()
    assert status_of(engine, plan_id) == PlanStatus.DRAFT


def test_rq_worker_solves_a_queued_plan(engine: Engine, database_url: str, redis_url: str) -> None:
    """A plan enqueued on Redis is solved by a real `ambulant worker` process and stored."""
    from redis import Redis
    from rq import Queue

    plan_id = queued_plan(engine)
    settings = Settings(database_url=database_url, redis_url=redis_url, solve_time_limit_s=2)
    redis = Redis.from_url(redis_url)
    Queue(QUEUE_NAME, connection=redis).empty()
    queue = RqQueue(settings.model_dump(mode="json"), redis_url=redis_url, job_timeout_s=120)
    queue.submit(plan_id)
    assert status_of(engine, plan_id) == PlanStatus.QUEUED
    environment = os.environ | {"AMBULANT_REDIS_URL": redis_url, "DATABASE_URL": database_url}
    ambulant = str(Path(sys.executable).with_name("ambulant"))
    command = [ambulant, "worker", "--burst"]
    worker = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=180)
    queue.shutdown()
    redis.close()
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert status_of(engine, plan_id) == PlanStatus.DRAFT


def test_interrupted_plans_are_resubmitted_at_start(engine: Engine, database_url: str) -> None:
    """Queued plans left from a previous run are handed to the queue again and get solved."""
    plan_id = queued_plan(engine)
    settings = Settings(database_url=database_url, solve_time_limit_s=2)
    queue = LocalProcessQueue(settings.model_dump(mode="json"))
    try:
        assert resubmit_pending(engine, queue) == [plan_id]
        deadline = time.monotonic() + 120
        queue.wait(timeout_s=120)
        assert time.monotonic() < deadline
    finally:
        queue.shutdown()
    assert status_of(engine, plan_id) == PlanStatus.DRAFT


def test_every_submission_is_a_job_of_its_own_and_a_cancel_takes_them_all(
    redis_url: str,
) -> None:
    """RQ job ids are not the plan id alone (a new or restored database starts its plan ids
    again while Redis keeps old jobs); cancelling the plan takes each of its jobs off the queue."""
    from redis import Redis
    from rq import Queue

    from tests.jobs.workers import empty_queues

    empty_queues(redis_url)
    settings = Settings(redis_url=redis_url)
    queue = RqQueue(settings.model_dump(mode="json"), redis_url=redis_url, job_timeout_s=60)
    queue.submit(1)
    queue.submit(1)
    queue.submit(2)
    waiting = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).job_ids
    assert len(set(waiting)) == 3 and all(j.startswith(("plan-1-", "plan-2-")) for j in waiting)
    assert queue.cancel(1)
    assert [j.split("-")[1] for j in queue.queue.job_ids] == ["2"]
    queue.shutdown()
