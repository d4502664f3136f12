"""The state of a plan at a moment: per visit what is done, running or still ahead, and per staff
member when and where they can take new work.

What nobody reported is presumed to go as planned: a visit the plan had its staff set off for
before the moment is taken as done, running or en route, so an unreported morning is not
replanned as if it never happened, and nobody is pulled off the road mid-drive. Reports always
win over the plan, and every report received counts, whatever its `at`, so a report from a phone
that was offline is never ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel import Session, col, select

from ambulant.execution.absences import absences_on
from ambulant.models import (
    Patient,
    Plan,
    PlanRoute,
    PlanStop,
    StaffPosition,
    VisitRequest,
    VisitStatus,
    VisitStatusReport,
)

# A visit in one of these states stays where it is in every later plan.
COMMITTED = frozenset(
    {VisitStatus.EN_ROUTE, VisitStatus.STARTED, VisitStatus.DONE, VisitStatus.NOT_HOME}
)

Source = Literal["reported", "presumed", "planned"]


@dataclass(frozen=True)
class VisitProgress:
    """One visit of the day. `status` is a VisitStatus value, 'planned' (ahead of us) or
    'unplanned' (not in the plan). Frozen visits keep their staff; times are the best knowledge:
    reported where reported, planned otherwise."""

    visit_id: int
    status: str
    source: Source
    staff_ids: tuple[int, ...]
    frozen: bool
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    reported_at: dt.datetime | None = None


@dataclass
class StaffProgress:
    """When and where a staff member can take new work. `location` is None when they have not
    left their start location yet; `location_source` says where a known location comes from."""

    staff_id: int
    available_from: dt.datetime
    location: tuple[float, float] | None = None
    location_source: Literal["start", "visit", "position"] = "start"
    done_visit_ids: list[int] = field(default_factory=list)
    running_visit_id: int | None = None
    break_taken: bool = False
    absent_from: dt.datetime | None = None


@dataclass
class PlanState:
    plan_id: int
    at: dt.datetime
    visits: dict[int, VisitProgress]
    staff: dict[int, StaffProgress]
    cancelled: set[int]
    report_watermark: int
    """The newest report id taken into account: a later one means the state has moved on."""

    @property
    def frozen_visit_ids(self) -> set[int]:
        return {v for v, p in self.visits.items() if p.frozen}


def newest_report_id(session: Session, *, day: dt.date) -> int:
    newest = session.exec(
        select(VisitStatusReport.id)
        .where(VisitStatusReport.date == day)
        .order_by(col(VisitStatusReport.id).desc())
    ).first()
    return newest or 0


def plan_state(session: Session, *, plan: Plan, at: dt.datetime) -> PlanState:
    """The state of `plan` at `at`, from its stops and every report received for its day."""
    assert plan.id is not None
    stops = list(
        session.exec(
            select(PlanStop)
            .where(PlanStop.plan_id == plan.id)
            .order_by(col(PlanStop.staff_id), col(PlanStop.sequence))
        )
    )
    reports = _reports_by_visit(session, plan.date)
    absent = absences_on(session, day=plan.date)
    visit_stops: dict[int, list[PlanStop]] = {}
    for stop in stops:
        if stop.visit_id is not None:
            visit_stops.setdefault(stop.visit_id, []).append(stop)
    visit_ids = set(visit_stops) | set(reports)
    visits = {
        v.id: v
        for v in session.exec(select(VisitRequest).where(col(VisitRequest.id).in_(visit_ids)))
        if v.id is not None
    }

    progress: dict[int, VisitProgress] = {}
    cancelled: set[int] = set()
    for visit_id in sorted(visit_ids):
        visit = visits.get(visit_id)
        if visit is None:
            continue
        item = _visit_progress(
            visit,
            sorted(visit_stops.get(visit_id, []), key=lambda s: s.part),
            reports.get(visit_id, []),
            at,
            absent,
        )
        progress[visit_id] = item
        if item.status == VisitStatus.CANCELLED:
            cancelled.add(visit_id)

    routed = session.exec(select(PlanRoute.staff_id).where(PlanRoute.plan_id == plan.id))
    staff_ids = sorted({s.staff_id for s in stops} | set(routed.all()))
    staff = {
        staff_id: _staff_progress(staff_id, at, stops, progress, absent.get(staff_id))
        for staff_id in staff_ids
    }
    _place_staff(session, staff, progress, visits, plan.date)
    return PlanState(
        plan_id=plan.id,
        at=at,
        visits=progress,
        staff=staff,
        cancelled=cancelled,
        report_watermark=newest_report_id(session, day=plan.date),
    )


def _reports_by_visit(session: Session, day: dt.date) -> dict[int, list[VisitStatusReport]]:
    grouped: dict[int, list[VisitStatusReport]] = {}
    rows = session.exec(
        select(VisitStatusReport)
        .where(VisitStatusReport.date == day)
        .order_by(col(VisitStatusReport.at), col(VisitStatusReport.id))
    )
    for row in rows:
        grouped.setdefault(row.visit_id, []).append(row)
    return grouped


def _visit_progress(
    visit: VisitRequest,
    stops: list[PlanStop],
    reports: list[VisitStatusReport],
    at: dt.datetime,
    absent: dict[int, dt.datetime],
) -> VisitProgress:
    assert visit.id is not None
    duration = dt.timedelta(minutes=visit.duration_minutes)
    planned_staff = tuple(s.staff_id for s in stops)
    planned_start = stops[0].start_at if stops else None
    if reports:
        latest = reports[-1]
        status = VisitStatus(latest.status)
        staff_ids = planned_staff or ((latest.staff_id,) if latest.staff_id else ())
        if status == VisitStatus.CANCELLED:
            return VisitProgress(
                visit.id, status, "reported", planned_staff, False, None, None, latest.at
            )
        start, end = _reported_times(status, reports, stops, planned_start, duration)
        return VisitProgress(
            visit.id, status, "reported", staff_ids, bool(staff_ids), start, end, latest.at
        )
    if not stops or planned_start is None:
        return VisitProgress(visit.id, "unplanned", "planned", (), False, None, None)
    planned_end = stops[0].end_at
    # Whoever the plan had on the road to this visit at the moment is driving there now.
    departure = min(s.arrival_at - dt.timedelta(seconds=s.travel_s) for s in stops)
    still_working = all(absent.get(s, planned_end) > departure for s in planned_staff)
    if departure < at and still_working:
        if planned_end <= at:
            presumed = VisitStatus.DONE
        elif planned_start < at:
            presumed = VisitStatus.STARTED
        else:
            presumed = VisitStatus.EN_ROUTE
        return VisitProgress(
            visit.id, presumed, "presumed", planned_staff, True, planned_start, planned_end
        )
    return VisitProgress(
        visit.id, "planned", "planned", planned_staff, False, planned_start, planned_end
    )


def _reported_times(
    status: VisitStatus,
    reports: list[VisitStatusReport],
    stops: list[PlanStop],
    planned_start: dt.datetime | None,
    duration: dt.timedelta,
) -> tuple[dt.datetime, dt.datetime]:
    """Best estimate of when a committed visit starts and ends, from its reports."""
    latest = reports[-1]
    started = next((r for r in reversed(reports) if r.status == VisitStatus.STARTED), None)
    if status == VisitStatus.DONE:
        end = latest.at
        if started is not None and started.at <= end:
            return started.at, end
        start = planned_start if planned_start is not None and planned_start <= end else None
        return start or end - duration, end
    if status == VisitStatus.NOT_HOME:
        return latest.at, latest.at
    if status == VisitStatus.STARTED:
        end = latest.expected_end_at or latest.at + duration
        return latest.at, max(end, latest.at)
    # En route: they arrive after the planned drive, and never before the planned start.
    drive = dt.timedelta(seconds=stops[0].travel_s) if stops else dt.timedelta(0)
    start = latest.at + drive
    if planned_start is not None:
        start = max(start, planned_start)
    return start, start + duration


def _staff_progress(
    staff_id: int,
    at: dt.datetime,
    stops: Iterable[PlanStop],
    progress: dict[int, VisitProgress],
    absent_from: dt.datetime | None,
) -> StaffProgress:
    state = StaffProgress(staff_id=staff_id, available_from=at, absent_from=absent_from)
    for stop in stops:
        if stop.staff_id != staff_id or stop.kind != "break":
            continue
        if stop.start_at < at and (absent_from is None or stop.start_at < absent_from):
            state.break_taken = True
            state.available_from = max(state.available_from, stop.end_at)
    for item in progress.values():
        if not item.frozen or staff_id not in item.staff_ids or item.end_at is None:
            continue
        if item.status in (VisitStatus.DONE, VisitStatus.NOT_HOME):
            state.done_visit_ids.append(item.visit_id)
        else:
            state.running_visit_id = item.visit_id
        state.available_from = max(state.available_from, item.end_at)
    return state


def _place_staff(
    session: Session,
    staff: dict[int, StaffProgress],
    progress: dict[int, VisitProgress],
    visits: dict[int, VisitRequest],
    day: dt.date,
) -> None:
    """Where each staff member is when they take new work: at the patient of their last
    committed visit, or where their phone last said, if that is newer and nothing is running."""
    patient_ids = {v.patient_id for v in visits.values()}
    places = {
        p.id: (p.lat, p.lon)
        for p in session.exec(select(Patient).where(col(Patient.id).in_(patient_ids)))
    }
    last_end: dict[int, dt.datetime] = {}
    committed = [p for p in progress.values() if p.frozen and p.end_at is not None]
    for item in sorted(committed, key=lambda p: (p.end_at, p.visit_id)):
        assert item.end_at is not None
        for staff_id in item.staff_ids:
            if staff_id in staff:
                staff[staff_id].location = places[visits[item.visit_id].patient_id]
                staff[staff_id].location_source = "visit"
                last_end[staff_id] = item.end_at
    positions = session.exec(
        select(StaffPosition)
        .where(StaffPosition.date == day)
        .order_by(col(StaffPosition.at), col(StaffPosition.id))
    )
    for position in positions:
        member = staff.get(position.staff_id)
        # A position sent before their last committed visit ends says where they were, not
        # where they will be (running and en-route visits end in the future).
        if member is not None and position.at >= last_end.get(position.staff_id, position.at):
            member.location = (position.lat, position.lon)
            member.location_source = "position"
