"""The object-level rules: planners see everything; a nurse sees their own and their patients."""

from __future__ import annotations

import datetime as dt

import pytest

from ambulant.auth import Principal
from ambulant.auth.policy import (
    can_read_patient,
    can_read_schedule,
    can_read_staff,
    is_planner,
    patient_visibility_days,
)
from ambulant.models import Role

NURSE = Principal("staff:5", Role.NURSE, 5)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_planners_read_every_staff_member_schedule_and_patient(role: Role) -> None:
    """Coordinators and admins pass every object rule, whatever the ids."""
    planner = Principal("p", role)
    assert is_planner(planner)
    assert can_read_staff(planner, 99) and can_read_schedule(planner, 99)
    assert can_read_patient(planner, 1234, scheduled_patient_ids=set())


def test_nurse_reads_only_own_staff_record_and_schedule() -> None:
    """A nurse passes for their own staff id and for no other."""
    assert not is_planner(NURSE)
    assert can_read_staff(NURSE, 5) and can_read_schedule(NURSE, 5)
    assert not can_read_staff(NURSE, 6) and not can_read_schedule(NURSE, 6)


def test_nurse_reads_only_scheduled_patients() -> None:
    """A patient is readable exactly when on the nurse's schedule."""
    assert can_read_patient(NURSE, 10, scheduled_patient_ids={10, 11})
    assert not can_read_patient(NURSE, 12, scheduled_patient_ids={10, 11})


def test_a_nurse_principal_without_staff_id_reads_nothing_of_staff() -> None:
    """A nurse with no staff id (never issued, but possible from a foreign issuer) matches no
    staff member, not even one whose id is None."""
    odd = Principal("x", Role.NURSE, None)
    assert not can_read_staff(odd, 5) and not can_read_schedule(odd, 5)


def test_patient_visibility_is_today_and_tomorrow() -> None:
    """Across a month end the window is still the day and the next."""
    assert patient_visibility_days(dt.date(2026, 1, 31)) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 1),
    ]
