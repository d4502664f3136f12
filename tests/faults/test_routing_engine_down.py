"""The routing engine stopped or hanging: a plan still solves, on straight-line estimates, and
says so. A hanging server costs at most `osrm_timeout_s` per attempt, not the whole solve."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import PlanStatus
from ambulant.planning.plans import plan_detail, request_plan
from tests.builders import make_small_day


@pytest.fixture
def stopped_url() -> str:
    """A port nothing listens on: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that takes connections (the kernel completes the handshake from the listen
    backlog) and never answers a byte: the engine hung, not gone."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def plan_day_with_osrm(engine: Engine, url: str) -> tuple[dict[str, object], float]:
    settings = Settings(
        solve_time_limit_s=1,
        travel_provider="osrm",
        osrm_url=url,
        osrm_timeout_s=0.3,
        osrm_retries=1,
    )
    with Session(engine, expire_on_commit=False) as session:
        day = make_small_day(session).day
        plan = request_plan(session, day=day, scope="all")
        session.commit()
        assert plan.id is not None
    started = time.monotonic()
    solved = run_job(engine, plan_id=plan.id, settings=settings)
    elapsed = time.monotonic() - started
    assert solved.status == PlanStatus.DRAFT, solved.error
    with Session(engine) as session:
        return plan_detail(session, plan_id=plan.id).model_dump(), elapsed


def assert_planned_on_estimates(detail: dict[str, object], url: str) -> None:
    assert detail["travel_estimated"] is True
    assert detail["unassigned"] == []
    warnings = detail["solver_stats"]["warnings"]  # type: ignore[index]
    assert any(f"OSRM at {url} gave no answer" in w and "geodesic" in w for w in warnings)
    assert detail["routes"], "the day is planned"


def test_a_stopped_routing_engine_plans_on_the_geodesic_fallback(
    engine: Engine, stopped_url: str
) -> None:
    detail, _ = plan_day_with_osrm(engine, stopped_url)
    assert_planned_on_estimates(detail, stopped_url)


@pytest.mark.slow
def test_a_hanging_routing_engine_costs_only_its_timeout(engine: Engine, silent_url: str) -> None:
    """Each request to the silent server waits osrm_timeout_s (0.3 s), twice (one retry), and
    the plan is made on estimates well within the time a solve takes anyway."""
    detail, elapsed = plan_day_with_osrm(engine, silent_url)
    assert_planned_on_estimates(detail, silent_url)
    assert elapsed < 15, f"the hanging engine held the plan for {elapsed:.1f} s"
