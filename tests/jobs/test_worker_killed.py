"""A real `ambulant worker` killed with SIGKILL mid-solve: the plan is not lost.

RQ finds the job abandoned once its heartbeat has lapsed (heartbeat + `worker_grace_s`, here
1 + 3 s) at the next maintenance of a worker that is alive (here every second)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.jobs.rq_queue import RqQueue
from ambulant.models import Plan, PlanStatus
from ambulant.planning.plans import request_plan
from tests.jobs.days import make_busy_day
from tests.jobs.workers import Workers, empty_queues


@pytest.fixture
def workers(database_url: str, redis_url: str) -> Iterator[Workers]:
    empty_queues(redis_url)
    started = Workers(database_url, redis_url)
    try:
        yield started
    finally:
        started.stop_all()


def plan_of(engine: Engine, plan_id: int) -> Plan:
    with Session(engine, expire_on_commit=False) as session:
        return session.get_one(Plan, plan_id)


def wait_for(engine: Engine, plan_id: int, wanted: set[PlanStatus], timeout_s: float) -> Plan:
    deadline = time.monotonic() + timeout_s
    while (plan := plan_of(engine, plan_id)).status not in wanted:
        assert time.monotonic() < deadline, f"plan still {plan.status} after {timeout_s} s"
        time.sleep(0.1)
    return plan


def submit(database_url: str, redis_url: str, plan_id: int, retries: int) -> None:
    settings = Settings(
        database_url=database_url, redis_url=redis_url, solve_time_limit_s=3, job_retries=retries
    )
    queue = RqQueue(settings.model_dump(mode="json"), redis_url=redis_url, job_timeout_s=120)
    queue.submit(plan_id)
    queue.shutdown()


# PostgreSQL adds nothing here (the plan rows are written the same way) but time.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_plan_whose_worker_is_killed_is_solved_again_or_fails_with_the_reason(
    engine: Engine, workers: Workers, database_url: str, redis_url: str
) -> None:
    """Two workers, each killed (worker and work horse) in the middle of a solve. The plan with
    a retry left is solved again by a worker started after and stored once, whole, as a draft;
    the plan with none is failed and says why, instead of saying "solving" for ever."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_busy_day(session)
        retried, given_up = (
            request_plan(session, day=region.day, scope="all").id for _ in range(2)
        )
        session.commit()
    assert retried is not None and given_up is not None
    submit(database_url, redis_url, retried, retries=1)
    submit(database_url, redis_url, given_up, retries=0)
    first, second = workers.start(), workers.start()
    for plan_id in (retried, given_up):
        wait_for(engine, plan_id, {PlanStatus.SOLVING}, timeout_s=60)
    workers.kill(first)
    workers.kill(second)
    assert {plan_of(engine, p).status for p in (retried, given_up)} == {PlanStatus.SOLVING}

    workers.start()
    done = {PlanStatus.DRAFT, PlanStatus.FAILED}
    plan = wait_for(engine, retried, done, timeout_s=60)
    assert plan.status == PlanStatus.DRAFT, plan.error
    assert plan.kpis["visits"] == 60
    assert plan.attempts == 2 and plan.worker is not None  # killed once, solved by the retry
    plan = wait_for(engine, given_up, done, timeout_s=30)
    assert plan.status == PlanStatus.FAILED
    assert plan.error is not None and "worker" in plan.error and "stopped" in plan.error
