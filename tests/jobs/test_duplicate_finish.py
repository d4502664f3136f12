"""A job delivered twice, run by two workers at once: both solve, one stores the plan, whole,
and the other writes nothing. Late writers cannot move a finished plan back."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job, worker_lost
from ambulant.jobs.transitions import claim
from ambulant.models import Plan, PlanRoute, PlanStatus, PlanStop, UnassignedVisit
from ambulant.planning.plans import request_plan
from tests.builders import make_small_day


def queued_plan(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
        assert plan.id is not None
        return plan.id


def test_two_workers_finishing_the_same_job_store_one_plan(
    engine: Engine, database_url: str
) -> None:
    """Two workers take the same plan's job at the same moment (as after a retry of a job whose
    worker only seemed dead) and both solve it. One finish wins: the plan is a draft with one
    route per nurse and each visit part once; the other's rows were never committed."""
    plan_id = queued_plan(engine)
    settings = Settings(database_url=database_url, solve_time_limit_s=2)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        start.wait()
        outcomes.append(run_job(engine, plan_id=plan_id, settings=settings).status)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes == [PlanStatus.DRAFT, PlanStatus.DRAFT]
    with Session(engine) as session:
        plan = session.get_one(Plan, plan_id)
        assert plan.attempts == 2  # both took the job, so both reached their finish
        routes = session.exec(select(PlanRoute.staff_id).where(PlanRoute.plan_id == plan_id))
        staff = list(routes)
        parts = session.exec(
            select(PlanStop.visit_id, PlanStop.part).where(
                PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None)
            )
        ).all()
        unassigned = session.exec(
            select(func.count()).where(UnassignedVisit.plan_id == plan_id)
        ).one()
    assert len(staff) == len(set(staff)) == 2
    assert len(parts) == len(set(parts))
    # Five visits, one of them joint (two parts): every one placed exactly once.
    assert len(parts) + unassigned == 6 and plan.kpis["visits"] == 5


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_finished_plan_is_not_moved_back_by_a_late_writer(
    engine: Engine, database_url: str
) -> None:
    """After the plan is stored: a job delivered again does not take it, RQ's word that its
    worker died (a late failure callback) neither requeues nor fails it."""
    plan_id = queued_plan(engine)
    settings = Settings(database_url=database_url, solve_time_limit_s=2)
    assert run_job(engine, plan_id=plan_id, settings=settings).status == PlanStatus.DRAFT
    assert not claim(engine, plan_id, worker="late:1")
    worker_lost(engine, plan_id=plan_id, retries_left=1)
    worker_lost(engine, plan_id=plan_id, retries_left=0)
    again = run_job(engine, plan_id=plan_id, settings=settings)
    assert again.status == PlanStatus.DRAFT and again.attempts == 1 and again.error is None
