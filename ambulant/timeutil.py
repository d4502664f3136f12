"""Time zones: everything stored is an aware instant; people see Europe/Oslo wall-clock time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

OSLO = ZoneInfo("Europe/Oslo")


def local(d: date, t: time) -> datetime:
    """The aware instant of wall-clock time `t` on day `d` in Oslo."""
    return datetime.combine(d, t, tzinfo=OSLO)


def as_aware(value: datetime) -> datetime:
    """Naive datetimes from users mean Oslo wall-clock time."""
    return value if value.tzinfo is not None else value.replace(tzinfo=OSLO)


def day_origin(d: date) -> datetime:
    """Local midnight of `d`: second 0 of the solver's timeline for that day."""
    return local(d, time(0, 0))


def to_day_seconds(d: date, instant: datetime) -> int:
    """Seconds from local midnight of `d` (true elapsed seconds, so DST days stay right).

    Both sides go to UTC first: Python subtracts two datetimes that share a tzinfo as wall-clock
    times, which is an hour off across a DST change.
    """
    elapsed = as_aware(instant).astimezone(UTC) - day_origin(d).astimezone(UTC)
    return int(elapsed.total_seconds())


def from_day_seconds(d: date, seconds: int) -> datetime:
    return (day_origin(d).astimezone(UTC) + timedelta(seconds=seconds)).astimezone(OSLO)


def now() -> datetime:
    return datetime.now(OSLO)


class AwareDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware datetimes, on SQLite (no time zones) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        aware: datetime = value.astimezone(OSLO)
        return aware
