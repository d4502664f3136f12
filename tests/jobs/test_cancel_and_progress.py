"""A plan's job through the API, the same on both backends (the local process pool and a real
`ambulant worker` on Redis): its progress while it solves, and cancelling it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from ambulant.auth import load_signing_key
from ambulant.auth.dev_login import development_token
from ambulant.config import Settings
from ambulant.db import create_all
from ambulant.jobs.local import LocalProcessQueue
from ambulant.jobs.queues import get_queue
from ambulant.jobs.rq_queue import QUEUE_NAME, job_prefix
from ambulant.models import AuditEntry, PlanRoute, PlanStop, Role
from api.main import create_app
from tests.builders import DAY
from tests.jobs.days import make_busy_day
from tests.jobs.workers import Workers, empty_queues

# The tables are the same on PostgreSQL; SQLite keeps these tests short.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

Headers = dict[str, str]


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path, redis_url: str
) -> Settings:
    backend = getattr(request, "param", "local")
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        environment="test",
        queue=backend,
        redis_url=redis_url,
        solve_time_limit_s=60,
        job_retries=0,
    )
    load_signing_key(settings.signing_key_path)
    return settings


@pytest.fixture
def busy_day(engine: Engine, redis_url: str) -> Engine:
    """The busy day in the database, and the queues empty."""
    create_all(engine)
    with Session(engine) as session:
        make_busy_day(session)
    empty_queues(redis_url)
    return engine


@pytest.fixture
def client(settings: Settings, busy_day: Engine, redis_url: str) -> Iterator[TestClient]:
    workers = Workers(settings.database_url, redis_url)
    if settings.queue == "rq":
        workers.start()
    try:
        with TestClient(create_app(settings)) as client:
            yield client
    finally:
        workers.stop_all()


@pytest.fixture
def coordinator(settings: Settings, busy_day: Engine) -> Headers:
    with Session(busy_day) as session:
        token = development_token(session, settings, role=Role.COORDINATOR, municipalities=["all"])
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def job_of(client: TestClient, headers: Headers, plan_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/plans/{plan_id}", headers=headers)
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()["job"]
    return job


def wait_for_job(
    client: TestClient, headers: Headers, plan_id: int, timeout_s: float, done: Any
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while not done(job := job_of(client, headers, plan_id)):
        assert time.monotonic() < deadline, f"job still {job}"
        time.sleep(0.1)
    return job


def rows_of(engine: Engine, plan_id: int) -> int:
    with Session(engine) as session:
        stops = session.exec(select(func.count()).where(PlanStop.plan_id == plan_id)).one()
        routes = session.exec(select(func.count()).where(PlanRoute.plan_id == plan_id)).one()
        return stops + routes


def worker_finished(settings: Settings, plan_id: int, timeout_s: float) -> None:
    """Waits until the worker that ran the plan's job has returned from it."""
    if settings.queue == "local":
        queue = get_queue(settings)
        assert isinstance(queue, LocalProcessQueue)
        queue.wait(timeout_s=timeout_s)
        return
    redis = Redis.from_url(settings.redis_url)
    deadline = time.monotonic() + timeout_s
    (found,) = [k.decode() for k in redis.keys(f"rq:job:{job_prefix(plan_id)}*")]
    while (
        Job.fetch(found.removeprefix("rq:job:"), connection=redis).get_status()
        != JobStatus.FINISHED
    ):
        assert time.monotonic() < deadline, "the worker is still on the job"
        time.sleep(0.1)
    redis.close()


@pytest.mark.parametrize("settings", ["local", "rq"], indirect=True)
def test_a_solving_plan_shows_its_progress_and_stops_when_cancelled(
    client: TestClient, coordinator: Headers, settings: Settings, engine: Engine
) -> None:
    """A 60-visit day given a minute to solve: while it runs, GET /plans/{id} shows the job
    running on a worker, with the best plan so far, updated as the search goes on. Cancelled,
    the search stops long before its minute and the plan ends cancelled with nothing stored;
    cancelling it again is 409, and the cancel is in the audit trail."""
    response = client.post("/api/v1/plans", json={"date": DAY.isoformat()}, headers=coordinator)
    assert response.status_code == 202, response.text
    plan_id = response.json()["id"]

    first = wait_for_job(client, coordinator, plan_id, 60, lambda j: j["progress_at"] is not None)
    assert first["state"] == "running"
    assert first["worker"] and first["started_at"] and first["finished_at"] is None
    assert first["visits_total"] == 60 and 0 < first["visits_placed"] <= 60
    later = wait_for_job(
        client, coordinator, plan_id, 10, lambda j: j["progress_at"] != first["progress_at"]
    )
    assert later["state"] == "running"
    assert later["best_objective"] <= first["best_objective"]

    response = client.post(f"/api/v1/plans/{plan_id}/cancel", headers=coordinator)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    worker_finished(settings, plan_id, timeout_s=20)  # not the minute it had to solve

    job = job_of(client, coordinator, plan_id)
    assert job["state"] == "cancelled" and job["finished_at"] is not None
    assert rows_of(engine, plan_id) == 0  # nothing of the solve was stored
    response = client.post(f"/api/v1/plans/{plan_id}/cancel", headers=coordinator)
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    with Session(engine) as session:
        cancels = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "cancel", AuditEntry.resource_id == str(plan_id)
            )
        ).all()
    assert len(cancels) == 1


@pytest.mark.parametrize("settings", ["rq"], indirect=True)
def test_cancelling_a_queued_plan_takes_it_off_the_queue(
    settings: Settings, engine: Engine, coordinator: Headers, redis_url: str
) -> None:
    """With no worker running, a plan waits on the queue; cancelled, its job leaves the queue
    (no worker will ever get it) and the plan ends cancelled, never having been started."""
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/plans", json={"date": DAY.isoformat()}, headers=coordinator)
        plan_id = response.json()["id"]
        redis = Redis.from_url(redis_url)
        queue = Queue(QUEUE_NAME, connection=redis)
        (waiting,) = queue.job_ids
        assert waiting.startswith(job_prefix(plan_id))
        response = client.post(f"/api/v1/plans/{plan_id}/cancel", headers=coordinator)
        assert response.status_code == 200, response.text
        assert queue.job_ids == []
        assert Job.fetch(waiting, connection=redis).get_status() == JobStatus.CANCELED
        job = job_of(client, coordinator, plan_id)
        redis.close()
    assert job["state"] == "cancelled" and job["attempts"] == 0 and job["worker"] is None
