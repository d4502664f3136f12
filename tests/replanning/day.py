"""Plans for the tiny region: hand-made (exact times, for state rules) or solved (for replans)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.auth.principal import Principal
from ambulant.config import Settings
from ambulant.execution.status_reports import StatusReport, record_status
from ambulant.jobs.lifecycle import run_job
from ambulant.models import (
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Role,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.planning.plans import publish_plan, request_plan
from ambulant.timeutil import local, now
from tests.builders import DAY, TinyRegion

COORDINATOR = Principal(subject="coordinator", role=Role.COORDINATOR)

Leg = tuple[int, str, str]  # visit id (0: a break), start "HH:MM", end "HH:MM"


def at(clock: str, day: dt.date = DAY) -> dt.datetime:
    return local(day, dt.time.fromisoformat(clock))


def hand_made_plan(
    session: Session, region: TinyRegion, routes: dict[int, list[Leg]], *, version: int = 1
) -> Plan:
    """A published plan with exactly these stops (staff id -> legs in order)."""
    plan = Plan(
        date=region.day,
        version=version,
        status=PlanStatus.PUBLISHED,
        published_at=now(),
    )
    session.add(plan)
    session.flush()
    assert plan.id is not None
    parts: dict[int, int] = {}
    for staff_id, legs in routes.items():
        session.add(
            PlanRoute(
                plan_id=plan.id,
                staff_id=staff_id,
                departure_at=at("07:30", region.day),
                return_at=at("15:00", region.day),
            )
        )
        for sequence, (visit_id, start, end) in enumerate(legs, start=1):
            part = parts.get(visit_id, 0) if visit_id else 0
            if visit_id:
                parts[visit_id] = part + 1
            session.add(
                PlanStop(
                    plan_id=plan.id,
                    staff_id=staff_id,
                    visit_id=visit_id or None,
                    kind="visit" if visit_id else "break",
                    sequence=sequence,
                    part=part,
                    arrival_at=at(start, region.day),
                    start_at=at(start, region.day),
                    end_at=at(end, region.day),
                    travel_s=300,
                )
            )
    session.flush()
    return plan


def solved_plan(engine: Engine, settings: Settings, *, day: dt.date = DAY) -> int:
    """Plans `day` with the real solver (in this process) and publishes it; returns its id."""
    with Session(engine) as session:
        plan = request_plan(session, day=day)
        session.commit()
        assert plan.id is not None
        plan_id = plan.id
    solved = run_job(engine, plan_id=plan_id, settings=settings)
    assert solved.status == PlanStatus.DRAFT, solved.error
    with Session(engine) as session:
        publish_plan(session, plan_id=plan_id)
        session.commit()
    return plan_id


def report(
    session: Session,
    visit_id: int,
    status: VisitStatus,
    when: dt.datetime,
    *,
    staff_id: int | None = None,
    **extra: object,
) -> VisitStatusReport:
    row, _ = record_status(
        session,
        visit_id=visit_id,
        report=StatusReport(status, when, staff_id=staff_id, **extra),  # type: ignore[arg-type]
        principal=COORDINATOR,
        now=when + dt.timedelta(hours=12),
    )
    return row
