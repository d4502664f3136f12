"""Care plans recur by RFC 5545 rules: every n-th week, several windows a day, an end, holidays
and the patient's absences, each read from the rule and checked on input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from ambulant.models import CarePlan, CarePlanCreate, Patient, PatientAbsence
from ambulant.registry.care_plan_generation import generate
from ambulant.timeutil import OSLO
from tests.builders import TinyRegion, add, make_patient, make_region

MONDAY = dt.date(2026, 11, 2)


def plan_values(patient_id: int = 1, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "patient_id": patient_id,
        "description": "Medication",
        "recurrence": "FREQ=DAILY",
        "window_start": dt.time(8, 0),
        "window_end": dt.time(9, 0),
        "duration_minutes": 15,
        "skills": ["medication"],
    }
    return values | overrides


def make_plan(session: Session, patient: Patient, **overrides: Any) -> CarePlan:
    create = CarePlanCreate.model_validate(plan_values(patient.id or 0, **overrides))
    plan: CarePlan = add(session, CarePlan.model_validate(create.model_dump()))
    return plan


@pytest.fixture
def region(session: Session) -> TinyRegion:
    return make_region(session, day=MONDAY)


def starts(session: Session, first: dt.date, last: dt.date) -> list[str]:
    """The windows generated from `first` to `last`, as 'YYYY-MM-DD HH:MM' Oslo time."""
    created = generate(session, first=first, last=last, at=dt.datetime(2026, 1, 1, tzinfo=OSLO))
    return sorted(f"{v.window_start.astimezone(OSLO):%Y-%m-%d %H:%M}" for v in created.created)


def test_every_second_week_counts_from_valid_from(session: Session, region: TinyRegion) -> None:
    """INTERVAL=2 with BYDAY=MO,TH from Monday 2 November: the 2nd, 5th, 16th and 19th, and not
    the week between."""
    make_plan(
        session,
        make_patient(session, region),
        recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        valid_from=MONDAY,
    )
    days = [s[:10] for s in starts(session, MONDAY, dt.date(2026, 11, 22))]
    assert days == ["2026-11-02", "2026-11-05", "2026-11-16", "2026-11-19"]


def test_twice_a_day_gives_two_windows_in_slots(session: Session, region: TinyRegion) -> None:
    """BYHOUR=8,20 gives 08:00-09:00 and 20:00-21:00 each day, slot 0 and slot 1."""
    make_plan(session, make_patient(session, region), recurrence="FREQ=DAILY;BYHOUR=8,20")
    result = generate(session, first=MONDAY, last=MONDAY, at=dt.datetime(2026, 1, 1, tzinfo=OSLO))
    windows = sorted(
        (v.care_plan_slot, f"{v.window_start:%H:%M}-{v.window_end:%H:%M}") for v in result.created
    )
    assert windows == [(0, "08:00-09:00"), (1, "20:00-21:00")]


def test_until_is_inclusive_and_count_stops(session: Session, region: TinyRegion) -> None:
    """UNTIL=20261104 includes the 4th; COUNT=2 from valid_from gives two visits in all."""
    patient = make_patient(session, region)
    make_plan(session, patient, recurrence="FREQ=DAILY;UNTIL=20261104")
    make_plan(session, patient, recurrence="FREQ=DAILY;COUNT=2", valid_from=MONDAY, series="b")
    days = [s[:10] for s in starts(session, MONDAY, MONDAY + dt.timedelta(days=6))]
    assert days == ["2026-11-02"] * 2 + ["2026-11-03"] * 2 + ["2026-11-04"]


def test_exdates_and_absences_take_out_whole_days(session: Session, region: TinyRegion) -> None:
    """A holiday (EXDATE) takes out both windows of its day for that plan; a hospital stay from
    Wednesday to Thursday takes out every plan of the patient on those days."""
    patient = make_patient(session, region)
    make_plan(session, patient, recurrence="FREQ=DAILY;BYHOUR=8,20", exdates=[dt.date(2026, 11, 3)])
    add(
        session,
        PatientAbsence(
            patient_id=patient.id or 0,
            first_day=dt.date(2026, 11, 4),
            last_day=dt.date(2026, 11, 5),
            reason="hospital stay",
        ),
    )
    days = sorted({s[:10] for s in starts(session, MONDAY, MONDAY + dt.timedelta(days=4))})
    assert days == ["2026-11-02", "2026-11-06"]


def test_twice_a_day_over_the_spring_change(session: Session) -> None:
    """08:00 and 20:00 stay 08:00 and 20:00 in Oslo over Sunday 28 March 2027: their UTC hour
    moves from 7/19 to 6/18 on the change day itself, and no window is lost or doubled."""
    region = make_region(session, day=dt.date(2027, 3, 26))
    make_plan(session, make_patient(session, region), recurrence="FREQ=DAILY;BYHOUR=8,20")
    result = generate(
        session,
        first=dt.date(2027, 3, 27),
        last=dt.date(2027, 3, 29),
        at=dt.datetime(2027, 1, 1, tzinfo=OSLO),
    )
    utc = sorted(
        (v.date.isoformat(), v.window_start.astimezone(dt.UTC).hour) for v in result.created
    )
    assert utc == [
        ("2027-03-27", 7),
        ("2027-03-27", 19),
        ("2027-03-28", 6),
        ("2027-03-28", 18),
        ("2027-03-29", 6),
        ("2027-03-29", 18),
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recurrence": "FREQ=WEEKLY;BYDAY=XX"}, "not an RFC 5545 RRULE"),
        ({"recurrence": "FREQ=HOURLY"}, "FREQ=HOURLY is not a care plan's rhythm"),
        ({"recurrence": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"}, "give valid_from"),
        ({"recurrence": "FREQ=DAILY;COUNT=3"}, "give valid_from"),
        ({"recurrence": "FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7"}, "at most 6 windows a day"),
        ({"recurrence": "FREQ=DAILY;BYHOUR=23"}, "runs past midnight"),
        ({"recurrence": "FREQ=DAILY;UNTIL=20270101T000000Z"}, "without Z"),
        ({"recurrence": "DTSTART:20260101T080000\nRRULE:FREQ=DAILY"}, "one RRULE value"),
        ({"weekdays": [1]}, "give recurrence or weekdays, not both"),
        ({"recurrence": None}, "give recurrence"),
    ],
)
def test_bad_rules_are_refused_naming_recurrence(overrides: dict[str, Any], message: str) -> None:
    """Each rule no care plan can mean is refused on the recurrence field, saying why."""
    with pytest.raises(ValidationError) as caught:
        CarePlanCreate.model_validate(plan_values(**overrides))
    [error] = caught.value.errors()
    assert error["loc"] == ("recurrence",) and message in error["msg"], error


def test_rules_are_stored_normalised() -> None:
    """Lower case and a RRULE: prefix are accepted; a date-only UNTIL becomes the day's end."""
    plan = CarePlanCreate.model_validate(plan_values(recurrence="rrule:freq=daily;until=20270101"))
    assert plan.recurrence == "FREQ=DAILY;UNTIL=20270101T235959"
