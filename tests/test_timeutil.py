"""Aware instants in storage, Oslo wall-clock time for people, true seconds for the solver."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from ambulant.models import Municipality, Patient, VisitRequest
from ambulant.timeutil import OSLO, from_day_seconds, local, to_day_seconds


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
