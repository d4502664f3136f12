"""The events of a schedule: right in UTC across a DST change, a break is no event, and an event
carries the patient's initials but not her name or notes."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from ambulant.calendar.feed import PublishedDay, patient_initials, schedule_calendar
from ambulant.planning.views import Schedule, ScheduleStop
from ambulant.timeutil import OSLO

# Europe leaves summer time on the last Sunday of October: 03:00 CEST is 02:00 CET.
DST_END = dt.date(2026, 10, 25)


def oslo(day: dt.date, hour: int, minute: int = 0, *, fold: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO, fold=fold)


def stop(sequence: int, start: dt.datetime, end: dt.datetime, **fields: object) -> ScheduleStop:
    values: dict[str, object] = {
        "sequence": sequence,
        "kind": "visit",
        "visit_id": 10 + sequence,
        "arrival_at": start,
        "start_at": start,
        "end_at": end,
        "travel_s": 0,
        "distance_m": 0,
    }
    return ScheduleStop.model_validate(values | fields)


def night_schedule() -> Schedule:
    published = dt.datetime(2026, 10, 24, 18, tzinfo=dt.UTC)
    return Schedule(
        staff_id=3,
        staff_name="Ann",
        date=DST_END,
        plan_id=7,
        plan_version=4,
        published_at=published,
        departure_at=oslo(DST_END, 0),
        return_at=oslo(DST_END, 6),
        travel_s=0,
        distance_m=0,
        travel_estimated=False,
        stops=[
            # 01:30 CEST to 02:30 CET: two hours and not one, the clock went back on the way.
            stop(
                1,
                oslo(DST_END, 1, 30),
                oslo(DST_END, 2, 30, fold=1),
                patient_id=5,
                patient_name="Ola Hansen",
                address="Kjøpmannsgata 1, Stjørdal",
                notes="Key box by the door.",
                description="Night round",
                joint=True,
            ),
            stop(2, oslo(DST_END, 3), oslo(DST_END, 3, 30), kind="break", visit_id=None),
        ],
    )


def test_a_visit_across_the_dst_change_is_right_in_utc() -> None:
    """DTSTART/DTEND are the instants, in UTC: 23:30Z to 01:30Z, two hours."""
    (event,) = Calendar.from_ical(
        schedule_calendar([PublishedDay(night_schedule(), revision=4)]).to_ical()
    ).walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    assert start.utcoffset() == dt.timedelta(0)


def test_an_event_says_little_and_is_stable() -> None:
    """Initials, address and description; no name, notes or patient id; UID by staff and visit,
    SEQUENCE the day's revision, LAST-MODIFIED its publication."""
    body = schedule_calendar([PublishedDay(night_schedule(), revision=4)]).to_ical()
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == "Night round (joint visit) - O. H."
    assert str(event["location"]) == "Kjøpmannsgata 1, Stjørdal"
    assert str(event["uid"]) == "staff-3-visit-11@ambulant"
    assert int(event["sequence"]) == 4
    assert event.decoded("last-modified") == dt.datetime(2026, 10, 24, 18, tzinfo=dt.UTC)
    text = body.decode()
    assert "Ola" not in text and "Hansen" not in text and "Key box" not in text
    assert schedule_calendar([PublishedDay(night_schedule(), revision=4)]).to_ical() == body


def test_initials_of_names() -> None:
    """Each word's first letter, capitalised; nothing for no name."""
    assert patient_initials("Ola Hansen") == "O. H."
    assert patient_initials("  kari  nordmann-olsen ") == "K. N."
    assert patient_initials(None) == patient_initials("") == ""


def test_the_calendar_asks_to_be_fetched_every_quarter_hour() -> None:
    """REFRESH-INTERVAL (RFC 7986) and Microsoft's X-PUBLISHED-TTL, both as ISO durations."""
    text = schedule_calendar([]).to_ical().decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in text
    assert "X-PUBLISHED-TTL:PT15M\r\n" in text
