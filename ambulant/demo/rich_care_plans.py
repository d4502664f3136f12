"""A few of the demo region's care plans use what recurrence rules can say beyond "these
weekdays": every second week, twice a day, no visits on public holidays, and a patient's
hospital stay. They are picked from the seeded plans in a fixed way (by id), so a seed gives
the same region every time, and they change the day's work by a visit or two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from dateutil.easter import easter
from sqlmodel import Session, col, select

from ambulant.models import CarePlan, Patient, PatientAbsence
from ambulant.models.recurrence import normalise_rule

STJORDAL, SELBU = "5035", "5032"
# Which plans are made richer: by their description (the visit type's name).
EVERY_SECOND_WEEK = "Shower and personal care"
TWICE_A_DAY = "Medication, midday"
HOLIDAYS_OFF = "Eye drops and compression stockings"
HOSPITAL_STAY_DAYS = 6


def norwegian_public_holidays(years: Iterable[int]) -> list[dt.date]:
    """Norway's public holidays (helligdager and 1 and 17 May) in `years`."""
    days: list[dt.date] = []
    for year in years:
        easter_day = easter(year)
        days += [dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 17)]
        days += [easter_day + dt.timedelta(days=n) for n in (-3, -2, 0, 1, 39, 49, 50)]
        days += [dt.date(year, 12, 25), dt.date(year, 12, 26)]
    return sorted(days)


def enrich_care_plans(session: Session, *, first_day: dt.date) -> list[str]:
    """Make a few seeded care plans richer; returns what was done, one line each."""
    plans = list(
        session.exec(
            select(CarePlan)
            .join(Patient, col(Patient.id) == col(CarePlan.patient_id))
            .where(Patient.municipality_code == STJORDAL)
            .order_by(col(CarePlan.id))
        )
    )
    done: list[str] = []
    monday = first_day - dt.timedelta(days=first_day.weekday())
    fortnightly = _first(plans, EVERY_SECOND_WEEK, lambda p: p.recurrence.count(",") == 0)
    if fortnightly is not None:
        byday = fortnightly.recurrence.rsplit("BYDAY=", 1)[-1]
        fortnightly.recurrence = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={byday}"
        fortnightly.valid_from = monday
        done.append(f"care plan {fortnightly.id}: every second week from {monday}")
    twice = _first(plans, TWICE_A_DAY, lambda p: p.window_start.hour <= 13)
    if twice is not None:
        hour, minute = twice.window_start.hour, twice.window_start.minute
        # The midday dose and one five hours later, in the evening round.
        twice.recurrence = normalise_rule(f"FREQ=DAILY;BYHOUR={hour},{hour + 5};BYMINUTE={minute}")
        twice.description = "Medication, midday and evening"
        done.append(f"care plan {twice.id}: twice a day")
    holidays = _first(plans, HOLIDAYS_OFF, lambda p: True)
    if holidays is not None:
        holidays.exdates = norwegian_public_holidays([first_day.year, first_day.year + 1])
        done.append(f"care plan {holidays.id}: no visits on public holidays")
    session.add_all(p for p in (fortnightly, twice, holidays) if p is not None)
    in_hospital = session.exec(
        select(Patient.id).where(Patient.municipality_code == SELBU).order_by(col(Patient.id))
    ).first()
    if in_hospital is not None:
        stay = PatientAbsence(
            patient_id=in_hospital,
            first_day=first_day + dt.timedelta(days=1),
            last_day=first_day + dt.timedelta(days=HOSPITAL_STAY_DAYS),
            reason="hospital stay",
        )
        session.add(stay)
        done.append(f"patient {in_hospital}: in hospital {stay.first_day}-{stay.last_day}")
    session.flush()
    return done


def _first(
    plans: list[CarePlan], description: str, fits: Callable[[CarePlan], bool]
) -> CarePlan | None:
    return next((p for p in plans if p.description == description and fits(p)), None)
