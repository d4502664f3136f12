"""The continuity report counts calendar days in Oslo, so a week with a clock change is seven
days, and a visit late on the 25-hour day belongs to that day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from ambulant.models import PlanStatus
from ambulant.reports.continuity import continuity_report
from tests.builders import make_patient, make_region, make_staff, make_visit
from tests.reports.scenario import plan

pytestmark = pytest.mark.dates

MONDAY = dt.date(2026, 10, 19)  # the week ends on the autumn change day, Sunday 25 October


def test_a_week_with_the_autumn_change_is_seven_days(session: Session) -> None:
    """One visit a day at 23:30, Monday to Sunday: seven days with a visit, none without a plan,
    though the week is 169 hours long and the last visit starts 24.5 h after Sunday's midnight."""
    region = make_region(session, day=MONDAY)
    nurse = make_staff(session, region)
    patient = make_patient(session, region)
    week = [MONDAY + dt.timedelta(days=n) for n in range(7)]
    for day in week:
        region.day = day
        visit = make_visit(session, region, patient, start=dt.time(23, 30), end=dt.time(23, 59))
        plan(session, day, PlanStatus.PUBLISHED, [(visit, [nurse.id])], version=1)
    session.commit()

    report = continuity_report(session, start=week[0], end=week[-1])
    assert report.days_without_plan == []
    assert [p.date for p in report.plans] == week
    (row,) = report.patients
    assert (row.visits, row.days, row.distinct_staff) == (7, 7, 1)


def test_a_range_of_one_change_day_is_one_day(session: Session) -> None:
    """The 25-hour day alone is one day, and the 23-hour spring day too."""
    make_region(session)
    for day in (dt.date(2026, 10, 25), dt.date(2027, 3, 28)):
        assert continuity_report(session, start=day, end=day).days_without_plan == [day]
