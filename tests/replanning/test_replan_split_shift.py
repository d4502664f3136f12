"""A replan on a day with a split shift: asked for during the time off, it keeps the time off and
gives the evening's new work to the one who works the evening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.bench.replan import full_day_violations
from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Plan, PlanStatus, PlanStop, Shift, Staff, VisitRequestCreate
from ambulant.replanning.hand_moves import check_move
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import MoveRequest, ReplanRequest
from ambulant.timeutil import local
from ambulant.travel.geodesic import GeodesicTravelTimes
from tests.builders import TinyRegion, add, make_patient, make_region, make_staff, make_visit
from tests.replanning.day import COORDINATOR, at, solved_plan


def split_day(engine: Engine, settings: Settings) -> tuple[TinyRegion, Staff, int]:
    """Kari works 07:00-11:00 and 15:00-19:00, Ola a day shift; five visits from 08:00 to 18:00;
    planned and published."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        kari = make_staff(session, region, shift_start=dt.time(7, 0), shift_end=dt.time(11, 0))
        morning = session.exec(select(Shift).where(Shift.staff_id == kari.id)).one()
        morning.break_minutes = 0
        add(
            session,
            Shift(
                staff_id=kari.id,
                date=region.day,
                start_at=local(region.day, dt.time(15, 0)),
                end_at=local(region.day, dt.time(19, 0)),
                break_minutes=0,
            ),
        )
        make_staff(session, region, name="Ola")
        for start in (8, 9, 10, 12, 16):
            patient = make_patient(session, region)
            make_visit(session, region, patient, start=dt.time(start, 0), end=dt.time(start + 2, 0))
        session.commit()
    return region, kari, solved_plan(engine, settings)


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        solve_time_limit_s=1,
        replan_time_limit_s=1,
        max_overtime_min=30,
    )


def test_a_replan_in_the_time_off_keeps_it_and_plans_the_evening(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """At 12:00, in Kari's time off, an urgent evening visit comes in: the new version keeps her
    time off once, puts the visit in her evening shift, and the whole day passes the validator
    against the full day's problem."""
    settings = settings_for(database_url, tmp_path)
    region, kari, plan_id = split_day(engine, settings)
    urgent = VisitRequestCreate(
        patient_id=region.patients[0].id,
        description="Evening check after a fall",
        window_start=at("16:30"),
        window_end=at("18:30"),
        duration_minutes=30,
        skills=["wound_care"],
        priority="urgent",
    )
    with Session(engine, expire_on_commit=False) as session:
        replan = request_replan(
            session,
            plan_id=plan_id,
            request=ReplanRequest(at=at("12:00"), new_visits=[urgent]),
            principal=COORDINATOR,
            now=at("12:00"),
        )
        session.commit()
    assert replan.id is not None
    new = run_job(engine, plan_id=replan.id, settings=settings)
    assert new.status == PlanStatus.DRAFT, new.error
    urgent_id = new.parameters["replan"]["new_visit_ids"][0]
    with Session(engine) as session:
        stops = session.exec(
            select(PlanStop).where(PlanStop.plan_id == new.id, PlanStop.staff_id == kari.id)
        ).all()
        stored = session.get(Plan, new.id)
        assert stored is not None
        assert full_day_violations(session, settings, GeodesicTravelTimes(), stored) == []
    off = [s for s in stops if s.kind == "off_duty"]
    assert [(s.start_at, s.end_at) for s in off] == [(at("11:00"), at("15:00"))]
    assert urgent_id in {s.visit_id for s in stops}
    for stop in stops:
        if stop.kind != "off_duty":
            assert not (at("11:00") < stop.end_at and stop.start_at < at("15:00"))


def test_a_move_by_hand_into_the_time_off_is_refused_and_into_the_evening_kept(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """Moving Kari's 16:00 visit to 13:00 puts it in her time off (the validator says so);
    moving it to 17:30 keeps every rule."""
    settings = settings_for(database_url, tmp_path)
    region, kari, plan_id = split_day(engine, settings)
    evening = region.visits[-1]
    assert kari.id is not None and evening.id is not None
    travel = GeodesicTravelTimes()
    with Session(engine, expire_on_commit=False) as session:
        stops = session.exec(
            select(PlanStop).where(PlanStop.plan_id == plan_id, PlanStop.visit_id == evening.id)
        ).all()
        assert [s.staff_id for s in stops] == [kari.id]
        into_time_off = check_move(
            session,
            plan_id=plan_id,
            request=MoveRequest(visit_id=evening.id, start_at=at("13:00")),
            settings=settings,
            travel=travel,
        )
        later = check_move(
            session,
            plan_id=plan_id,
            request=MoveRequest(visit_id=evening.id, start_at=at("17:30")),
            settings=settings,
            travel=travel,
        )
    assert not into_time_off.check.valid
    assert "off_duty_overlap" in {v.rule for v in into_time_off.check.violations}
    assert later.check.valid, later.check.violations
