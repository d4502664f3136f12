"""`ambulant healthcheck`, the command the containers' health checks run: healthy only when the
API's health route answers 200, or while an RQ worker of this host is registered with a fresh
heartbeat."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from redis import Redis
from rq import Queue, Worker
from typer.testing import CliRunner

from ambulant.cli import app
from ambulant.config import Settings, get_settings
from ambulant.migrate import upgrade_database
from api.main import create_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def api_url(tmp_path: Path) -> Iterator[str]:
    """The real app served by uvicorn on a free loopback port, stopped after the test."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", data_dir=tmp_path)
    upgrade_database(settings.database_url)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_api_health_route_is_healthy_and_a_missing_route_or_server_is_not(
    api_url: str,
) -> None:
    """200 from /api/v1/health exits 0; a 404 and a closed port exit 1 saying why."""
    runner = CliRunner()
    healthy = runner.invoke(app, ["healthcheck", f"{api_url}/api/v1/health"])
    assert healthy.exit_code == 0, healthy.output
    missing = runner.invoke(app, ["healthcheck", f"{api_url}/api/v1/no-such-route"])
    assert missing.exit_code == 1 and "answered 404" in missing.output
    closed = runner.invoke(
        app, ["healthcheck", f"http://127.0.0.1:{free_port()}/api/v1/health", "--timeout", "2"]
    )
    assert closed.exit_code == 1 and "ConnectError" in closed.output


def test_a_url_or_the_worker_must_be_named() -> None:
    """Neither or both is a usage error, not a healthy answer."""
    runner = CliRunner()
    assert runner.invoke(app, ["healthcheck"]).exit_code == 2
    assert runner.invoke(app, ["healthcheck", "http://127.0.0.1:1/", "--worker"]).exit_code == 2


@pytest.mark.redis
def test_a_worker_is_healthy_while_registered_with_a_fresh_heartbeat(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker of this host: unhealthy. Once RQ registers one (as `ambulant worker` does on
    start) and it beats: healthy. After its registration ends (it stopped): unhealthy again."""
    monkeypatch.setenv("AMBULANT_REDIS_URL", redis_url)
    get_settings.cache_clear()
    redis = Redis.from_url(redis_url)
    worker = Worker([Queue("healthcheck-test", connection=redis)], connection=redis)
    # A host of its own, as a container is: other workers on this machine do not count.
    worker.hostname = f"worker-{uuid.uuid4().hex[:12]}"
    check = ["healthcheck", "--worker", "--host", worker.hostname]
    runner = CliRunner()
    try:
        before = runner.invoke(app, check)
        assert before.exit_code == 1 and "no RQ worker" in before.output
        worker.register_birth()
        worker.heartbeat()
        alive = runner.invoke(app, check)
        assert alive.exit_code == 0, alive.output
        worker.register_death()
        gone = runner.invoke(app, check)
        assert gone.exit_code == 1
    finally:
        worker.register_death()
        redis.close()
        get_settings.cache_clear()
