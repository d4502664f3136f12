"""Care plans become the day's visit requests: right days, right windows, never twice."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from ambulant.errors import InvalidInput
from ambulant.models import CarePlan, CarePlanCreate, Patient, Priority, VisitRequest
from ambulant.registry.care_plan_generation import generate_visit_requests
from ambulant.timeutil import OSLO
from tests.builders import TinyRegion, make_patient, make_region

WEDNESDAY = dt.date(2026, 11, 25)
THURSDAY = WEDNESDAY + dt.timedelta(days=1)


def make_plan(session: Session, patient: Patient, **overrides: Any) -> CarePlan:
    values: dict[str, Any] = {
        "patient_id": patient.id,
        "description": "Medication, morning",
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "window_start": dt.time(8, 0),
        "window_end": dt.time(9, 0),
        "duration_minutes": 15,
        "skills": ["medication"],
    }
    values.update(overrides)
    plan = CarePlan.model_validate(CarePlanCreate.model_validate(values).model_dump())
    session.add(plan)
    session.flush()
    return plan


@pytest.fixture
def region(session: Session) -> TinyRegion:
    return make_region(session, day=WEDNESDAY)


def test_a_daily_plan_yields_one_visit_with_its_values(
    session: Session, region: TinyRegion
) -> None:
    """The visit copies the plan: patient, skills, duration, priority, and local-time window."""
    patient = make_patient(session, region)
    plan = make_plan(session, patient, priority=Priority.HIGH, duration_minutes=20)
    [visit] = generate_visit_requests(session, day=WEDNESDAY)
    assert visit.id is not None
    assert (visit.patient_id, visit.care_plan_id, visit.date) == (patient.id, plan.id, WEDNESDAY)
    assert (visit.duration_minutes, visit.priority, visit.skills) == (
        20,
        Priority.HIGH,
        ["medication"],
    )
    assert visit.window_start == dt.datetime(2026, 11, 25, 8, 0, tzinfo=OSLO)
    assert visit.window_end == dt.datetime(2026, 11, 25, 9, 0, tzinfo=OSLO)
    assert visit.staff_count == 1 and visit.second_staff_skills == []


def test_windows_survive_the_database_as_aware_oslo_times(
    session: Session, region: TinyRegion
) -> None:
    """Read back from the database, 08:00 in Oslo is still 08:00 in Oslo (07:00 UTC in winter)."""
    make_plan(session, make_patient(session, region))
    generate_visit_requests(session, day=WEDNESDAY)
    session.commit()
    session.expunge_all()
    stored = session.exec(select(VisitRequest)).one()
    assert stored.window_start.utcoffset() is not None
    assert stored.window_start.astimezone(ZoneInfo("UTC")).time() == dt.time(7, 0)
    assert stored.window_start.astimezone(OSLO).time() == dt.time(8, 0)


def test_summer_time_is_respected(session: Session, region: TinyRegion) -> None:
    """In June, 08:00 in Oslo is 06:00 UTC: windows use the day's own offset."""
    make_plan(session, make_patient(session, region))
    june = dt.date(2026, 6, 17)
    [visit] = generate_visit_requests(session, day=june)
    assert visit.window_start.astimezone(ZoneInfo("UTC")).time() == dt.time(6, 0)


def test_only_plans_for_the_weekday_yield_visits(session: Session, region: TinyRegion) -> None:
    """A Monday-Wednesday-Friday plan yields a visit on Wednesday and none on Thursday."""
    patient = make_patient(session, region)
    mwf = make_plan(session, patient, weekdays=[0, 2, 4])
    daily = make_plan(session, patient)
    assert {v.care_plan_id for v in generate_visit_requests(session, day=WEDNESDAY)} == {
        mwf.id,
        daily.id,
    }
    assert {v.care_plan_id for v in generate_visit_requests(session, day=THURSDAY)} == {daily.id}


def test_validity_dates_bound_the_plan(session: Session, region: TinyRegion) -> None:
    """valid_from and valid_to are inclusive; outside them a plan yields nothing."""
    patient = make_patient(session, region)
    starts_today = make_plan(session, patient, valid_from=WEDNESDAY)
    ends_today = make_plan(session, patient, valid_to=WEDNESDAY)
    starts_tomorrow = make_plan(session, patient, valid_from=THURSDAY)
    make_plan(session, patient, valid_to=WEDNESDAY - dt.timedelta(days=1))
    ids = {v.care_plan_id for v in generate_visit_requests(session, day=WEDNESDAY)}
    assert ids == {starts_today.id, ends_today.id}
    thursday = {v.care_plan_id for v in generate_visit_requests(session, day=THURSDAY)}
    assert thursday == {starts_today.id, starts_tomorrow.id}


def test_a_second_call_creates_nothing(session: Session, region: TinyRegion) -> None:
    """Idempotent: running twice for the same day leaves one visit per plan."""
    patient = make_patient(session, region)
    make_plan(session, patient)
    make_plan(session, patient, window_start=dt.time(12, 0), window_end=dt.time(13, 0))
    assert len(generate_visit_requests(session, day=WEDNESDAY)) == 2
    session.commit()
    assert generate_visit_requests(session, day=WEDNESDAY) == []
    assert len(session.exec(select(VisitRequest)).all()) == 2


def test_a_plan_added_later_gets_its_visit_alone(session: Session, region: TinyRegion) -> None:
    """After a new plan appears, a second call creates only that plan's visit."""
    patient = make_patient(session, region)
    make_plan(session, patient)
    generate_visit_requests(session, day=WEDNESDAY)
    later = make_plan(session, patient, weekdays=[2])
    assert [v.care_plan_id for v in generate_visit_requests(session, day=WEDNESDAY)] == [later.id]


def test_joint_plans_yield_joint_visits(session: Session, region: TinyRegion) -> None:
    """staff_count and the second staff member's skills carry over to the visit."""
    make_plan(
        session,
        make_patient(session, region),
        skills=["mobility"],
        second_staff_skills=["rehabilitation"],
        staff_count=2,
    )
    [visit] = generate_visit_requests(session, day=WEDNESDAY)
    assert (visit.staff_count, visit.second_staff_skills) == (2, ["rehabilitation"])


def test_nothing_is_committed(session: Session, region: TinyRegion) -> None:
    """The caller owns the transaction: a rollback leaves no visit behind."""
    make_plan(session, make_patient(session, region))
    session.commit()
    generate_visit_requests(session, day=WEDNESDAY)
    session.rollback()
    assert session.exec(select(VisitRequest)).all() == []


def test_an_invalid_stored_plan_is_reported_by_id(session: Session, region: TinyRegion) -> None:
    """A plan stored around the API's checks (duration beyond its window) fails clearly."""
    patient = make_patient(session, region)
    bad = CarePlan(
        patient_id=patient.id or 0,
        recurrence="FREQ=WEEKLY;BYDAY=WE",
        window_start=dt.time(8, 0),
        window_end=dt.time(8, 30),
        duration_minutes=45,
    )
    session.add(bad)
    session.flush()
    with pytest.raises(InvalidInput, match=f"care plan {bad.id} gives an invalid visit") as caught:
        generate_visit_requests(session, day=WEDNESDAY)
    assert caught.value.field == "care_plan_id"
