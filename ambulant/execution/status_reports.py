"""Status reports: a nurse (or a coordinator on their behalf) says what happened to a visit.

A phone on a rural road loses its connection and retries; the Idempotency-Key makes the retry
apply once. Services flush, the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ambulant.auth.policy import is_planner
from ambulant.auth.principal import Principal
from ambulant.errors import Conflict, Forbidden, InvalidInput, NotFound
from ambulant.models import (
    PlanStop,
    Role,
    StaffPosition,
    VisitRequest,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.planning.staff_schedule import published_plan_for
from ambulant.timeutil import as_aware, day_origin
from ambulant.timeutil import now as clock_now

# Phones' clocks drift; a report a little ahead of the server's clock is still believed (the
# API passes the setting status_clock_skew_s).
CLOCK_SKEW = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class StatusReport:
    """What the reporter says: `at` is when it happened, not when the server heard of it."""

    status: VisitStatus
    at: dt.datetime
    lat: float | None = None
    lon: float | None = None
    staff_id: int | None = None
    expected_end_at: dt.datetime | None = None


def record_status(
    session: Session,
    *,
    visit_id: int,
    report: StatusReport,
    principal: Principal,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    clock_skew: dt.timedelta = CLOCK_SKEW,
) -> tuple[VisitStatusReport, bool]:
    """Stores a report (and the position it carries); returns it and whether it is new.

    A repeat with the same key returns the stored report unchanged; the same key with another
    report is a conflict. A nurse may report only on visits of their own published schedule.

    A phone's clock may be wrong: `at` more than `clock_skew` ahead of the server's clock, or
    (but for a cancellation) before the day before the visit's day, is refused, naming `at`.
    Reports may arrive in any order; the day's state reads them by `at` (ambulant.execution.state).
    """
    if idempotency_key is not None:
        earlier = session.exec(
            select(VisitStatusReport).where(
                VisitStatusReport.reported_by == principal.subject,
                VisitStatusReport.idempotency_key == idempotency_key,
            )
        ).first()
        if earlier is not None:
            if not _same(earlier, visit_id, report):
                raise Conflict(
                    "this Idempotency-Key was already used for another report",
                    field="Idempotency-Key",
                )
            return earlier, False

    visit = session.get(VisitRequest, visit_id)
    if visit is None:
        raise NotFound(f"visit {visit_id} not found")
    staff_id = _reporting_staff(session, visit, report, principal)
    at = as_aware(report.at)
    if at > (now or clock_now()) + clock_skew:
        raise InvalidInput(
            f"at lies in the future (more than {clock_skew.total_seconds() / 60:g} minutes "
            "ahead of the server's clock); is the phone's clock right?",
            field="at",
        )
    # A night visit's drive may start before midnight, so the day before still counts; a
    # cancellation may be known any time before.
    earliest = day_origin(visit.date - dt.timedelta(days=1))
    if at < earliest and report.status != VisitStatus.CANCELLED:
        raise InvalidInput(
            f"at lies before the day before the visit's day ({visit.date.isoformat()}); is the "
            "phone's clock right?",
            field="at",
        )
    if (report.lat is None) != (report.lon is None):
        raise InvalidInput("position needs both lat and lon", field="lat")
    expected_end = as_aware(report.expected_end_at) if report.expected_end_at else None
    if expected_end is not None and (report.status != VisitStatus.STARTED or expected_end <= at):
        raise InvalidInput(
            "expected_end_at belongs to a started visit and must be after at",
            field="expected_end_at",
        )

    row = VisitStatusReport(
        visit_id=visit_id,
        date=visit.date,
        staff_id=staff_id,
        status=report.status,
        at=at,
        lat=report.lat,
        lon=report.lon,
        expected_end_at=expected_end,
        reported_by=principal.subject,
        reporter_role=str(principal.role),
        idempotency_key=idempotency_key,
    )
    session.add(row)
    session.flush()
    if report.lat is not None and report.lon is not None and staff_id is not None:
        session.add(
            StaffPosition(
                staff_id=staff_id,
                date=visit.date,
                at=at,
                lat=report.lat,
                lon=report.lon,
                report_id=row.id,
            )
        )
        session.flush()
    return row, True


def staff_on_visit(session: Session, *, visit: VisitRequest) -> list[int]:
    """The staff who have `visit` in the newest published plan of its day, in part order."""
    assert visit.id is not None
    stops = session.exec(
        select(PlanStop)
        .where(PlanStop.visit_id == visit.id)
        .order_by(col(PlanStop.plan_id).desc(), col(PlanStop.part))
    ).all()
    by_plan: dict[int, list[int]] = {}
    for stop in stops:
        by_plan.setdefault(stop.plan_id, []).append(stop.staff_id)
    for plan_id, staff_ids in by_plan.items():
        published = published_plan_for(session, staff_id=staff_ids[0], day=visit.date)
        if published is not None and published.id == plan_id:
            return staff_ids
    return []


def _reporting_staff(
    session: Session, visit: VisitRequest, report: StatusReport, principal: Principal
) -> int | None:
    assert visit.id is not None
    if principal.role == Role.NURSE:
        if principal.staff_id is None:
            raise Forbidden("this nurse token names no staff member")
        if report.staff_id is not None and report.staff_id != principal.staff_id:
            raise Forbidden("a nurse reports only for themselves", field="staff_id")
        if principal.staff_id not in staff_on_visit(session, visit=visit):
            # Checked against the published plan, so a nurse cannot touch a stranger's visit.
            raise Forbidden(f"visit {visit.id} is not on your published schedule")
        return principal.staff_id
    if not is_planner(principal):
        raise Forbidden("only nurses and coordinators report visit status")
    if report.staff_id is not None:
        return report.staff_id
    on_visit = staff_on_visit(session, visit=visit)
    return on_visit[0] if on_visit else None


def _same(row: VisitStatusReport, visit_id: int, report: StatusReport) -> bool:
    return (
        row.visit_id == visit_id and row.status == report.status and row.at == as_aware(report.at)
    )
