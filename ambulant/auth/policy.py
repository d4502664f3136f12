"""Who may see and change what: the object-level rules as plain functions.

- A coordinator reads and plans within their scope: the municipalities they plan for (or all),
  and, if they have one, their team's staff within them. An admin covers every municipality.
- A nurse reads their own staff record and schedule, the visits on it, and the patients on it
  today and tomorrow; nothing else.
- An auditor reads the audit trail only.

Callers turn a refusal on an object into 404, exactly as if it did not exist (`access`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from ambulant.auth.principal import Principal
from ambulant.models.vocabulary import Role, Team

PLANNERS = frozenset({Role.COORDINATOR, Role.ADMIN})
ALL_SCOPE = "all"


def is_planner(principal: Principal) -> bool:
    return principal.role in PLANNERS


def is_own(principal: Principal, staff_id: int | None) -> bool:
    return principal.role == Role.NURSE and staff_id is not None and principal.staff_id == staff_id


def covers_all(principal: Principal) -> bool:
    """Every municipality is in scope (admins; coordinators with the 'all' scope)."""
    if principal.role == Role.ADMIN:
        return True
    return principal.role == Role.COORDINATOR and principal.all_municipalities


def covers(principal: Principal, municipality_code: str) -> bool:
    return is_planner(principal) and (
        covers_all(principal) or municipality_code in principal.municipalities
    )


def municipality_scope(principal: Principal) -> frozenset[str] | None:
    """The municipalities a planner's lists are limited to; None means no limit."""
    if covers_all(principal):
        return None
    return principal.municipalities if is_planner(principal) else frozenset()


def team_scope(principal: Principal) -> Team | None:
    """The one team a coordinator's staff lists are limited to, if any."""
    return principal.team if principal.role == Role.COORDINATOR else None


def _team_ok(principal: Principal, team: Team | str) -> bool:
    limit = team_scope(principal)
    return limit is None or limit == team


def can_see_staff(
    principal: Principal,
    *,
    staff_id: int | None,
    employer: str,
    serves: Collection[str],
    team: Team | str,
) -> bool:
    """Oneself, or (planners) someone working in scope: employed there or serving there."""
    if is_own(principal, staff_id):
        return True
    in_scope = covers(principal, employer) or any(covers(principal, c) for c in serves)
    return in_scope and _team_ok(principal, team)


def can_manage_staff(principal: Principal, *, employer: str, team: Team | str) -> bool:
    """Changing a staff member (and their shifts) is for planners of the employing municipality."""
    return covers(principal, employer) and _team_ok(principal, team)


def can_see_patient(
    principal: Principal,
    *,
    patient_id: int | None,
    municipality_code: str,
    scheduled_patient_ids: Collection[int] = (),
) -> bool:
    """Planners: patients living in scope. Nurses: `scheduled_patient_ids`, the patients on
    their published schedule on `patient_visibility_days`."""
    if covers(principal, municipality_code):
        return True
    return principal.role == Role.NURSE and patient_id in scheduled_patient_ids


def can_see_plan(principal: Principal, scope: str) -> bool:
    """A plan of every municipality needs an all-scope planner; one of a municipality needs it."""
    if scope == ALL_SCOPE:
        return covers_all(principal)
    return covers(principal, scope)


def can_make_plans(principal: Principal, scope: str) -> bool:
    """Requesting or publishing a plan: as reading it, and not limited to one team, because a
    plan covers every team of its municipalities."""
    return can_see_plan(principal, scope) and team_scope(principal) is None


def patient_visibility_days(
    today: dt.date, working_days: Iterable[dt.date], days_ahead: int = 1
) -> list[dt.date]:
    """The days whose schedule opens a patient's name, address and notes to a nurse: today and
    her next `days_ahead` working days (`working_days`: the days she has a shift), so on a
    Friday before a weekend off she prepares Monday."""
    ahead = sorted({d for d in working_days if d > today})
    return [today, *ahead[:days_ahead]]
