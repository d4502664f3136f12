"""Privacy by date: which of her days a nurse may read with her patients' details.

Today and her next working days (days she has a shift; `AMBULANT_SCHEDULE_DAYS_AHEAD` of them)
are open: names, addresses, notes, as the visits need. Past days stay readable for her own
records, without notes. Later days are closed: the plan may change, and a patient's details are
not needed on the phone a week ahead (docs/security.md, "Privacy by date").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from ambulant.auth import policy
from ambulant.models import Plan, PlanRoute, PlanStatus, Shift
from ambulant.planning.views import Schedule

# How far ahead the next working days are looked for: past it, a long leave opens nothing.
LOOK_AHEAD_DAYS = 14


class DayAccess(StrEnum):
    PAST = "past"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class ScheduleWindow:
    today: dt.date
    open_days: tuple[dt.date, ...]
    """Today and the next working days: the days whose patients a nurse sees in full."""

    @property
    def last_open_day(self) -> dt.date:
        return self.open_days[-1]

    def access(self, day: dt.date) -> DayAccess:
        if day < self.today:
            return DayAccess.PAST
        return DayAccess.OPEN if day <= self.last_open_day else DayAccess.CLOSED


def schedule_window(
    session: Session, *, staff_id: int, today: dt.date, days_ahead: int
) -> ScheduleWindow:
    """A nurse's working days are those she has a shift on or a route in a published plan."""
    last = today + dt.timedelta(days=LOOK_AHEAD_DAYS)
    shift_days = session.exec(
        select(col(Shift.date))
        .where(Shift.staff_id == staff_id, Shift.date > today, Shift.date <= last)
        .distinct()
    ).all()
    route_days = session.exec(
        select(col(Plan.date))
        .join(PlanRoute, col(PlanRoute.plan_id) == col(Plan.id))
        .where(PlanRoute.staff_id == staff_id, Plan.status == PlanStatus.PUBLISHED)
        .where(Plan.date > today, Plan.date <= last)
        .distinct()
    ).all()
    days = policy.patient_visibility_days(today, [*shift_days, *route_days], days_ahead)
    return ScheduleWindow(today=today, open_days=tuple(days))


def without_notes(schedule: Schedule) -> Schedule:
    """A past day as the nurse may keep reading it: what she did, where, for whom; not the
    patients' notes, which are for the visit and not for her records."""
    stops = [s.model_copy(update={"notes": None}) for s in schedule.stops]
    return schedule.model_copy(update={"stops": stops})
