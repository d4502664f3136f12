"""Aware instants in storage, Oslo wall-clock time for people, true seconds for the solver."""

from __future__ import annotations

import datetime as dt
from datetime import UTC

import pytest
import time_machine
from sqlmodel import Session, select

from ambulant.models import Municipality, Patient, VisitRequest
from ambulant.timeutil import (
    OSLO,
    NonexistentLocalTime,
    as_aware,
    check_day,
    day_length_s,
    from_day_seconds,
    local,
    now,
    oslo,
    to_day_seconds,
    today,
)

pytestmark = pytest.mark.dates


def test_day_seconds_round_trip_across_dst_change() -> None:
    """On the autumn DST day 12:00 local is 13 h after midnight, and the round trip is exact."""
    day = dt.date(2026, 10, 25)
    noon = local(day, dt.time(12, 0))
    assert to_day_seconds(day, noon) == 13 * 3600
    assert from_day_seconds(day, 13 * 3600) == noon


def test_naive_times_from_users_mean_oslo_time() -> None:
    """A naive datetime is read as Oslo wall-clock time."""
    day = dt.date(2026, 11, 25)
    assert to_day_seconds(day, dt.datetime(2026, 11, 25, 8, 30)) == 8 * 3600 + 30 * 60


def test_aware_column_round_trips_on_both_databases(session: Session) -> None:
    """What goes in as an aware instant comes back as the same instant, in Oslo time."""
    session.add(Municipality(code="5035", name="Stjørdal"))
    session.flush()  # tables without relationships are not ordered by foreign key on flush
    session.add(Patient(id=1, name="A", address="B", lat=63.4, lon=10.9, municipality_code="5035"))
    start = dt.datetime(2026, 11, 25, 8, 0, tzinfo=OSLO)
    session.add(
        VisitRequest(
            patient_id=1,
            window_start=start.astimezone(dt.UTC),
            window_end=start + dt.timedelta(hours=1),
            duration_minutes=30,
            date=start.date(),
        )
    )
    session.commit()
    session.expunge_all()
    stored = session.exec(select(VisitRequest)).one()
    assert stored.window_start == start
    assert stored.window_start.utcoffset() == dt.timedelta(hours=1)
    assert stored.window_end - stored.window_start == dt.timedelta(hours=1)


SPRING = dt.date(2027, 3, 28)  # 02:00 -> 03:00: a 23-hour day
AUTUMN = dt.date(2026, 10, 25)  # 03:00 -> 02:00: a 25-hour day


def test_oslo_days_are_23_24_or_25_hours_long() -> None:
    """The two change days are 23 and 25 hours long; the days around them 24."""
    assert day_length_s(SPRING) == 23 * 3600
    assert day_length_s(AUTUMN) == 25 * 3600
    assert day_length_s(SPRING - dt.timedelta(days=1)) == 24 * 3600
    assert day_length_s(dt.date(2028, 2, 29)) == 24 * 3600


@pytest.mark.parametrize(
    ("evening", "hours"), [(SPRING - dt.timedelta(days=1), 8), (AUTUMN - dt.timedelta(days=1), 10)]
)
def test_night_shift_over_a_change_has_its_true_length(evening: dt.date, hours: int) -> None:
    """22:00 to 07:00 is 8 hours over the spring change and 10 over the autumn change, whether
    subtracted directly or counted in the solver's seconds."""
    start = local(evening, dt.time(22))
    end = local(evening + dt.timedelta(days=1), dt.time(7))
    assert end - start == dt.timedelta(hours=hours)
    assert to_day_seconds(evening, end) - to_day_seconds(evening, start) == hours * 3600
    assert start + dt.timedelta(hours=hours) == end


def test_wall_times_on_the_change_days_are_the_right_instants() -> None:
    """On the spring day 01:30 is winter time (00:30 UTC) and 08:00 summer time (06:00 UTC); on
    the autumn day 01:30 is summer time (23:30 UTC the day before) and 08:00 winter (07:00 UTC)."""
    assert as_aware(dt.datetime(2027, 3, 28, 1, 30)) == dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert as_aware(dt.datetime(2027, 3, 28, 8)) == dt.datetime(2027, 3, 28, 6, tzinfo=UTC)
    assert as_aware(dt.datetime(2026, 10, 25, 8)) == dt.datetime(2026, 10, 25, 7, tzinfo=UTC)
    assert as_aware(dt.datetime(2026, 10, 25, 1, 30)) == dt.datetime(
        2026, 10, 24, 23, 30, tzinfo=UTC
    )


def test_a_skipped_local_time_is_refused() -> None:
    """02:30 on the spring change day never happens in Oslo."""
    with pytest.raises(NonexistentLocalTime, match="does not exist"):
        as_aware(dt.datetime(2027, 3, 28, 2, 30))


def test_an_ambiguous_local_time_is_its_first_occurrence() -> None:
    """02:30 on the autumn change day happens twice; without an offset it is the first (summer
    time, 00:30 UTC); with +01:00 it is the second (01:30 UTC)."""
    first = as_aware(dt.datetime(2026, 10, 25, 2, 30))
    assert first == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert first.utcoffset() == dt.timedelta(hours=2)
    second = as_aware(dt.datetime(2026, 10, 25, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    assert second - first == dt.timedelta(hours=1)


def test_generated_times_follow_rfc_5545_in_the_gap() -> None:
    """A care plan at 02:30 on the spring day lands an hour later, at 03:30 summer time."""
    assert local(SPRING, dt.time(2, 30)) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert local(SPRING, dt.time(2, 30)).strftime("%H:%M%z") == "03:30+0200"


@pytest.mark.parametrize(
    ("utc", "oslo_day"),
    [
        (dt.datetime(2026, 12, 2, 23, 30, tzinfo=UTC), dt.date(2026, 12, 3)),  # 00:30 Oslo
        (dt.datetime(2027, 6, 30, 22, 30, tzinfo=UTC), dt.date(2027, 7, 1)),  # 00:30 summer
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=UTC), dt.date(2027, 1, 1)),
        (dt.datetime(2028, 2, 28, 23, 15, tzinfo=UTC), dt.date(2028, 2, 29)),
    ],
)
def test_today_is_the_oslo_date_while_utc_is_still_yesterday(
    utc: dt.datetime, oslo_day: dt.date
) -> None:
    """Between Oslo midnight and UTC midnight "today" is already Oslo's new day."""
    with time_machine.travel(utc, tick=False):
        assert today() == oslo_day
        assert now().date() == oslo_day


def test_instants_carry_oslo_offset_of_their_moment() -> None:
    """Summer instants show +02:00, winter ones +01:00, whatever zone they came in."""
    summer = oslo(dt.datetime(2027, 7, 1, 10, tzinfo=UTC))
    winter = oslo(dt.datetime(2027, 1, 1, 10, tzinfo=UTC))
    assert summer.isoformat() == "2027-07-01T12:00:00+02:00"
    assert winter.isoformat() == "2027-01-01T11:00:00+01:00"


def test_days_outside_the_supported_range_are_refused() -> None:
    """Year 1 and year 9999 are typing errors, named as such."""
    assert check_day(dt.date(2026, 12, 3)) == dt.date(2026, 12, 3)
    with pytest.raises(ValueError, match="window_start 0001-01-01 is outside"):
        check_day(dt.date(1, 1, 1), field="window_start")
    with pytest.raises(ValueError, match="outside"):
        check_day(dt.date(9999, 12, 31))
