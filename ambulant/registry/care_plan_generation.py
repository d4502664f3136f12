"""Care plans become visit requests over a range of days, idempotently.

Every window a care plan's rule gives on a day is one visit, known by (care plan, day, slot: the
window's place among that day's windows). Generation compares what the plans ask for with the
generated visits already stored and makes the difference: it creates the missing, updates the
changed and removes those no plan asks for any more, so running it twice changes nothing.

It never touches a visit that is settled: one on a published plan, one with a status report
(started, done, ...), or one whose window has begun. Those are counted as `kept` when their care
plan now says otherwise. A visit a plan no longer asks for that a stored plan still lists (a
draft, an older version) or another visit depends on is updated where it must be but not removed
(also `kept`), so no plan loses a stop under it. Visits made by hand (no slot) are never looked at.

Services flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ambulant.errors import Conflict, InvalidInput
from ambulant.models import (
    CarePlan,
    Patient,
    PatientAbsence,
    Plan,
    PlanStatus,
    PlanStop,
    UnassignedVisit,
    VisitRequest,
    VisitStatusReport,
)
from ambulant.models.recurrence import occurrences
from ambulant.registry.care_plan_visits import planned_visit
from ambulant.timeutil import day_origin, now

# The most days one run covers: a quarter, enough to plan ahead, small enough for one request.
MAX_DAYS = 92
# The fields a care plan decides; anything else on a generated visit (a pinned staff member, a
# dependency) is the coordinator's and stays as it is.
PLAN_FIELDS = (
    "patient_id",
    "description",
    "window_start",
    "window_end",
    "duration_minutes",
    "skills",
    "second_staff_skills",
    "staff_count",
    "priority",
    "required_skill_level",
    "series",
    "organisation_id",
    "part_organisation_ids",
)

Key = tuple[int, dt.date, int]


class GenerationCounts(BaseModel):
    """How many generated visits a run created, updated, removed, found as they should be, and
    kept although their care plan now says otherwise (settled, or still listed by a plan)."""

    created: int
    updated: int
    removed: int
    unchanged: int
    kept: int


@dataclass
class Generation:
    """What one run did, visit by visit."""

    created: list[VisitRequest] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    # The patients whose visits it created, changed or removed (for the audit trail).
    patient_ids: set[int] = field(default_factory=set)

    def counts(self) -> GenerationCounts:
        return GenerationCounts(
            created=len(self.created),
            updated=len(self.updated),
            removed=len(self.removed),
            unchanged=len(self.unchanged),
            kept=len(self.kept),
        )


def check_range(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise InvalidInput("to must not be before from", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at once", field="to")


def generate(
    session: Session,
    *,
    first: dt.date,
    last: dt.date,
    municipalities: Collection[str] | None = None,
    at: dt.datetime | None = None,
) -> Generation:
    """Bring the generated visits from `first` to `last` (Oslo dates, both included) of the
    patients in `municipalities` (None: everyone) in line with their care plans, as of `at`
    (default now): visits whose window has begun by then are settled, and a missing visit
    whose window is over by then is not made."""
    check_range(first, last)
    at = at if at is not None else now()
    plans = _care_plans(session, first=first, last=last, municipalities=municipalities)
    wanted = _wanted(session, plans, first=first, last=last)
    plan_ids = [p.id for p in plans if p.id is not None]
    stored = _stored(session, plan_ids=plan_ids, first=first, last=last)
    settled = _settled(session, stored.values(), at=at)
    listed = _listed(session, stored.values())
    result = Generation()
    for key in sorted(wanted.keys() | stored.keys()):
        want, have = wanted.get(key), stored.get(key)
        if have is None:
            assert want is not None
            if want["window_end"] <= at:
                continue  # a window already over is history, not a visit to plan
            visit = VisitRequest.model_validate(want)
            session.add(visit)
            result.created.append(visit)
            result.patient_ids.add(visit.patient_id)
            continue
        assert have.id is not None
        if want is None:
            if have.id in settled or have.id in listed:
                result.kept.append(have.id)
            else:
                session.delete(have)
                result.removed.append(have.id)
                result.patient_ids.add(have.patient_id)
            continue
        changes = {f: want[f] for f in PLAN_FIELDS if getattr(have, f) != want[f]}
        if not changes:
            result.unchanged.append(have.id)
        elif have.id in settled:
            result.kept.append(have.id)
        else:
            have.sqlmodel_update(changes)
            session.add(have)
            result.updated.append(have.id)
            result.patient_ids.update((have.patient_id, want["patient_id"]))
    try:
        session.flush()
    except IntegrityError as error:
        # Another generation (or a plan) changed these visits since they were read here.
        raise Conflict(
            "these visits were generated or planned at the same moment by another request; "
            "run it again (it changes only what is still to do)"
        ) from error
    return result


def scope_municipalities(scope: str, within: Collection[str] | None) -> frozenset[str] | None:
    """The municipalities a run over `scope` ('all' or a municipality code) covers for a caller
    limited to `within` (None: no limit)."""
    if scope != "all":
        return frozenset({scope})
    return None if within is None else frozenset(within)


def generate_visit_requests(session: Session, *, day: dt.date) -> list[VisitRequest]:
    """Generate one day for everyone as of that day's start (a day being seeded, as the demo
    does, is not yet lived); returns only the visits it created."""
    return generate(session, first=day, last=day, at=day_origin(day)).created


def _care_plans(
    session: Session, *, first: dt.date, last: dt.date, municipalities: Collection[str] | None
) -> list[CarePlan]:
    """Every care plan of the patients in scope: also those no longer valid in the range, whose
    generated visits there must go."""
    query = select(CarePlan).order_by(col(CarePlan.id))
    if municipalities is not None:
        query = query.join(Patient, col(Patient.id) == col(CarePlan.patient_id)).where(
            col(Patient.municipality_code).in_(sorted(municipalities))
        )
    return list(session.exec(query))


def _wanted(
    session: Session, plans: list[CarePlan], *, first: dt.date, last: dt.date
) -> dict[Key, dict[str, Any]]:
    absent = _absent_days(session, [p.patient_id for p in plans], first=first, last=last)
    wanted: dict[Key, dict[str, Any]] = {}
    for plan in plans:
        assert plan.id is not None
        begin = max(first, plan.valid_from) if plan.valid_from else first
        end = min(last, plan.valid_to) if plan.valid_to else last
        if end < begin:
            continue
        starts = occurrences(
            plan.recurrence,
            first=begin,
            last=end,
            valid_from=plan.valid_from,
            window_start=plan.window_start,
            exdates=plan.exdates,
            absent=absent.get(plan.patient_id, ()),
        )
        per_day: dict[dt.date, int] = defaultdict(int)
        for start in starts:
            slot = per_day[start.date()]
            per_day[start.date()] += 1
            wanted[(plan.id, start.date(), slot)] = planned_visit(plan, start=start, slot=slot)
    return wanted


def _absent_days(
    session: Session, patient_ids: Iterable[int], *, first: dt.date, last: dt.date
) -> dict[int, set[dt.date]]:
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    absences = session.exec(
        select(PatientAbsence)
        .where(col(PatientAbsence.patient_id).in_(ids))
        .where(PatientAbsence.first_day <= last, PatientAbsence.last_day >= first)
    )
    days: dict[int, set[dt.date]] = defaultdict(set)
    for absence in absences:
        day = max(absence.first_day, first)
        while day <= min(absence.last_day, last):
            days[absence.patient_id].add(day)
            day += dt.timedelta(days=1)
    return days


def _stored(
    session: Session, *, plan_ids: list[int], first: dt.date, last: dt.date
) -> dict[Key, VisitRequest]:
    if not plan_ids:
        return {}
    visits = session.exec(
        select(VisitRequest)
        .where(col(VisitRequest.care_plan_id).in_(plan_ids))
        .where(col(VisitRequest.care_plan_slot).is_not(None))
        .where(VisitRequest.date >= first, VisitRequest.date <= last)
    )
    stored: dict[Key, VisitRequest] = {}
    for visit in visits:
        assert visit.care_plan_id is not None and visit.care_plan_slot is not None
        stored[(visit.care_plan_id, visit.date, visit.care_plan_slot)] = visit
    return stored


def _settled(session: Session, visits: Iterable[VisitRequest], *, at: dt.datetime) -> set[int]:
    """Visits generation must leave as they are: begun, reported on, or on a published plan."""
    by_id = {v.id: v for v in visits if v.id is not None}
    settled = {i for i, v in by_id.items() if v.window_start <= at}
    ids = sorted(by_id)
    if not ids:
        return settled
    settled.update(
        session.exec(
            select(VisitStatusReport.visit_id).where(col(VisitStatusReport.visit_id).in_(ids))
        )
    )
    settled.update(
        v
        for v in session.exec(
            select(PlanStop.visit_id)
            .join(Plan, col(Plan.id) == col(PlanStop.plan_id))
            .where(col(PlanStop.visit_id).in_(ids), Plan.status == PlanStatus.PUBLISHED)
        )
        if v is not None
    )
    return settled


def _listed(session: Session, visits: Iterable[VisitRequest]) -> set[int]:
    """Visits a stored plan or another visit refers to: removing them would break those."""
    ids = sorted(v.id for v in visits if v.id is not None)
    if not ids:
        return set()
    listed: set[int] = set()
    for column in (PlanStop.visit_id, UnassignedVisit.visit_id, VisitRequest.depends_on_id):
        listed.update(v for v in session.exec(select(column).where(col(column).in_(ids))) if v)
    return listed
