"""The demo region's visits come from its care plans through the generation service, with a
few rules beyond weekdays: every second week, twice a day, public holidays off, a hospital stay."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from ambulant.demo.generator import seed_region
from ambulant.demo.rich_care_plans import norwegian_public_holidays
from ambulant.models import CarePlan, PatientAbsence, VisitRequest
from ambulant.registry.care_plan_generation import generate
from ambulant.timeutil import OSLO

pytestmark = pytest.mark.one_database

MONDAY = dt.date(2026, 12, 21)  # the week of Christmas
WEEK = [MONDAY + dt.timedelta(days=n) for n in range(1, 9)]  # Tuesday to the next Tuesday


def test_norwegian_holidays_follow_easter() -> None:
    """2027: Easter Sunday is 28 March, so Maundy Thursday 25 March and Whit Monday 17 May
    (also Constitution Day), among eleven days."""
    holidays = norwegian_public_holidays([2027])
    assert dt.date(2027, 3, 25) in holidays and dt.date(2027, 5, 17) in holidays
    assert dt.date(2027, 5, 6) in holidays  # Ascension Day, Easter + 39
    assert len(set(holidays)) == 11


@pytest.mark.slow
def test_the_demo_weeks_follow_the_rich_rules(session: Session) -> None:
    """Seeded on Monday 21 December, then generated Tuesday to Tuesday: the fortnightly plan
    comes on the 22nd and not the 29th, the midday-and-evening plan twice each day, the
    holiday plan not on the 25th or 26th, and the patient in hospital has no care plan visit
    until the stay ends on the 27th."""
    seed_region(session, day=MONDAY, days=1)
    result = generate(
        session, first=WEEK[0], last=WEEK[-1], at=dt.datetime(2026, 12, 1, tzinfo=OSLO)
    )
    assert result.counts().created > 1000 and result.counts().kept == 0

    def days_of(plan: CarePlan) -> list[dt.date]:
        visits = session.exec(select(VisitRequest).where(VisitRequest.care_plan_id == plan.id))
        return sorted(v.date for v in visits if v.date in WEEK)

    plans = list(session.exec(select(CarePlan)))
    [fortnightly] = [p for p in plans if "INTERVAL=2" in p.recurrence]
    assert days_of(fortnightly) == [dt.date(2026, 12, 22)]
    [twice] = [p for p in plans if "BYHOUR" in p.recurrence]
    assert days_of(twice) == sorted(WEEK * 2)
    [holidays] = [p for p in plans if p.exdates]
    assert days_of(holidays) == [d for d in WEEK if d.day not in (25, 26)]
    stay = session.exec(select(PatientAbsence)).one()
    generated = session.exec(
        select(VisitRequest).where(
            VisitRequest.patient_id == stay.patient_id, VisitRequest.care_plan_slot == 0
        )
    ).all()
    assert all(not stay.first_day <= v.date <= stay.last_day for v in generated)
    assert any(v.date > stay.last_day for v in generated)
