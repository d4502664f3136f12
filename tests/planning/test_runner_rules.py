"""Solving and storing days with fixed appointments, skill levels, series and dependency rules,
with the real solver on small days (1 s)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Appointment, PlanStatus
from ambulant.planning.plans import plan_detail, request_plan
from ambulant.planning.views import PlanDetail
from ambulant.timeutil import local
from tests.builders import TinyRegion, add, make_patient, make_region, make_staff, make_visit

SETTINGS = Settings(solve_time_limit_s=1, solve_seed=0)
HEGRA = (63.463, 11.107)  # about 15 min from the base
TYDAL = (63.043, 11.600)  # about 90 min from the base


def at(region: TinyRegion, hhmm: str) -> dt.datetime:
    return local(region.day, dt.time.fromisoformat(hhmm))


def solve(engine: Engine, region: TinyRegion) -> PlanDetail:
    with Session(engine, expire_on_commit=False) as session:
        queued = request_plan(session, day=region.day)
        session.commit()
    assert queued.id is not None
    plan = run_job(engine, plan_id=queued.id, settings=SETTINGS)
    assert plan.status == PlanStatus.DRAFT, plan.error
    with Session(engine) as session:
        return plan_detail(session, plan_id=queued.id)


def test_visits_are_planned_around_a_kept_appointment(engine: Engine) -> None:
    """Ann has clinic hours in Hegra 10:00-11:00: her route holds the appointment (title, its
    own times, the drive there), none of her visits overlaps it or the drive to it, and every
    visit is planned. One she cannot reach in time (Tydal at 07:40) is listed as not kept."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        ann = make_staff(session, region, name="Ann")
        for _ in range(4):
            patient = make_patient(session, region)
            make_visit(session, region, patient, start=dt.time(8, 0), end=dt.time(14, 0))
        clinic = add(
            session,
            Appointment(
                staff_id=ann.id,
                title="Clinic hours",
                start_at=at(region, "10:00"),
                end_at=at(region, "11:00"),
                lat=HEGRA[0],
                lon=HEGRA[1],
                address="Hegra legekontor",
                date=region.day,
            ),
        )
        far = add(
            session,
            Appointment(
                staff_id=ann.id,
                title="Meeting in Tydal",
                start_at=at(region, "07:40"),
                end_at=at(region, "08:00"),
                lat=TYDAL[0],
                lon=TYDAL[1],
                date=region.day,
            ),
        )
        session.commit()
    detail = solve(engine, region)

    assert detail.unassigned == []
    (route,) = detail.routes
    kept = [s for s in route.stops if s.kind == "appointment"]
    assert [(s.appointment_id, s.title) for s in kept] == [(clinic.id, "Clinic hours")]
    meeting = kept[0]
    assert (meeting.start_at, meeting.end_at) == (at(region, "10:00"), at(region, "11:00"))
    assert meeting.arrival_at <= meeting.start_at and meeting.travel_s > 0
    arrive_by = meeting.start_at - dt.timedelta(seconds=meeting.travel_s)
    for stop in route.stops:
        if stop.kind == "visit":
            assert stop.end_at <= arrive_by or stop.start_at >= meeting.end_at, stop
    assert [s.sequence for s in route.stops] == list(range(1, len(route.stops) + 1))
    starts = [s.start_at for s in route.stops]
    assert starts == sorted(starts)
    assert route.travel_s >= sum(s.travel_s for s in route.stops)
    (unkept,) = detail.unkept_appointments
    assert (unkept.appointment_id, unkept.staff_id, unkept.title) == (far.id, ann.id, far.title)
    assert unkept.reason and unkept.detail
    assert "travel" in detail.objective and detail.objective["total"] >= detail.objective["travel"]


def test_skill_levels_decide_who_may_and_who_should(engine: Engine) -> None:
    """A visit needing level 3 goes to the specialist (the nurse may not); a level-1 visit goes
    to the assistant, not the over-qualified specialist, when both could; one needing more than
    anyone has is left out with its reason."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        assistant = make_staff(session, region, name="Assistant", skill_level=1)
        specialist = make_staff(session, region, name="Specialist", skill_level=3)
        hard = make_visit(session, region, make_patient(session, region), required_skill_level=3)
        easy = make_visit(session, region, make_patient(session, region), required_skill_level=1)
        nobody = make_visit(session, region, make_patient(session, region), required_skill_level=4)
        session.commit()
    detail = solve(engine, region)
    done_by = {s.visit_id: r.staff_id for r in detail.routes for s in r.stops if s.visit_id}
    assert done_by[hard.id] == specialist.id
    assert done_by[easy.id] == assistant.id
    assert [u.visit_id for u in detail.unassigned] == [nobody.id]
    assert detail.unassigned[0].reason == "no_staff_at_level"
    assert detail.objective["overqualification"] == 0


def test_series_and_dependency_staff_rules_hold(engine: Engine) -> None:
    """A patient's 'medication' series is done by one nurse; a follow-up that must be done by
    someone else is, and starts at least an hour after the first visit ends."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        make_staff(session, region, name="Ann")
        make_staff(session, region, name="Bob")
        ola, kari = make_patient(session, region), make_patient(session, region)
        series = [
            make_visit(session, region, ola, series="medication", start=start, end=end)
            for start, end in ((dt.time(8, 0), dt.time(10, 0)), (dt.time(12, 0), dt.time(14, 0)))
        ]
        first = make_visit(session, region, kari, start=dt.time(8, 0), end=dt.time(10, 0))
        second = make_visit(
            session,
            region,
            kari,
            start=dt.time(9, 0),
            end=dt.time(14, 0),
            depends_on_id=first.id,
            min_lag_minutes=60,
            dependency_anchor="end",
            dependency_staff="different",
        )
        session.commit()
    detail = solve(engine, region)
    assert detail.unassigned == []
    stops = {s.visit_id: (r.staff_id, s) for r in detail.routes for s in r.stops if s.visit_id}
    assert stops[series[0].id][0] == stops[series[1].id][0]
    assert stops[first.id][0] != stops[second.id][0]
    assert stops[second.id][1].start_at >= stops[first.id][1].end_at + dt.timedelta(minutes=60)
