"""Time: everything stored is an aware instant; people see Europe/Oslo wall-clock time.

The rules (docs/time.md says them for users):
- Every datetime ambulant hands around carries Oslo's UTC offset *at that instant* as a fixed
  offset (`+01:00` in winter, `+02:00` in summer), not the zone itself. Python subtracts and adds
  datetimes that share a tzinfo as wall-clock times, which is an hour off across a DST change;
  with a fixed offset, wall-clock arithmetic and elapsed time are the same thing, so a 22:00-07:00
  shift over a change is 8 or 10 hours long, as it is for the nurse working it.
- A wall-clock time without an offset (what a coordinator types) means Oslo time. One that does
  not exist (02:30 on the spring change day) is refused; an ambiguous one (02:30 on the autumn
  change day, which happens twice) means the first of the two, summer time, as RFC 5545 rules it.
  A client that means the second sends the offset (`+01:00`).
- "Today" is the Oslo date, whatever zone the server runs in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

OSLO = ZoneInfo("Europe/Oslo")
# The days ambulant plans and reports on. Outside them a date is a typing error, and far outside
# them Python's datetime overflows, so inputs are checked against these bounds.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2199, 12, 31)

_OFFSETS: dict[timedelta, tzinfo] = {}


class NonexistentLocalTime(ValueError):
    """A wall-clock time the clocks skip (they go from 02:00 to 03:00 on the spring change)."""


def _fixed(offset: timedelta) -> tzinfo:
    # One tzinfo object per offset, so equal offsets are also the same object.
    zone = _OFFSETS.get(offset)
    if zone is None:
        zone = _OFFSETS[offset] = timezone(offset)
    return zone


def oslo(instant: datetime) -> datetime:
    """`instant` (aware) as Oslo wall time with the fixed offset Oslo has at that instant."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime is not an instant")
    utc = instant.astimezone(UTC)
    offset = utc.astimezone(OSLO).utcoffset()
    assert offset is not None
    return utc.astimezone(_fixed(offset))


def local(d: date, t: time) -> datetime:
    """The instant of wall-clock time `t` on day `d` in Oslo, for times the system generates
    (care plans, demo data).

    A time the clocks skip is read with the offset before the gap, so it lands the length of the
    gap later (02:30 becomes 03:30), and an ambiguous one is its first occurrence: both as RFC
    5545 says recurring events behave.
    """
    return oslo(datetime.combine(d, t, tzinfo=OSLO))


def resolve_local(wall: datetime) -> datetime:
    """The instant a person means by naive Oslo wall time `wall`, refusing one that does not
    exist and taking the first occurrence of an ambiguous one (see the module docstring)."""
    first = wall.replace(tzinfo=OSLO, fold=0)
    if first.astimezone(UTC).astimezone(OSLO).replace(tzinfo=None) != wall.replace(fold=0):
        raise NonexistentLocalTime(
            f"{wall:%Y-%m-%d %H:%M} does not exist in Oslo: the clocks go forward an hour that "
            "night; give a time after the change, or an explicit UTC offset"
        )
    return oslo(first)


def as_aware(value: datetime) -> datetime:
    """An instant from a datetime a user gave: naive means Oslo wall-clock time."""
    check_day(value.date(), field="the date")
    return oslo(value) if value.tzinfo is not None else resolve_local(value)


def as_instant(value: datetime) -> datetime:
    """An instant a device reports (it must carry its offset), in Oslo's offset."""
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset (e.g. 2026-12-03T09:30:00+01:00 or ...Z)")
    return as_aware(value)


def check_day(d: date, *, field: str = "date") -> date:
    """`d` if ambulant can plan or report on it; a ValueError naming `field` otherwise."""
    if not EARLIEST_DAY <= d <= LATEST_DAY:
        raise ValueError(f"{field} {d.isoformat()} is outside {EARLIEST_DAY} to {LATEST_DAY}")
    return d


# ISO 8601 only, with a year ambulant plans for: pydantic would also read 0 or 1.5e9 as seconds
# since 1970, so `date=0` would have meant 1 January 1970. The patterns say the same in the
# OpenAPI document, so that a client sees the rule a 422 enforces.
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
YEARS = r"(19[7-9]\d|2[01]\d\d)"


def iso_day(value: object) -> object:
    if isinstance(value, str) and not ISO_DAY.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def iso_instant(value: object) -> object:
    if isinstance(value, str) and not ISO_INSTANT.match(value):
        raise ValueError("must be a date and time as YYYY-MM-DDTHH:MM[:SS][offset]")
    if isinstance(value, int | float):
        raise ValueError("must be a date and time as YYYY-MM-DDTHH:MM[:SS][offset]")
    return value


# The whole value as the validators take it, calendar and all, so that what the document allows
# is exactly what is accepted: a generator (or a client's form) drawing from the pattern makes real
# dates. February 29th only in leap years (every fourth in 1970-2199, 2100 not).
_LEAP = "(19(7[26]|8[048]|9[26])|20([02468][048]|[13579][26])|21([02468][48]|[13579][26]|[2468]0))"
_DATE = (
    f"({YEARS}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])"
    f"|{YEARS}-(0[13-9]|1[0-2])-(29|30)"
    f"|{YEARS}-(0[13578]|1[02])-31"
    f"|{_LEAP}-02-29)"
)
_TIME = "([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d([.,]\\d+)?)?"
_OFFSET = "([Zz]|[+-]([01]\\d|2[0-3]):?[0-5]\\d)"
_DAY_SCHEMA = {"type": "string", "format": "date", "pattern": f"^{_DATE}$"}
# Not `format: date-time`: RFC 3339 wants seconds and an offset, and a person may leave out both.
_WALL_CLOCK_SCHEMA = {
    "type": "string",
    "pattern": f"^{_DATE}[Tt ]{_TIME}{_OFFSET}?$",
    "description": "ISO 8601; without an offset, Oslo wall-clock time.",
}
_INSTANT_SCHEMA = {
    "type": "string",
    "pattern": f"^{_DATE}[Tt ]{_TIME}{_OFFSET}$",
    "description": "ISO 8601 with its UTC offset.",
}

# Field types for what people and devices send: pydantic names the field in the 422.
# A day to plan or report on.
Day = Annotated[
    date, BeforeValidator(iso_day), AfterValidator(check_day), WithJsonSchema(_DAY_SCHEMA)
]
# A time a person types: without an offset it is Oslo wall-clock time (checked to exist).
WallClock = Annotated[
    datetime,
    BeforeValidator(iso_instant),
    AfterValidator(as_aware),
    WithJsonSchema(_WALL_CLOCK_SCHEMA),
]
# An instant a device reports: the offset is required, since a phone knows it and a naive time
# in the repeated autumn hour could be either of two instants.
Instant = Annotated[
    datetime,
    BeforeValidator(iso_instant),
    AfterValidator(as_instant),
    WithJsonSchema(_INSTANT_SCHEMA),
]


def day_origin(d: date) -> datetime:
    """Local midnight of `d`: second 0 of the solver's timeline for that day."""
    return local(d, time(0, 0))


def day_length_s(d: date) -> int:
    """How long day `d` is in Oslo: 24 hours, 23 on the spring change, 25 on the autumn one."""
    return to_day_seconds(d, day_origin(d + timedelta(days=1)))


def to_day_seconds(d: date, instant: datetime) -> int:
    """Seconds elapsed from local midnight of `d` to `instant` (true seconds, also on DST days)."""
    elapsed = as_aware(instant).astimezone(UTC) - day_origin(d).astimezone(UTC)
    return int(elapsed.total_seconds())


def from_day_seconds(d: date, seconds: int) -> datetime:
    return oslo(day_origin(d).astimezone(UTC) + timedelta(seconds=seconds))


def now() -> datetime:
    return oslo(datetime.now(UTC))


def today() -> date:
    """The Oslo date now: between 00:00 and 01:00 (02:00 in summer) Oslo time it is a day ahead
    of UTC's, and a server's own zone does not matter."""
    return now().date()


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
        return oslo(value)
