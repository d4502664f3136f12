"""Publishing a plan and reading a nurse's schedule from it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.errors import Conflict, InvalidInput, NotFound
from ambulant.jobs.lifecycle import run_job
from ambulant.models import PlanStatus
from ambulant.planning.plans import list_plans, publish_plan, request_plan
from ambulant.planning.staff_schedule import patient_ids_in_schedule, staff_schedule
from ambulant.timeutil import local
from tests.builders import (
    TinyRegion,
    make_patient,
    make_region,
    make_small_day,
    make_staff,
    make_visit,
)

SETTINGS = Settings(solve_time_limit_s=2)


def planned_day(engine: Engine) -> tuple[TinyRegion, int]:
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
        assert plan.id is not None
    run_job(engine, plan_id=plan.id, settings=SETTINGS)
    return region, plan.id


def test_schedule_is_hidden_until_published_then_complete(engine: Engine) -> None:
    """A draft is not shown to nurses; once published the schedule lists stops with patient data."""
    region, plan_id = planned_day(engine)
    nurse = region.staff[0]
    assert nurse.id is not None
    with Session(engine, expire_on_commit=False) as session:
        with pytest.raises(NotFound):
            staff_schedule(session, staff_id=nurse.id, day=region.day)
        publish_plan(session, plan_id=plan_id)
        session.commit()
        schedule = staff_schedule(session, staff_id=nurse.id, day=region.day)
    assert schedule.plan_id == plan_id
    visits = [s for s in schedule.stops if s.kind == "visit"]
    assert visits, "each nurse has work on the small day"
    for stop in visits:
        assert stop.patient_name and stop.address and stop.lat is not None
        assert stop.navigation_url == f"geo:{stop.lat:.6f},{stop.lon:.6f}"
        assert stop.arrival_at <= stop.start_at < stop.end_at
    assert [s.sequence for s in schedule.stops] == sorted(s.sequence for s in schedule.stops)


def test_publishing_twice_conflicts_and_a_new_version_supersedes(engine: Engine) -> None:
    """Only drafts publish; publishing version 2 supersedes version 1."""
    region, first_id = planned_day(engine)
    with Session(engine, expire_on_commit=False) as session:
        publish_plan(session, plan_id=first_id)
        session.commit()
        with pytest.raises(Conflict):
            publish_plan(session, plan_id=first_id)
        second = request_plan(session, day=region.day, scope="all")
        session.commit()
    assert second.version == 2 and second.id is not None
    run_job(engine, plan_id=second.id, settings=SETTINGS)
    with Session(engine, expire_on_commit=False) as session:
        publish_plan(session, plan_id=second.id)
        session.commit()
        statuses = {p.id: p.status for p in list_plans(session, day=region.day)}
    assert statuses == {first_id: PlanStatus.SUPERSEDED, second.id: PlanStatus.PUBLISHED}


def test_patients_on_a_schedule_are_exactly_those_visited(engine: Engine) -> None:
    """A nurse's readable patients are the ones on their published route, on those days only."""
    region, plan_id = planned_day(engine)
    with Session(engine, expire_on_commit=False) as session:
        publish_plan(session, plan_id=plan_id)
        session.commit()
        seen: set[int] = set()
        for nurse in region.staff:
            assert nurse.id is not None
            schedule = staff_schedule(session, staff_id=nurse.id, day=region.day)
            expected = {s.patient_id for s in schedule.stops if s.patient_id is not None}
            ids = patient_ids_in_schedule(session, staff_id=nurse.id, days=[region.day])
            assert ids == expected
            seen |= ids
            later = region.day + dt.timedelta(days=1)
            assert patient_ids_in_schedule(session, staff_id=nurse.id, days=[later]) == set()
    assert seen == {p.id for p in region.patients}


def test_bad_scope_and_unknown_plan_are_clear_errors(engine: Engine) -> None:
    """An unknown scope names the field; an unknown plan is 404."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_small_day(session)
        with pytest.raises(InvalidInput) as error:
            request_plan(session, day=region.day, scope="9999")
        assert error.value.field == "scope"
        with pytest.raises(NotFound):
            publish_plan(session, plan_id=12345)


def test_a_nurse_the_solver_sends_nowhere_has_an_empty_published_day(engine: Engine) -> None:
    """One visit, two nurses in a real solve: the solver gives the idle nurse no route, and her
    published day is still there: her shift, her break, no visits, no driving."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        busy = make_staff(session, region)
        idle = make_staff(session, region, skills=["personal_care"])
        make_visit(session, region, make_patient(session, region))
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
    assert plan.id is not None and busy.id is not None and idle.id is not None
    run_job(engine, plan_id=plan.id, settings=SETTINGS)
    with Session(engine, expire_on_commit=False) as session:
        publish_plan(session, plan_id=plan.id)
        session.commit()
        worked = staff_schedule(session, staff_id=busy.id, day=region.day)
        empty = staff_schedule(session, staff_id=idle.id, day=region.day)
    assert [s.visit_id for s in worked.stops if s.kind == "visit"] == [region.visits[0].id]
    assert empty.plan_id == plan.id
    assert [s.kind for s in empty.stops] == ["break"]
    assert empty.departure_at == local(region.day, dt.time(7, 30))
    assert empty.return_at == local(region.day, dt.time(15))
    assert empty.travel_s == 0 and empty.distance_m == 0
