"""Care plans over a week that holds a clock change: every visit keeps its wall-clock window,
so the instant moves by an hour on the change, and no day is lost or doubled."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from ambulant.models import CarePlan
from ambulant.registry.care_plan_generation import generate_visit_requests
from tests.builders import add, make_patient, make_region

pytestmark = pytest.mark.dates

UTC = dt.UTC


@pytest.mark.parametrize(
    ("monday", "change", "before", "after"),
    [
        # Spring: Sunday 28 March 2027, winter (+01:00) before, summer (+02:00) from then on.
        (dt.date(2027, 3, 22), dt.date(2027, 3, 28), 7, 6),
        # Autumn: Sunday 25 October 2026, summer before, winter from then on.
        (dt.date(2026, 10, 19), dt.date(2026, 10, 25), 6, 7),
    ],
)
def test_a_daily_0800_care_plan_stays_at_0800_over_the_change(
    session: Session, monday: dt.date, change: dt.date, before: int, after: int
) -> None:
    """08:00-09:00 every day, Monday to the Monday after: eight visits, each 08:00 in Oslo, whose
    UTC hour is `before` until the change and `after` from the change day on, each an hour long."""
    region = make_region(session, day=monday)
    patient = make_patient(session, region)
    add(
        session,
        CarePlan(
            patient_id=patient.id,
            recurrence="FREQ=DAILY",
            window_start=dt.time(8),
            window_end=dt.time(9),
            duration_minutes=30,
        ),
    )
    days = [monday + dt.timedelta(days=n) for n in range(8)]
    visits = [v for day in days for v in generate_visit_requests(session, day=day)]
    assert [v.date for v in visits] == days
    for visit in visits:
        assert visit.window_start.strftime("%H:%M") == "08:00"
        assert visit.window_end - visit.window_start == dt.timedelta(hours=1)
        utc_hour = visit.window_start.astimezone(UTC).hour
        assert utc_hour == (after if visit.date >= change else before), visit.date
    # Generating the week again adds nothing.
    assert [v for day in days for v in generate_visit_requests(session, day=day)] == []


def test_a_window_in_the_skipped_hour_keeps_its_length(session: Session) -> None:
    """02:30-03:30 on Sunday 28 March 2027: 02:30 does not exist, so the window starts at 03:30
    (RFC 5545) and, keeping its hour, ends at 04:30 rather than collapsing to nothing."""
    day = dt.date(2027, 3, 28)
    region = make_region(session, day=day)
    patient = make_patient(session, region)
    add(
        session,
        CarePlan(
            patient_id=patient.id,
            recurrence="FREQ=DAILY",
            window_start=dt.time(2, 30),
            window_end=dt.time(3, 30),
            duration_minutes=30,
        ),
    )
    [visit] = generate_visit_requests(session, day=day)
    assert (f"{visit.window_start:%H:%M}", f"{visit.window_end:%H:%M}") == ("03:30", "04:30")
