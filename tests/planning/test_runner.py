"""Solving a queued plan and storing it: routes, stops, breaks and unassigned visits, or a clean
failure. Every stored plan is re-checked against the problem by the independent validator."""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import Engine
from sqlmodel import Session, col, select

import solver
from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Plan, PlanRoute, PlanStatus, PlanStop, UnassignedVisit
from ambulant.planning.plans import plan_detail, request_plan
from tests.builders import make_patient, make_small_day, make_visit

SETTINGS = Settings(solve_time_limit_s=2, solve_seed=0)


def queue_plan(engine: Engine, day: dt.date) -> int:
    with Session(engine, expire_on_commit=False) as session:
        plan = request_plan(session, day=day, scope="all")
        session.commit()
        assert plan.id is not None
        return plan.id


def test_small_day_is_planned_and_stored(engine: Engine) -> None:
    """Every visit of a plannable day is stored in a route, in order, with a break per nurse."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
    plan_id = queue_plan(engine, region.day)
    plan = run_job(engine, plan_id=plan_id, settings=SETTINGS)
    assert plan.status == PlanStatus.DRAFT, plan.error
    with Session(engine, expire_on_commit=False) as session:
        detail = plan_detail(session, plan_id=plan_id)
        stops = session.exec(select(PlanStop).where(PlanStop.plan_id == plan_id)).all()
    assert detail.unassigned == []
    visit_parts = sorted((s.visit_id, s.part) for s in stops if s.kind == "visit")
    expected = sorted(
        [(v.id, 0) for v in region.visits] + [(region.visits[-1].id, 1)]  # the joint visit
    )
    assert visit_parts == expected
    for route in detail.routes:
        assert [s.sequence for s in route.stops] == list(range(1, len(route.stops) + 1))
        starts = [s.start_at for s in route.stops]
        assert starts == sorted(starts)
        assert sum(1 for s in route.stops if s.kind == "break") == 1
    joint = [s for s in stops if s.visit_id == region.visits[-1].id]
    assert len({s.staff_id for s in joint}) == 2 and len({s.start_at for s in joint}) == 1
    assert detail.kpis["assigned_visits"] == len(region.visits)
    assert detail.travel_provider == "geodesic"
    assert detail.objective["total"] >= 0


def test_impossible_visit_is_unassigned_with_a_true_reason(engine: Engine) -> None:
    """A visit needing a skill nobody has is left out, and the plan says so."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
        odd = make_visit(session, region, make_patient(session, region), skills=["maternity_care"])
        session.commit()
    plan = run_job(engine, plan_id=queue_plan(engine, region.day), settings=SETTINGS)
    assert plan.status == PlanStatus.DRAFT
    with Session(engine, expire_on_commit=False) as session:
        left_out = session.exec(select(UnassignedVisit)).all()
    assert [(u.visit_id, u.reason) for u in left_out] == [
        (odd.id, solver.Reason.NO_SKILLED_STAFF.value)
    ]


def test_failure_leaves_the_plan_failed_and_nothing_half_written(engine: Engine) -> None:
    """When the day can no longer be built, the plan is FAILED with a message and has no stops."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
    plan_id = queue_plan(engine, region.day)
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        plan.date = region.day + dt.timedelta(days=3)  # a day without shifts
        session.add(plan)
        session.commit()
    plan = run_job(engine, plan_id=plan_id, settings=SETTINGS)
    assert plan.status == PlanStatus.FAILED
    assert plan.error and "no shifts" in plan.error
    with Session(engine, expire_on_commit=False) as session:
        assert session.exec(select(PlanStop).where(PlanStop.plan_id == plan_id)).all() == []
        assert session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan_id)).all() == []


def test_a_finished_plan_is_not_solved_again(engine: Engine) -> None:
    """A job delivered twice leaves the first result alone; the plan names the worker that ran
    it (this process) and counts one start."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
    plan_id = queue_plan(engine, region.day)
    first = run_job(engine, plan_id=plan_id, settings=SETTINGS)
    again = run_job(engine, plan_id=plan_id, settings=SETTINGS)
    assert again.finished_at == first.finished_at
    assert again.worker == f"{socket.gethostname()}:{os.getpid()}" and again.attempts == 1
    with Session(engine, expire_on_commit=False) as session:
        routes = session.exec(select(PlanRoute).where(col(PlanRoute.plan_id) == plan_id)).all()
    assert len(routes) == len(region.staff)
