"""Who may see and change what: the object-level rules as plain functions.

Coordinators and admins plan: they read and change everything. A nurse reads their own staff
record and schedule, and the patients on that schedule today and tomorrow, nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ambulant.auth.principal import Principal
from ambulant.models.vocabulary import Role

PLANNERS = frozenset({Role.COORDINATOR, Role.ADMIN})


def is_planner(principal: Principal) -> bool:
    return principal.role in PLANNERS


def is_own(principal: Principal, staff_id: int) -> bool:
    return principal.role == Role.NURSE and principal.staff_id == staff_id


def can_read_staff(principal: Principal, staff_id: int) -> bool:
    return is_planner(principal) or is_own(principal, staff_id)


def can_read_schedule(principal: Principal, staff_id: int) -> bool:
    return is_planner(principal) or is_own(principal, staff_id)


def patient_visibility_days(today: dt.date) -> list[dt.date]:
    """The days whose schedule opens a patient's record to a nurse: today and tomorrow."""
    return [today, today + dt.timedelta(days=1)]


def can_read_patient(
    principal: Principal, patient_id: int, scheduled_patient_ids: Collection[int]
) -> bool:
    """`scheduled_patient_ids`: the patients on the nurse's published schedule on
    `patient_visibility_days` (ignored for planners)."""
    if is_planner(principal):
        return True
    return principal.role == Role.NURSE and patient_id in scheduled_patient_ids
