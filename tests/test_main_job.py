"""The main job, as a newcomer runs it: `ambulant run` on an empty directory serves the API and a
planned demo day. The server is a real subprocess on 127.0.0.1, stopped by the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

import solver
from ambulant.db import make_engine
from tests.reason_checks import assert_reasons_hold

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_ambulant_run(
    folder: Path, env: Mapping[str, str], ambulant: Path | None = None
) -> subprocess.Popen[str]:
    """`ambulant run` in `folder`, its output readable line by line, in a process group of its
    own so that the test can stop the server and every process it started."""
    return subprocess.Popen(
        [str(ambulant or Path(sys.executable).with_name("ambulant")), "run"],
        cwd=folder,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the process group, SIGKILL after 30 s; closes its output."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is gone already
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def service_env(folder: Path, port: int, solve_time_limit_s: int) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": f"sqlite:///{folder / 'ambulant.db'}",
        "AMBULANT_DATA_DIR": str(folder / "data"),
        "AMBULANT_PORT": str(port),
        "AMBULANT_SOLVE_TIME_LIMIT_S": str(solve_time_limit_s),
    }


@pytest.fixture
def running_service(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = start_ambulant_run(tmp_path, service_env(tmp_path, port, solve_time_limit_s=10))
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop_group(process)


def read_until(process: subprocess.Popen[str], marker: str, timeout_s: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(f"{marker!r} not printed; output:\n" + "\n".join(lines))


def test_ambulant_run_serves_health_and_a_planned_demo_day(
    running_service: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    """Health answers, today's demo plan is solved with >= 95 % of visits assigned, and every
    unassigned visit carries one of the solver's reasons, which the stored day confirms."""
    base, process = running_service
    lines = read_until(process, "coordinator token", timeout_s=120)
    token = read_until(process, ".", timeout_s=10)[-1].strip()
    assert any(f"{base}/docs" in line for line in lines)
    plan_url = next(line.split()[2] for line in lines if "today's plan" in line)
    headers = {"Authorization": f"Bearer {token}"}

    deadline = time.monotonic() + 60
    while True:
        try:
            health = httpx.get(f"{base}/api/v1/health", timeout=5)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the API did not come up"
            time.sleep(0.5)
    assert health.status_code == 200

    deadline = time.monotonic() + 180
    while True:
        plan = httpx.get(plan_url, headers=headers, timeout=10).json()
        if plan["status"] not in ("queued", "solving"):
            break
        assert time.monotonic() < deadline, f"plan still {plan['status']}"
        time.sleep(1)
    assert plan["status"] == "draft", plan.get("error")
    assert plan["kpis"]["visits"] >= 150
    assert plan["kpis"]["assignment_rate"] >= 0.95
    reasons = {r.value for r in solver.Reason}
    assert all(u["reason"] in reasons and u["detail"] for u in plan["unassigned"])
    engine = make_engine(f"sqlite:///{tmp_path / 'ambulant.db'}")
    try:
        assert_reasons_hold(engine, plan["id"])
    finally:
        engine.dispose()
    assert len(plan["routes"]) >= 20
