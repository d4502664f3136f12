"""A replan keeps the day's fixed appointments: those begun stay as planned, one under way
holds its staff member until it ends, and those ahead are planned around again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Appointment, PlanStatus, PlanStop, VisitStatus
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import ReplanRequest
from tests.builders import add, make_patient, make_region, make_staff, make_visit
from tests.replanning.day import COORDINATOR, at, report, solved_plan

MOMENT = "10:15"


def test_appointments_survive_a_replan(engine: Engine, database_url: str, tmp_path: Path) -> None:
    """Ann has meetings at 09:00, 10:00 and 13:00; a replan at 10:15 keeps all three, in their
    times, and gives her no new visit before the 10:00 meeting ends or during the 13:00 one."""
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        solve_time_limit_s=0.5,
        replan_time_limit_s=0.5,
    )
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        ann = make_staff(session, region, name="Ann")
        make_staff(session, region, name="Bob")
        for i in range(6):
            start = dt.time(8 + i % 3 * 2, 0)
            patient = make_patient(session, region)
            make_visit(session, region, patient, start=start, end=dt.time(start.hour + 2, 0))
        meetings = [
            add(
                session,
                Appointment(
                    staff_id=ann.id,
                    title=f"Meeting {start}",
                    start_at=at(start),
                    end_at=at(end),
                    base_id=region.base.id,
                    date=region.day,
                ),
            )
            for start, end in (("09:00", "09:30"), ("10:00", "10:30"), ("13:00", "13:30"))
        ]
        session.commit()
    plan_id = solved_plan(engine, settings)
    with Session(engine) as session:
        for stop in session.exec(
            select(PlanStop).where(PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None))
        ):
            assert stop.visit_id is not None
            if stop.start_at < at(MOMENT):
                report(
                    session,
                    stop.visit_id,
                    VisitStatus.STARTED,
                    stop.start_at,
                    staff_id=stop.staff_id,
                )
                if stop.end_at <= at(MOMENT):
                    report(
                        session,
                        stop.visit_id,
                        VisitStatus.DONE,
                        stop.end_at,
                        staff_id=stop.staff_id,
                    )
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        queued = request_replan(
            session,
            plan_id=plan_id,
            request=ReplanRequest(at=at(MOMENT)),
            principal=COORDINATOR,
            now=at(MOMENT),
        )
        session.commit()
    assert queued.id is not None
    new = run_job(engine, plan_id=queued.id, settings=settings)
    assert new.status == PlanStatus.DRAFT, new.error
    with Session(engine) as session:
        stops = session.exec(
            select(PlanStop)
            .where(PlanStop.plan_id == new.id, PlanStop.staff_id == ann.id)
            .order_by(col(PlanStop.sequence))
        ).all()
    held = [(s.appointment_id, s.start_at, s.end_at) for s in stops if s.kind == "appointment"]
    assert held == [(m.id, m.start_at, m.end_at) for m in meetings]
    ongoing = meetings[1]
    for stop in stops:
        if stop.kind == "visit" and stop.start_at >= at(MOMENT):
            assert stop.start_at >= ongoing.end_at, stop
            assert not (stop.start_at < meetings[2].end_at and stop.end_at > meetings[2].start_at)
    starts = [s.start_at for s in stops]
    assert starts == sorted(starts)
