"""A nurse's published days as an iCalendar (RFC 5545) feed for her phone's calendar.

A calendar app syncs what it subscribes to into places ambulant does not control (the phone's
backups, the vendor's cloud), so each event carries less than the schedule shows: the patient's
initials, the address, the visit's description and the times. No full name, no notes, no
coordinates, no patient id. Breaks are not events: they are the nurse's own time.

Events are in UTC, so a day across a DST change is right without a VTIMEZONE. A visit's UID is
its staff member and visit (stable across plan versions), so a new version updates the event;
SEQUENCE counts the versions of her day published and LAST-MODIFIED is the latest one's
publication, so clients take the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from icalendar import Calendar, Event, vDuration
from sqlmodel import Session, col, select

from ambulant.errors import NotFound
from ambulant.models import Plan, PlanRoute
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.planning.views import Schedule, ScheduleStop

PRODID = "-//ambulant//schedule feed//EN"
UID_DOMAIN = "ambulant"
# How often a subscribed calendar should fetch again (clients may poll less often).
REFRESH = dt.timedelta(minutes=15)
MEDIA_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Feed:
    body: bytes
    patient_ids: frozenset[int]
    """The patients whose data the feed shows (for the audit trail)."""

    @property
    def etag(self) -> str:
        """A strong ETag of the body: the same days give the same bytes (no clock in them)."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class PublishedDay:
    schedule: Schedule
    revision: int
    """How many versions of her day have been published up to this one: its events' SEQUENCE.
    The plan's own version would not do: plans of different scopes count versions apart."""


def staff_feed(session: Session, *, staff_id: int, days: Iterable[dt.date]) -> Feed:
    """The published days among `days` of the staff member; a day without one is left out."""
    published: list[PublishedDay] = []
    for day in days:
        try:
            schedule = staff_schedule(session, staff_id=staff_id, day=day)
        except NotFound:
            continue  # no shift or no published plan that day: nothing to show
        revision = day_revision(session, staff_id=staff_id, schedule=schedule)
        published.append(PublishedDay(schedule, revision))
    calendar = schedule_calendar(published)
    patients = frozenset(
        s.patient_id for d in published for s in d.schedule.stops if s.patient_id is not None
    )
    return Feed(body=calendar.to_ical(), patient_ids=patients)


def day_revision(session: Session, *, staff_id: int, schedule: Schedule) -> int:
    """The plans of the day published up to the schedule's that gave the staff member a route,
    the schedule's own counted in any case: it only grows as versions are published."""
    if schedule.published_at is None:
        return 1
    routed = session.exec(
        select(Plan.id)
        .join(PlanRoute, col(PlanRoute.plan_id) == col(Plan.id))
        .where(
            Plan.date == schedule.date,
            PlanRoute.staff_id == staff_id,
            col(Plan.published_at).is_not(None),
            col(Plan.published_at) <= schedule.published_at,
        )
    ).all()
    return len({*routed, schedule.plan_id})


def schedule_calendar(days: Sequence[PublishedDay]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "ambulant")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property has no known type: the duration must be given as one to print as PT15M.
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for day in days:
        for stop in day.schedule.stops:
            event = stop_event(day, stop)
            if event is not None:
                calendar.add_component(event)
    return calendar


def stop_event(day: PublishedDay, stop: ScheduleStop) -> Event | None:
    """The event of a visit or an appointment; None for a break."""
    schedule = day.schedule
    if stop.kind == "visit" and stop.visit_id is not None:
        uid = f"staff-{schedule.staff_id}-visit-{stop.visit_id}@{UID_DOMAIN}"
        summary = visit_summary(stop)
    elif stop.kind == "appointment" and stop.appointment_id is not None:
        uid = f"staff-{schedule.staff_id}-appointment-{stop.appointment_id}@{UID_DOMAIN}"
        summary = stop.title or "Appointment"
    else:
        return None
    # Without METHOD, DTSTAMP is when the information was last revised: the publication (a
    # published plan has one; the day's midnight UTC keeps the bytes free of the clock if not).
    published = schedule.published_at or dt.datetime.combine(schedule.date, dt.time(), dt.UTC)
    revised = published.astimezone(dt.UTC)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", revised)
    event.add("last-modified", revised)
    event.add("sequence", day.revision)
    event.add("dtstart", stop.start_at.astimezone(dt.UTC))
    event.add("dtend", stop.end_at.astimezone(dt.UTC))
    event.add("summary", summary)
    if stop.address:
        event.add("location", stop.address)
    # Asks calendars shared with others to show the time as busy and nothing else.
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    event.add("status", "CONFIRMED")
    return event


def visit_summary(stop: ScheduleStop) -> str:
    """The visit's description and the patient's initials: "Morning medication - O. H."."""
    what = (stop.description or "").strip() or "Visit"
    if stop.joint:
        what += " (joint visit)"
    initials = patient_initials(stop.patient_name)
    return f"{what} - {initials}" if initials else what


def patient_initials(name: str | None) -> str:
    """'Ola Hansen' -> 'O. H.'; enough for the nurse who knows her patients, little to others."""
    if not name:
        return ""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)
