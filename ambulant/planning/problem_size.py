"""How big a day may be to plan: counted in the database before a plan is queued, so a day too
big for the configured limits is refused at once (422, naming the setting) instead of filling a
worker's memory with its travel matrix (which grows with the square of the places)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import distinct, func
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.models import Patient, Shift, Staff, VisitRequest


def check_problem_size(
    session: Session, settings: Settings, *, day: dt.date, scope: str, extra_visits: int = 0
) -> None:
    """Refuses a plan of `day` in `scope` with more visits (stored, plus `extra_visits` a replan
    adds) or more staff on shift than `max_plan_visits` / `max_plan_staff` allow."""
    visits = select(func.count(col(VisitRequest.id))).join(
        Patient, col(Patient.id) == col(VisitRequest.patient_id)
    )
    visits = visits.where(VisitRequest.date == day)
    staff = select(func.count(distinct(col(Shift.staff_id)))).join(
        Staff, col(Staff.id) == col(Shift.staff_id)
    )
    staff = staff.where(Shift.date == day)
    if scope != "all":
        visits = visits.where(Patient.municipality_code == scope)
        staff = staff.where(Staff.municipality_code == scope)
    n_visits = session.exec(visits).one() + extra_visits
    n_staff = session.exec(staff).one()
    if n_visits > settings.max_plan_visits:
        raise InvalidInput(
            f"{day.isoformat()} in scope {scope!r} has {n_visits} visits; a plan takes at most "
            f"{settings.max_plan_visits} (AMBULANT_MAX_PLAN_VISITS): plan it by municipality",
            field="date",
        )
    if n_staff > settings.max_plan_staff:
        raise InvalidInput(
            f"{day.isoformat()} in scope {scope!r} has {n_staff} staff on shift; a plan takes "
            f"at most {settings.max_plan_staff} (AMBULANT_MAX_PLAN_STAFF): plan it by "
            "municipality",
            field="date",
        )
