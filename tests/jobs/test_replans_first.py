"""Replans never wait behind day plans: on RQ they have a queue of their own, which every
worker takes first, whatever was queued before them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.jobs import shutdown_queues, submit_plan
from ambulant.models import Plan, PlanStatus
from ambulant.planning.plans import request_plan
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import ReplanRequest
from tests.builders import make_small_day
from tests.jobs.workers import empty_queues
from tests.replanning.day import COORDINATOR, at, solved_plan


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_replan_queued_after_day_plans_is_solved_before_them(
    engine: Engine, database_url: str, redis_url: str
) -> None:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        queue="rq",
        solve_time_limit_s=1,
        replan_time_limit_s=1,
    )
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
    published = solved_plan(engine, settings, day=region.day)
    empty_queues(redis_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            day_plans = []
            for _ in range(2):
                plan = request_plan(session, day=region.day, scope="all")
                submit_plan(session, settings, plan)
                day_plans.append(plan.id)
            replan = request_replan(
                session,
                plan_id=published,
                request=ReplanRequest(at=at("10:00", region.day)),
                principal=COORDINATOR,
            )
            submit_plan(session, settings, replan)
    finally:
        shutdown_queues()

    # One worker, working until both queues are empty.
    environment = os.environ | {"AMBULANT_REDIS_URL": redis_url, "DATABASE_URL": database_url}
    ambulant = str(Path(sys.executable).with_name("ambulant"))
    worker = subprocess.run(
        [ambulant, "worker", "--burst"], env=environment, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    print(worker.stderr.decode()[-6000:])

    with Session(engine) as session:
        started = {p: session.get_one(Plan, p) for p in [*day_plans, replan.id]}
    assert {p.status for p in started.values()} == {PlanStatus.DRAFT}
    replan_started = started[replan.id].started_at
    assert replan_started is not None
    assert all(replan_started < started[p].started_at for p in day_plans)  # type: ignore[operator]
