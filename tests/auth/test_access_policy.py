"""The object-level rules: planners see their scope; a nurse sees their own and their patients;
an auditor sees no planning data."""

from __future__ import annotations

import datetime as dt

import pytest

from ambulant.auth import Principal
from ambulant.auth.policy import (
    can_make_plans,
    can_manage_staff,
    can_see_patient,
    can_see_plan,
    can_see_staff,
    covers,
    is_planner,
    municipality_scope,
    patient_visibility_days,
)
from ambulant.models import Role, Team

NURSE = Principal("staff:5", Role.NURSE, 5)
STJORDAL, MERAKER, FROSTA = "5035", "5034", "5036"
MERAKER_ONLY = Principal("c", Role.COORDINATOR, municipalities=frozenset({MERAKER}))
EVERYWHERE = Principal("c-all", Role.COORDINATOR, all_municipalities=True)
AUDITOR = Principal("a", Role.AUDITOR)


def staff(
    principal: Principal, *, staff_id: int = 9, employer: str = STJORDAL, **kw: object
) -> bool:
    return can_see_staff(
        principal,
        staff_id=staff_id,
        employer=employer,
        serves=kw.get("serves", []),  # type: ignore[arg-type]
        team=kw.get("team", Team.HOME_NURSING),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("principal", [Principal("admin", Role.ADMIN), EVERYWHERE])
def test_admins_and_all_scope_coordinators_cover_every_municipality(principal: Principal) -> None:
    """No municipality, staff member, patient or plan scope is outside them."""
    assert is_planner(principal) and municipality_scope(principal) is None
    assert covers(principal, FROSTA) and staff(principal, employer=FROSTA)
    assert can_see_patient(principal, patient_id=1, municipality_code=FROSTA)
    assert can_see_plan(principal, "all") and can_make_plans(principal, "all")


def test_a_coordinator_sees_only_their_municipalities() -> None:
    """Meråker's coordinator: Meråker's patients, staff employed in or serving Meråker, and
    Meråker's plans; not Stjørdal's, and not the plan of every municipality."""
    assert municipality_scope(MERAKER_ONLY) == {MERAKER}
    assert can_see_patient(MERAKER_ONLY, patient_id=1, municipality_code=MERAKER)
    assert not can_see_patient(MERAKER_ONLY, patient_id=1, municipality_code=STJORDAL)
    assert staff(MERAKER_ONLY, employer=MERAKER)
    assert staff(MERAKER_ONLY, employer=STJORDAL, serves=(MERAKER,))
    assert not staff(MERAKER_ONLY, employer=STJORDAL)
    assert can_see_plan(MERAKER_ONLY, MERAKER) and not can_see_plan(MERAKER_ONLY, STJORDAL)
    assert not can_see_plan(MERAKER_ONLY, "all") and not can_make_plans(MERAKER_ONLY, "all")


def test_only_the_employers_planners_manage_a_staff_member() -> None:
    """Serving Meråker lets Meråker's coordinator see a Stjørdal nurse, not change them."""
    assert can_manage_staff(MERAKER_ONLY, employer=MERAKER, team=Team.HOME_NURSING)
    assert not can_manage_staff(MERAKER_ONLY, employer=STJORDAL, team=Team.HOME_NURSING)


def test_a_team_coordinator_sees_their_team_and_cannot_plan_whole_municipalities() -> None:
    """Team scope narrows staff to that team; plans cover every team, so they may read them
    but not request or publish them."""
    team_lead = Principal(
        "t", Role.COORDINATOR, municipalities=frozenset({MERAKER}), team=Team.AMBULANT_TEAM
    )
    assert staff(team_lead, employer=MERAKER, team=Team.AMBULANT_TEAM)
    assert not staff(team_lead, employer=MERAKER, team=Team.HOME_NURSING)
    assert can_see_plan(team_lead, MERAKER) and not can_make_plans(team_lead, MERAKER)


def test_nurse_sees_only_own_staff_record_and_scheduled_patients() -> None:
    """A nurse passes for their own staff id and the patients on their schedule, no other."""
    assert not is_planner(NURSE) and municipality_scope(NURSE) == frozenset()
    assert staff(NURSE, staff_id=5) and not staff(NURSE, staff_id=6)
    assert can_see_patient(
        NURSE, patient_id=10, municipality_code=STJORDAL, scheduled_patient_ids={10}
    )
    assert not can_see_patient(
        NURSE, patient_id=12, municipality_code=STJORDAL, scheduled_patient_ids={10}
    )
    assert not can_see_plan(NURSE, STJORDAL)


def test_a_nurse_principal_without_staff_id_reads_nothing_of_staff() -> None:
    """A nurse with no staff id matches no staff member, not even one whose id is None."""
    odd = Principal("x", Role.NURSE, None)
    assert not staff(odd, staff_id=5)
    assert not can_see_staff(odd, staff_id=None, employer=STJORDAL, serves=[], team="home_nursing")


def test_auditors_see_no_planning_data() -> None:
    """An auditor covers no municipality, staff member, patient or plan."""
    assert not is_planner(AUDITOR) and municipality_scope(AUDITOR) == frozenset()
    assert not staff(AUDITOR) and not can_see_plan(AUDITOR, "all")
    assert not can_see_patient(AUDITOR, patient_id=1, municipality_code=STJORDAL)


def test_patient_visibility_is_today_and_the_next_working_day() -> None:
    """Across a month end the window is the day and the next one with a shift; on a Friday
    before a weekend off, Monday; with two days ahead, the next two shift days; with no shift
    ahead, today alone."""
    saturday = dt.date(2026, 1, 31)
    shifts = [dt.date(2026, 1, 30), dt.date(2026, 2, 1), dt.date(2026, 2, 2), dt.date(2026, 2, 5)]
    assert patient_visibility_days(saturday, shifts) == [saturday, dt.date(2026, 2, 1)]
    friday = dt.date(2026, 1, 30)
    monday = dt.date(2026, 2, 2)
    assert patient_visibility_days(friday, [friday, monday]) == [friday, monday]
    assert patient_visibility_days(saturday, shifts, days_ahead=2) == [
        saturday,
        dt.date(2026, 2, 1),
        monday,
    ]
    assert patient_visibility_days(saturday, [], days_ahead=2) == [saturday]
