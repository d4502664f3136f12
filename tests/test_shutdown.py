"""SIGTERM to `ambulant run` while it solves stops every process it started, and the plan it was
solving is solved on the next start."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from ambulant.db import make_engine
from ambulant.models import Plan, PlanStatus
from tests.test_main_job import (
    free_port,
    read_until,
    service_env,
    start_ambulant_run,
    stop_group,
)

pytestmark = pytest.mark.slow


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc (Linux)."""
    found: set[int] = set()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return found
    for child in map(int, children):
        found |= {child} | descendants(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def start(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return start_ambulant_run(tmp_path, service_env(tmp_path, port, solve_time_limit_s=10))


def plan_status(tmp_path: Path, plan_id: int) -> PlanStatus:
    engine = make_engine(f"sqlite:///{tmp_path / 'ambulant.db'}")
    try:
        with Session(engine) as session:
            plan = session.get(Plan, plan_id)
            assert plan is not None
            return PlanStatus(plan.status)
    finally:
        engine.dispose()


def test_sigterm_stops_the_server_and_its_solver(tmp_path: Path) -> None:
    port = free_port()
    process = start(tmp_path, port)
    try:
        lines = read_until(process, "coordinator token", timeout_s=120)
        plan_url = next(line.split()[2] for line in lines if "today's plan" in line)
        plan_id = int(plan_url.rsplit("/", 1)[1])
        deadline = time.monotonic() + 60
        while plan_status(tmp_path, plan_id) != PlanStatus.SOLVING:
            assert time.monotonic() < deadline, "the demo plan never started solving"
            time.sleep(0.2)
        started = descendants(process.pid)
        assert started, "the solve runs in a worker process of its own"

        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        while any(alive(pid) for pid in started) and time.monotonic() - stopped_at < 10:
            time.sleep(0.2)
        assert not [pid for pid in started if alive(pid)], "processes left running"
        assert plan_status(tmp_path, plan_id) in (PlanStatus.QUEUED, PlanStatus.SOLVING)
    finally:
        stop_group(process)

    again = start(tmp_path, port)
    try:
        deadline = time.monotonic() + 150
        while plan_status(tmp_path, plan_id) in (PlanStatus.QUEUED, PlanStatus.SOLVING):
            assert time.monotonic() < deadline, "the interrupted plan was not solved on restart"
            time.sleep(1)
        assert plan_status(tmp_path, plan_id) == PlanStatus.DRAFT
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).status_code == 200
    finally:
        stop_group(again)
