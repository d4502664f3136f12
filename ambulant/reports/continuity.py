"""Continuity of care over a horizon of days: per patient, how many staff came, and how often a
familiar one (docs/continuity.md).

The source is the stored plans. For each day and plan scope the plan that counts is the newest
published one; a day and scope with none published counts its newest draft. When a visit is in
more than one counted plan of its day (an 'all' plan and a municipality's plan), the most
recently published (or made) one counts. Patients are named by id only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.models import (
    Municipality,
    Patient,
    Plan,
    PlanStatus,
    PlanStop,
    UnassignedVisit,
    VisitRequest,
)

MAX_DAYS = 62
# Visits cancelled by a status report are not care left undone by the plan.
CANCELLED = "cancelled"


class StaffVisits(BaseModel):
    staff_id: int
    visits: int


class PatientContinuity(BaseModel):
    patient_id: int
    municipality_code: str
    visits: int = Field(description="Visits planned (a joint visit counts once).")
    unassigned: int = Field(description="Visits the counted plans left out (not cancelled ones).")
    days: int = Field(description="Days with at least one planned visit.")
    distinct_staff: int
    staff: list[StaffVisits] = Field(description="Who came, most visits first.")
    preferred_staff: list[int]
    preferred_visits: int = Field(
        description="Planned visits with at least one preferred staff member among those doing it."
    )
    preferred_share: float | None = Field(
        description="Share of planned visits with at least one preferred staff member among "
        "those doing it; null when the patient names no preferred staff."
    )


class PlanCounted(BaseModel):
    date: dt.date
    scope: str
    status: PlanStatus
    version: int
    plan_id: int | None = Field(description="Null when the caller cannot open that plan.")


class ContinuitySummary(BaseModel):
    patients: int
    visits: int
    unassigned: int
    mean_distinct_staff: float | None
    preferred_share: float | None = Field(description="Over the patients who name preferred staff.")


class ContinuityReport(BaseModel):
    start: dt.date
    end: dt.date
    municipality: str | None
    days_without_plan: list[dt.date]
    plans: list[PlanCounted]
    summary: ContinuitySummary
    patients: list[PatientContinuity]


def check_range(start: dt.date, end: dt.date, *, max_days: int = MAX_DAYS) -> None:
    if end < start:
        raise InvalidInput("end must not be before start", field="end")
    days = (end - start).days + 1
    if days > max_days:
        raise InvalidInput(
            f"end: the range holds {days} days; at most {max_days} are allowed", field="end"
        )


def check_municipality(session: Session, code: str | None) -> None:
    if code is not None and session.get(Municipality, code) is None:
        raise InvalidInput(
            f"municipality: unknown municipality code {code!r}", field="municipality"
        )


def counted_plans(session: Session, *, start: dt.date, end: dt.date) -> list[Plan]:
    """Per day and scope, the newest published plan, else the newest draft; newest first."""
    query = select(Plan).where(
        col(Plan.date) >= start,
        col(Plan.date) <= end,
        col(Plan.status).in_([PlanStatus.PUBLISHED, PlanStatus.DRAFT]),
    )
    best: dict[tuple[dt.date, str], Plan] = {}
    for plan in session.exec(query):
        key = (plan.date, plan.scope)
        if key not in best or _rank(plan) > _rank(best[key]):
            best[key] = plan
    return sorted(best.values(), key=_rank, reverse=True)


def _rank(plan: Plan) -> tuple[bool, dt.datetime, int]:
    """Published beats draft; then the newer. A plan's moment: published, else finished."""
    published = plan.status == PlanStatus.PUBLISHED
    moment = (plan.published_at if published else None) or plan.finished_at or plan.created_at
    return (published, moment, plan.id or 0)


@dataclass
class _Patient:
    municipality: str
    preferred: list[int]
    planned: dict[int, set[int]] = field(default_factory=dict)  # visit id -> staff ids
    unassigned: set[int] = field(default_factory=set)
    days: set[dt.date] = field(default_factory=set)


def continuity_report(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    municipality: str | None = None,
    within: Collection[str] | None = None,
    visible_scopes: Collection[str] | None = None,
) -> ContinuityReport:
    """`within` limits the patients to those municipalities (a caller's scope; None: all);
    `visible_scopes` are the plan scopes whose ids the caller may see (None: all)."""
    check_range(start, end)
    check_municipality(session, municipality)
    plans = counted_plans(session, start=start, end=end)
    # The first plan (newest first) holding a visit decides where that visit stands.
    decided: dict[int, int] = {}
    patients: dict[int, _Patient] = {}
    if plans:
        _collect(session, plans, decided, patients, municipality=municipality, within=within)
    rows = [_patient_row(pid, p) for pid, p in sorted(patients.items())]
    planned_days = {plan.date for plan in plans}
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return ContinuityReport(
        start=start,
        end=end,
        municipality=municipality,
        days_without_plan=[d for d in days if d not in planned_days],
        plans=[
            PlanCounted(
                date=plan.date,
                scope=plan.scope,
                status=plan.status,
                version=plan.version,
                plan_id=plan.id if visible_scopes is None or plan.scope in visible_scopes else None,
            )
            for plan in sorted(plans, key=lambda p: (p.date, p.scope))
        ],
        summary=_summary(rows),
        patients=rows,
    )


def _collect(
    session: Session,
    plans: list[Plan],
    decided: dict[int, int],
    patients: dict[int, _Patient],
    *,
    municipality: str | None,
    within: Collection[str] | None,
) -> None:
    order = {plan.id: n for n, plan in enumerate(plans)}
    ids = sorted(order, key=lambda i: order[i])
    stops = session.exec(
        select(PlanStop.plan_id, PlanStop.visit_id, PlanStop.staff_id).where(
            col(PlanStop.plan_id).in_(ids), col(PlanStop.visit_id).is_not(None)
        )
    ).all()
    left_out = session.exec(
        select(UnassignedVisit.plan_id, UnassignedVisit.visit_id).where(
            col(UnassignedVisit.plan_id).in_(ids), UnassignedVisit.reason != CANCELLED
        )
    ).all()
    cancelled = session.exec(
        select(UnassignedVisit.plan_id, UnassignedVisit.visit_id).where(
            col(UnassignedVisit.plan_id).in_(ids), UnassignedVisit.reason == CANCELLED
        )
    ).all()
    for plan_id, visit_id in [*((p, v) for p, v, _ in stops), *left_out, *cancelled]:
        assert visit_id is not None
        if visit_id not in decided or order[plan_id] < order[decided[visit_id]]:
            decided[visit_id] = plan_id

    visit_rows = session.exec(
        select(col(VisitRequest.id), col(VisitRequest.date), Patient)
        .join(Patient, col(Patient.id) == col(VisitRequest.patient_id))
        .where(col(VisitRequest.id).in_(sorted(decided)))
    ).all()
    visit_of: dict[int, tuple[dt.date, Patient]] = {}
    for visit_id, day, patient in visit_rows:
        if municipality is not None and patient.municipality_code != municipality:
            continue
        if within is not None and patient.municipality_code not in within:
            continue
        assert visit_id is not None
        visit_of[visit_id] = (day, patient)

    def entry(visit_id: int) -> _Patient | None:
        if visit_id not in visit_of:
            return None
        patient = visit_of[visit_id][1]
        assert patient.id is not None
        return patients.setdefault(
            patient.id, _Patient(patient.municipality_code, list(patient.preferred_staff))
        )

    for plan_id, visit_id, staff_id in stops:
        assert visit_id is not None
        if decided[visit_id] != plan_id or (p := entry(visit_id)) is None:
            continue
        p.planned.setdefault(visit_id, set()).add(staff_id)
        p.days.add(visit_of[visit_id][0])
    for plan_id, visit_id in left_out:
        if decided[visit_id] != plan_id or (p := entry(visit_id)) is None:
            continue
        if visit_id not in p.planned:
            p.unassigned.add(visit_id)


def _patient_row(patient_id: int, p: _Patient) -> PatientContinuity:
    counts = Counter(staff for staff_ids in p.planned.values() for staff in staff_ids)
    preferred = set(p.preferred)
    familiar = sum(1 for staff_ids in p.planned.values() if staff_ids & preferred)
    share = round(familiar / len(p.planned), 4) if preferred and p.planned else None
    return PatientContinuity(
        patient_id=patient_id,
        municipality_code=p.municipality,
        visits=len(p.planned),
        unassigned=len(p.unassigned),
        days=len(p.days),
        distinct_staff=len(counts),
        staff=[
            StaffVisits(staff_id=s, visits=n)
            for s, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ],
        preferred_staff=sorted(preferred),
        preferred_visits=familiar,
        preferred_share=share,
    )


def _summary(rows: list[PatientContinuity]) -> ContinuitySummary:
    visited = [r for r in rows if r.visits]
    with_preferred = [r for r in visited if r.preferred_share is not None]
    familiar = sum(r.preferred_visits for r in with_preferred)
    counted = sum(r.visits for r in with_preferred)
    return ContinuitySummary(
        patients=len(rows),
        visits=sum(r.visits for r in rows),
        unassigned=sum(r.unassigned for r in rows),
        mean_distinct_staff=round(sum(r.distinct_staff for r in visited) / len(visited), 2)
        if visited
        else None,
        preferred_share=round(familiar / counted, 4) if counted else None,
    )
