"""Asking for a replan: record the changes as facts and queue a new version based on the current
one (the caller then hands it to the replan queue and waits a few seconds for the worker).

The changes are stored before anything is solved (a cancellation is a report, an absence a row,
an urgent visit a visit request), so a replan that fails or is overtaken loses nothing: the next
one sees them too. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from ambulant.auth import access
from ambulant.auth.principal import Principal
from ambulant.errors import InvalidInput
from ambulant.execution.absences import record_absence
from ambulant.execution.status_reports import StatusReport, record_status
from ambulant.models import (
    Patient,
    Plan,
    PlanStatus,
    PlanStop,
    VisitRequest,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.planning.plans import get_plan, plan_summary
from ambulant.planning.weights import stored_overrides
from ambulant.registry.visits import create_visit
from ambulant.replanning.diff import PlanDiff
from ambulant.replanning.versions import next_version, require_current
from ambulant.replanning.views import ReplanAnswer, ReplanRequest
from ambulant.timeutil import now as clock_now


def request_replan(
    session: Session,
    *,
    plan_id: int,
    request: ReplanRequest,
    principal: Principal,
    based_on_version: int | None = None,
    now: dt.datetime | None = None,
) -> Plan:
    """A queued new version of plan `plan_id`; the caller commits, then queues its id."""
    base = get_plan(session, plan_id=plan_id)
    version_seen = based_on_version if based_on_version is not None else request.based_on_version
    require_current(session, base, based_on_version=version_seen)
    moment = now or clock_now()
    at = request.at or moment
    new_ids = [_new_visit(session, base, i, data) for i, data in enumerate(request.new_visits)]
    for visit_id in request.cancelled_visit_ids:
        _visit_of_day(session, base, visit_id, "cancelled_visit_ids")
        record_status(
            session,
            visit_id=visit_id,
            report=StatusReport(status=VisitStatus.CANCELLED, at=at),
            principal=principal,
            now=moment,
        )
    for absence in request.unavailable:
        record_absence(
            session,
            staff_id=absence.staff_id,
            day=base.date,
            from_at=absence.from_at,
            reason=absence.reason,
            by=principal.subject,
        )
    for late in request.running_late:
        _record_late(session, base, late.visit_id, late.expected_end_at, principal, moment)

    plan = Plan(
        date=base.date,
        scope=base.scope,
        version=next_version(session, day=base.date, scope=base.scope),
        based_on_id=base.id,
        status=PlanStatus.QUEUED,
        parameters={
            "replan": {
                "at": at.isoformat(),
                "based_on_version": base.version,
                "requested_by": principal.subject,
                "new_visit_ids": new_ids,
                "cancelled_visit_ids": request.cancelled_visit_ids,
                "unavailable_staff_ids": [a.staff_id for a in request.unavailable],
                "late_visit_ids": [late.visit_id for late in request.running_late],
            },
            # The base plan's own weights (a coordinator's per-plan overrides) carry over to
            # every version replanned from it.
            "weights": stored_overrides(base.parameters),
        },
    )
    session.add(plan)
    session.flush()
    return plan


def check_references(session: Session, principal: Principal, request: ReplanRequest) -> None:
    """Every patient, visit and staff member a replan request names must be within the
    caller's reach, as in any other body (a 422 naming the field, audited if it exists)."""
    for i, visit in enumerate(request.new_visits):
        access.patient_ref(
            session, principal, visit.patient_id, field=f"new_visits[{i}].patient_id"
        )
    # The field the client sent, so a 422 names it (the document lists these two).
    for visit_id in request.cancelled_visit_ids:
        access.visit_ref(session, principal, visit_id, field="cancelled_visit_ids")
    for late in request.running_late:
        access.visit_ref(session, principal, late.visit_id, field="running_late")
    for absence in request.unavailable:
        access.staff_ref(session, principal, absence.staff_id, field="unavailable.staff_id")


def replan_answer(plan: Plan, base: Plan) -> ReplanAnswer:
    """What a replan request answers: the new version as it stands (its diff once solved)."""
    assert base.id is not None
    return ReplanAnswer(
        plan=plan_summary(plan),
        based_on_plan_id=base.id,
        based_on_version=base.version,
        error=plan.error,
        warnings=list(plan.solver_stats.get("warnings", [])),
        diff=PlanDiff.model_validate(plan.diff) if plan.diff is not None else None,
    )


def _new_visit(session: Session, base: Plan, index: int, data: Any) -> int:
    if data.local_date != base.date:
        raise InvalidInput(
            f"the visit is on {data.local_date}, the plan on {base.date}",
            field=f"new_visits[{index}].window_start",
        )
    patient = session.get(Patient, data.patient_id)
    if patient is not None and base.scope not in ("all", patient.municipality_code):
        raise InvalidInput(
            f"patient {patient.id} lives outside the plan's scope {base.scope}",
            field=f"new_visits[{index}].patient_id",
        )
    visit = create_visit(session, data=data)
    assert visit.id is not None
    return visit.id


def _visit_of_day(session: Session, base: Plan, visit_id: int, field: str) -> VisitRequest:
    visit = session.get(VisitRequest, visit_id)
    if visit is None or visit.date != base.date:
        raise InvalidInput(f"visit {visit_id} is not a visit of {base.date}", field=field)
    return visit


def _record_late(
    session: Session,
    base: Plan,
    visit_id: int,
    expected_end: dt.datetime,
    principal: Principal,
    moment: dt.datetime,
) -> None:
    """A visit running late is a started visit with a later end: started when a report says it
    started, else when the plan said it would."""
    _visit_of_day(session, base, visit_id, "running_late")
    started = session.exec(
        select(VisitStatusReport)
        .where(
            VisitStatusReport.visit_id == visit_id,
            VisitStatusReport.status == VisitStatus.STARTED,
        )
        .order_by(col(VisitStatusReport.at).desc())
    ).first()
    if started is not None:
        start, staff_id = started.at, started.staff_id
    else:
        stop = session.exec(
            select(PlanStop).where(PlanStop.plan_id == base.id, PlanStop.visit_id == visit_id)
        ).first()
        if stop is None:
            raise InvalidInput(f"visit {visit_id} is not in plan {base.id}", field="running_late")
        start, staff_id = stop.start_at, stop.staff_id
    record_status(
        session,
        visit_id=visit_id,
        report=StatusReport(
            status=VisitStatus.STARTED,
            at=min(start, moment),
            staff_id=staff_id,
            expected_end_at=expected_end,
        ),
        principal=principal,
        now=moment,
    )
