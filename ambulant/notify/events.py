"""What is announced, and to whom: a nurse hears only about themselves, a coordinator about every
plan and visit in their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ambulant.auth import policy
from ambulant.auth.principal import Principal
from ambulant.models import Plan, Role, VisitStatusReport


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any]
    scope: str = policy.ALL_SCOPE
    """'all' or the municipality the event is about: which coordinators hear it."""
    staff_ids: frozenset[int] = field(default_factory=frozenset)
    """The nurses who hear it (besides coordinators)."""
    id: str = ""


def visible_to(principal: Principal, event: Event) -> bool:
    if principal.role == Role.NURSE:
        return principal.staff_id is not None and principal.staff_id in event.staff_ids
    if policy.is_planner(principal):
        return policy.can_see_plan(principal, event.scope)
    return False


def plan_published_events(plan: Plan, affected_staff_ids: list[int]) -> list[Event]:
    """One event for the coordinators, one per staff member whose day changed."""
    assert plan.id is not None and plan.published_at is not None
    common = {
        "plan_id": plan.id,
        "version": plan.version,
        "date": plan.date.isoformat(),
        "scope": plan.scope,
        "published_at": plan.published_at.isoformat(),
    }
    events = [
        Event("plan_published", {**common, "affected_staff_ids": affected_staff_ids}, plan.scope)
    ]
    events += [
        Event(
            "schedule_changed",
            {**common, "staff_id": staff_id},
            plan.scope,
            frozenset({staff_id}),
        )
        for staff_id in affected_staff_ids
    ]
    return events


def visit_status_event(report: VisitStatusReport, municipality_code: str) -> Event:
    """For coordinators (and the reporter's own other devices)."""
    staff = frozenset({report.staff_id}) if report.staff_id is not None else frozenset()
    return Event(
        "visit_status",
        {
            "report_id": report.id,
            "visit_id": report.visit_id,
            "staff_id": report.staff_id,
            "status": str(report.status),
            "at": report.at.isoformat(),
            "date": report.date.isoformat(),
            "received_at": report.received_at.astimezone(dt.UTC).isoformat(),
        },
        municipality_code,
        staff,
    )
