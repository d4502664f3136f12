"""A real `ambulant worker` killed with SIGKILL mid-solve: the plan is not lost.

RQ notices a dead worker once its heartbeat has lapsed (heartbeat + 60 s, fixed by RQ) at the
next maintenance of a worker that is alive, so each test takes a good minute.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.jobs.rq_queue import QUEUE_NAME, RqQueue
from ambulant.models import Plan, PlanStatus
from ambulant.planning.plans import request_plan
from tests.builders import make_small_day

pytestmark = pytest.mark.slow


class Workers:
    """`ambulant worker` processes in their own process groups, all stopped at the end."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self.env = os.environ | {
            "DATABASE_URL": database_url,
            "AMBULANT_REDIS_URL": redis_url,
            "AMBULANT_WORKER_HEARTBEAT_S": "1",
            "AMBULANT_WORKER_MAINTENANCE_S": "2",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        ambulant = str(Path(sys.executable).with_name("ambulant"))
        process = subprocess.Popen(
            [ambulant, "worker"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the worker and its work horse die together
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the worker and its work horse (RQ starts the horse in a session of its
        own, so the process group alone would leave it running)."""
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        os.killpg(process.pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(child), signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def workers(database_url: str, redis_url: str) -> Iterator[Workers]:
    Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).empty()
    started = Workers(database_url, redis_url)
    try:
        yield started
    finally:
        started.stop_all()


def plan_of(engine: Engine, plan_id: int) -> Plan:
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        return plan


def wait_for(engine: Engine, plan_id: int, wanted: set[PlanStatus], timeout_s: float) -> Plan:
    deadline = time.monotonic() + timeout_s
    while (plan := plan_of(engine, plan_id)).status not in wanted:
        assert time.monotonic() < deadline, f"plan still {plan.status} after {timeout_s} s"
        time.sleep(0.2)
    return plan


def submit(database_url: str, redis_url: str, plan_id: int, retries: int) -> None:
    settings = Settings(
        database_url=database_url, redis_url=redis_url, solve_time_limit_s=8, job_retries=retries
    )
    queue = RqQueue(settings.model_dump(mode="json"), redis_url=redis_url, job_timeout_s=120)
    queue.submit(plan_id)
    queue.shutdown()


# PostgreSQL adds nothing here (the plan rows are written the same way) but another minute.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_plan_whose_worker_is_killed_is_solved_again_or_fails_with_the_reason(
    engine: Engine, workers: Workers, database_url: str, redis_url: str
) -> None:
    """Two workers, each killed (worker and work horse) in the middle of a solve. The plan with
    a retry left is solved again by the worker that is left and stored once, whole, as a draft;
    the plan with none is failed and says why, instead of saying "solving" for ever."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
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
    time.sleep(0.5)  # the work horses are forked before their plans are marked solving
    workers.kill(first)
    workers.kill(second)
    assert {plan_of(engine, p).status for p in (retried, given_up)} == {PlanStatus.SOLVING}

    workers.start()
    done = {PlanStatus.DRAFT, PlanStatus.FAILED}
    plan = wait_for(engine, retried, done, timeout_s=180)
    assert plan.status == PlanStatus.DRAFT, plan.error
    assert plan.kpis["visits"] > 0
    assert plan.attempts == 2 and plan.worker is not None  # killed once, solved by the retry
    plan = wait_for(engine, given_up, done, timeout_s=60)
    assert plan.status == PlanStatus.FAILED
    assert plan.error is not None and "worker" in plan.error and "stopped" in plan.error
