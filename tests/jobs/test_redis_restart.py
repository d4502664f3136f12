"""Redis crashes and comes back (a throwaway `redis-server` with its append-only file in the
test's folder): no plan the API acknowledged is lost; a plan asked for while Redis is down is
refused (503) and failed with the reason, never left queued with nobody to solve it."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.auth import load_signing_key
from ambulant.auth.dev_login import development_token
from ambulant.config import Settings
from ambulant.db import create_all
from ambulant.jobs import shutdown_queues
from ambulant.models import Plan, PlanStatus, Role
from api.main import create_app
from tests.builders import make_small_day
from tests.jobs.workers import Workers


class RedisServer:
    """A redis-server on a free loopback port that writes every command to its append-only
    file before answering (appendfsync always), as a production Redis for queues should."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"]
        command += ["--save", "", "--protected-mode", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        client = Redis.from_url(self.url)
        while True:
            try:
                client.ping()
                break
            except RedisConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        client.close()

    def crash(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def status_of(engine: Engine, plan_id: int) -> Plan:
    with Session(engine, expire_on_commit=False) as session:
        return session.get_one(Plan, plan_id)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_plans_acknowledged_before_a_redis_crash_are_solved_after_it(
    engine: Engine, database_url: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        environment="test",
        queue="rq",
        redis_url=redis_server.url,
        solve_time_limit_s=1,
    )
    load_signing_key(settings.signing_key_path)
    create_all(engine)
    with Session(engine) as session:
        region = make_small_day(session)
        token = development_token(session, settings, role=Role.COORDINATOR, municipalities=["all"])
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"date": region.day.isoformat()}
    workers = Workers(database_url, redis_server.url)
    try:
        with TestClient(create_app(settings)) as client:
            acknowledged = []
            for _ in range(2):
                response = client.post("/api/v1/plans", json=body, headers=headers)
                assert response.status_code == 202, response.text
                acknowledged.append(response.json()["id"])

            redis_server.crash()
            response = client.post("/api/v1/plans", json=body, headers=headers)
            assert response.status_code == 503, response.text
            assert "queue" in response.json()["detail"]
            with Session(engine) as session:
                refused = session.exec(select(Plan).order_by(col(Plan.id).desc())).first()
            assert refused is not None and refused.id not in acknowledged
            assert refused.status == PlanStatus.FAILED
            assert refused.error == "the job queue was unavailable"

            redis_server.start()  # the same folder: it reads its append-only file
            workers.start()
            deadline = time.monotonic() + 60
            while {status_of(engine, p).status for p in acknowledged} != {PlanStatus.DRAFT}:
                assert time.monotonic() < deadline, "an acknowledged plan was not solved"
                time.sleep(0.1)
    finally:
        workers.stop_all()
        shutdown_queues()
