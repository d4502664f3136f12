"""What a new plan version changes against the one it replaces: per staff member the visits added,
removed and re-timed, the visits now unassigned and why, and the counts that measure disruption."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.models import Plan, PlanStop, Staff, UnassignedVisit, VisitRequest
from ambulant.planning.plans import get_plan
from ambulant.planning.store import visit_parts

# A start that moves by less than this is not worth telling anyone about.
RETIME_THRESHOLD = dt.timedelta(minutes=1)


class VisitChange(BaseModel):
    visit_id: int
    patient_id: int | None
    start_at: dt.datetime | None
    """Start in the new plan (None: not planned any more)."""
    previous_start_at: dt.datetime | None
    staff_ids: list[int]
    previous_staff_ids: list[int]
    shift_minutes: int | None = None
    reason: str | None = None
    """Why a removed visit is nobody's now (an unassigned reason, or 'cancelled')."""


class StaffChanges(BaseModel):
    staff_id: int
    staff_name: str
    added: list[VisitChange]
    removed: list[VisitChange]
    retimed: list[VisitChange]


class UnassignedChange(BaseModel):
    visit_id: int
    patient_id: int | None
    reason: str
    detail: str
    closest_staff_id: int | None
    previous_staff_ids: list[int]
    newly: bool
    """Planned (or not yet known) in the plan replaced."""


class PlanDiff(BaseModel):
    plan_id: int
    version: int
    base_plan_id: int
    base_version: int
    staff: list[StaffChanges]
    unassigned: list[UnassignedChange]
    reassigned_visits: int
    """Visits planned in both versions whose staff changed."""
    retimed_visits: int
    """Visits kept by the same staff whose start moved (by a minute or more)."""
    moved_beyond_tolerance: int
    added_visits: int
    """Visits planned now that were not planned before (e.g. the urgent one)."""
    affected_staff_ids: list[int]
    """Staff whose day differs in any way (stops, times, breaks): who is told."""


Placement = tuple[tuple[int, ...], dt.datetime]


def plan_diff(
    session: Session, *, plan_id: int, against_id: int | None = None, tolerance_min: int = 15
) -> PlanDiff:
    """The changes from `against_id` (default: the plan this one is based on) to `plan_id`."""
    plan = get_plan(session, plan_id=plan_id)
    base_id = against_id if against_id is not None else plan.based_on_id
    if base_id is None:
        raise InvalidInput(f"plan {plan_id} is not based on another plan", field="against")
    base = get_plan(session, plan_id=base_id)
    old, new = _placements(session, base_id), _placements(session, plan_id)
    patient_of = _patients(session, set(old) | set(new))
    names = {s.id: s.name for s in session.exec(select(Staff))}
    unassigned = list(
        session.exec(
            select(UnassignedVisit)
            .where(UnassignedVisit.plan_id == plan_id)
            .order_by(col(UnassignedVisit.visit_id))
        )
    )
    reason_of = {u.visit_id: u.reason for u in unassigned}
    was_unassigned = set(
        session.exec(select(UnassignedVisit.visit_id).where(UnassignedVisit.plan_id == base_id))
    )

    changes: dict[int, StaffChanges] = {}

    def of(staff_id: int) -> StaffChanges:
        if staff_id not in changes:
            changes[staff_id] = StaffChanges(
                staff_id=staff_id,
                staff_name=names.get(staff_id, ""),
                added=[],
                removed=[],
                retimed=[],
            )
        return changes[staff_id]

    reassigned = retimed = beyond = added = 0
    tolerance = dt.timedelta(minutes=tolerance_min)
    for visit_id in sorted(set(old) | set(new)):
        before, after = old.get(visit_id), new.get(visit_id)
        change = VisitChange(
            visit_id=visit_id,
            patient_id=patient_of.get(visit_id),
            start_at=after[1] if after else None,
            previous_start_at=before[1] if before else None,
            staff_ids=list(after[0]) if after else [],
            previous_staff_ids=list(before[0]) if before else [],
        )
        if before and after:
            change.shift_minutes = round((after[1] - before[1]).total_seconds() / 60)
            if abs(after[1] - before[1]) > tolerance:
                beyond += 1
        if after is None:
            change.reason = reason_of.get(visit_id)
        old_staff = set(before[0]) if before else set()
        new_staff = set(after[0]) if after else set()
        for staff_id in sorted(new_staff - old_staff):
            of(staff_id).added.append(change)
        for staff_id in sorted(old_staff - new_staff):
            of(staff_id).removed.append(change)
        moved = before and after and abs(after[1] - before[1]) >= RETIME_THRESHOLD
        for staff_id in sorted(old_staff & new_staff):
            if moved:
                of(staff_id).retimed.append(change)
        if before and after and old_staff != new_staff:
            reassigned += 1
        elif moved:
            retimed += 1
        if after and not before:
            added += 1

    return PlanDiff(
        plan_id=plan_id,
        version=plan.version,
        base_plan_id=base_id,
        base_version=base.version,
        staff=[changes[s] for s in sorted(changes)],
        unassigned=[
            UnassignedChange(
                visit_id=u.visit_id,
                patient_id=patient_of.get(u.visit_id),
                reason=u.reason,
                detail=u.detail,
                closest_staff_id=u.closest_staff_id,
                previous_staff_ids=list(old[u.visit_id][0]) if u.visit_id in old else [],
                newly=u.visit_id not in was_unassigned,
            )
            for u in unassigned
        ],
        reassigned_visits=reassigned,
        retimed_visits=retimed,
        moved_beyond_tolerance=beyond,
        added_visits=added,
        affected_staff_ids=affected_staff(session, old_plan=base, new_plan=plan),
    )


def affected_staff(session: Session, *, old_plan: Plan | None, new_plan: Plan) -> list[int]:
    """Staff whose day (every stop, break and time) differs between the two plans."""
    new_days = _days(session, new_plan.id)
    old_days = _days(session, old_plan.id) if old_plan is not None else {}
    return sorted(s for s in set(new_days) | set(old_days) if new_days.get(s) != old_days.get(s))


def _days(session: Session, plan_id: int | None) -> dict[int, list[tuple[object, ...]]]:
    days: dict[int, list[tuple[object, ...]]] = {}
    for stop in session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id).order_by(col(PlanStop.sequence))
    ):
        days.setdefault(stop.staff_id, []).append(
            (stop.kind, stop.visit_id, stop.part, stop.start_at, stop.end_at)
        )
    return days


def _placements(session: Session, plan_id: int) -> dict[int, Placement]:
    stored = session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None))
    )
    return {
        visit_id: (tuple(s.staff_id for s in stops), stops[0].start_at)
        for visit_id, stops in visit_parts(stored).items()
    }


def _patients(session: Session, visit_ids: set[int]) -> dict[int, int]:
    rows = session.exec(
        select(VisitRequest.id, VisitRequest.patient_id).where(col(VisitRequest.id).in_(visit_ids))
    )
    return {visit_id: patient_id for visit_id, patient_id in rows if visit_id is not None}
