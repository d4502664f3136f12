"""A month of the demo region as it would have been lived: the volume production reaches.

Each day, in each municipality (a plan's scope), what the service records on a working day:

1. the day is planned (a short solve budget) and published: version 1;
2. the coordinator reads the plan, and each nurse with a route reads her day;
3. the nurses report the morning as planned (started, then done);
4. at `replan_at` an urgent visit comes in: the rest of the day is replanned and published,
   version 2 (version 1 is superseded), and it is read again by the coordinator and the nurses;
5. the afternoon is reported per version 2.

Every step goes through the services the API and the workers use (plan request, solve job,
publishing, replan request, status reports, the staff schedule), so the rows are the rows
production writes, audit entries included. Only the clock is moved: audit entries and reports
carry the moment of the day they stand for. With the Værnes region, 30 days make 7 600 visits,
240 plans, 17 000 stops, 15 000 status reports and 21 000 audit entries (measured: docs/
benchmarks.md, "The hot reads on a month of history").

A day and scope that already has a published plan is left as it is, so an interrupted load is
continued by running it again.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from ambulant.audit.trail import record_patients
from ambulant.auth.principal import Principal
from ambulant.config import Settings
from ambulant.demo.generator import extend_region, is_seeded, seed_region
from ambulant.demo.region_spec import load_region
from ambulant.errors import InvalidInput
from ambulant.execution.status_reports import StatusReport, record_status
from ambulant.jobs.lifecycle import run_job
from ambulant.models import (
    AuditAction,
    AuditEntry,
    Patient,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Priority,
    Role,
    Skill,
    VisitRequest,
    VisitRequestCreate,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.planning.plans import plan_detail, request_plan
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.publishing import publish_version
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import ReplanRequest
from ambulant.timeutil import local, today

COORDINATOR = Principal(subject="demo-coordinator", role=Role.COORDINATOR, all_municipalities=True)

# The calls that make the urgent visit of the day: what, skills, minutes.
URGENT_CALLS: list[tuple[str, list[Skill], int]] = [
    ("discharged from hospital: medication review", [Skill.MEDICATION], 30),
    ("fall at home: wound care", [Skill.WOUND_CARE], 40),
    ("insulin not taken", [Skill.INSULIN], 20),
    ("catheter problem", [Skill.CATHETER], 30),
]


@dataclass(frozen=True)
class HistoryConfig:
    days: int = 30
    last_day: dt.date | None = None
    """The last day of the history; None: yesterday (reports lie in the past, as they must)."""
    region: str = "vaernes"
    seed: int = 0
    plan_time_limit_s: float = 2.0
    replan_at: dt.time = dt.time(11, 0)
    scopes: Sequence[str] | None = None
    """Municipality codes to plan; None: every municipality of the region."""

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 366:
            raise InvalidInput("days must be between 1 and 366", field="days")
        if self.plan_time_limit_s <= 0:
            raise InvalidInput("the time limit must be positive", field="time_limit")

    def dates(self) -> list[dt.date]:
        last = self.last_day or today() - dt.timedelta(days=1)
        first = last - dt.timedelta(days=self.days - 1)
        return [first + dt.timedelta(days=i) for i in range(self.days)]


@dataclass
class HistorySummary:
    first_day: dt.date
    last_day: dt.date
    planned: list[int] = field(default_factory=list)
    """Ids of the plans this load made (day plans and replans)."""
    skipped: list[str] = field(default_factory=list)
    """Days and scopes left out, and why."""
    visits: int = 0
    plans: int = 0
    status_reports: int = 0
    audit_entries: int = 0

    def __str__(self) -> str:
        lines = [
            f"history {self.first_day} to {self.last_day}: {self.plans} plans "
            f"({len(self.planned)} made now), {self.visits} visits, "
            f"{self.status_reports} status reports, {self.audit_entries} audit entries"
        ]
        lines += [f"  skipped {reason}" for reason in self.skipped]
        return "\n".join(lines)


Progress = Callable[[str], None]


def load_history(
    engine: Engine, settings: Settings, config: HistoryConfig, progress: Progress | None = None
) -> HistorySummary:
    """Seeds (or extends) the region over the days and lives each day in each scope."""
    dates = config.dates()
    with Session(engine) as session:
        if is_seeded(session):
            extend_region(
                session, region=config.region, day=dates[0], days=len(dates), seed=config.seed
            )
        else:
            seed_region(
                session, region=config.region, day=dates[0], days=len(dates), seed=config.seed
            )
        session.commit()
    scopes = config.scopes or [m.code for m in load_region(config.region).municipalities]
    solve_settings = settings.model_copy(update={"solve_time_limit_s": config.plan_time_limit_s})
    summary = HistorySummary(first_day=dates[0], last_day=dates[-1])
    for day in dates:
        for scope in scopes:
            day_of = _DayOfWork(engine, solve_settings, config, day, scope)
            outcome = day_of.live()
            if isinstance(outcome, str):
                summary.skipped.append(f"{day} {scope}: {outcome}")
            else:
                summary.planned.extend(outcome)
            if progress is not None:
                progress(f"{day} {scope}: {outcome}")
    _count(engine, summary)
    return summary


def _count(engine: Engine, summary: HistorySummary) -> None:
    first, last = summary.first_day, summary.last_day
    with Session(engine) as session:
        summary.visits = session.exec(
            select(func.count()).where(VisitRequest.date >= first, VisitRequest.date <= last)
        ).one()
        summary.plans = session.exec(
            select(func.count()).where(Plan.date >= first, Plan.date <= last)
        ).one()
        summary.status_reports = session.exec(
            select(func.count()).where(
                VisitStatusReport.date >= first, VisitStatusReport.date <= last
            )
        ).one()
        summary.audit_entries = session.exec(
            select(func.count()).where(
                col(AuditEntry.at) >= local(first, dt.time(0)),
                col(AuditEntry.at) < local(last + dt.timedelta(days=1), dt.time(0)),
            )
        ).one()


class _DayOfWork:
    """One day in one municipality, from the plan to the last report."""

    def __init__(
        self, engine: Engine, settings: Settings, config: HistoryConfig, day: dt.date, scope: str
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.day = day
        self.scope = scope
        self.replan_at = local(day, config.replan_at)
        self.rng = random.Random(f"{config.seed}/{day.isoformat()}/{scope}")
        self.reported: dict[int, set[VisitStatus]] = {}

    def live(self) -> list[int] | str:
        """The ids of the plans made, or why the day was left out."""
        with Session(self.engine) as session:
            published = session.exec(
                select(Plan.id).where(
                    Plan.date == self.day,
                    Plan.scope == self.scope,
                    Plan.status == PlanStatus.PUBLISHED,
                )
            ).first()
            if published is not None:
                return "already planned"
            try:
                first = request_plan(session, day=self.day, scope=self.scope)
            except InvalidInput as error:
                return error.message  # no shifts in this municipality that day
            session.commit()
            assert first.id is not None
        self._solve_and_publish(first.id)
        self._read_plan(first.id, at=local(self.day, dt.time(7, 0)))
        self._read_schedules(first.id, at=local(self.day, dt.time(7, 15)))
        self._report(first.id, until=self.replan_at)
        second = self._replan(first.id)
        self._solve_and_publish(second)
        self._read_plan(second, at=self.replan_at + dt.timedelta(minutes=2))
        self._read_schedules(second, at=self.replan_at + dt.timedelta(minutes=5))
        self._report(second, until=None)
        return [first.id, second]

    def _solve_and_publish(self, plan_id: int) -> None:
        plan = run_job(self.engine, plan_id=plan_id, settings=self.settings)
        if plan.status != PlanStatus.DRAFT:
            raise RuntimeError(f"plan {plan_id} of {self.day} {self.scope}: {plan.error}")
        with Session(self.engine) as session:
            publish_version(session, plan_id=plan_id)
            session.commit()

    def _read_plan(self, plan_id: int, *, at: dt.datetime) -> None:
        """The coordinator opens the day's plan: one audit entry per patient in it."""
        with Session(self.engine) as session:
            detail = plan_detail(session, plan_id=plan_id)
            patients = [s.patient_id for r in detail.routes for s in r.stops]
            patients += [u.patient_id for u in detail.unassigned]
            entries = record_patients(
                session, COORDINATOR, AuditAction.READ, "plan", plan_id, patients
            )
            _stamp(entries, at)
            session.commit()

    def _read_schedules(self, plan_id: int, *, at: dt.datetime) -> None:
        """Each nurse with a route opens her day on the phone, as the schedule route does."""
        with Session(self.engine) as session:
            staff_ids = session.exec(
                select(PlanRoute.staff_id)
                .where(PlanRoute.plan_id == plan_id)
                .order_by(col(PlanRoute.staff_id))
            ).all()
            for i, staff_id in enumerate(staff_ids):
                schedule = staff_schedule(session, staff_id=staff_id, day=self.day)
                entries = record_patients(
                    session,
                    _nurse(staff_id),
                    AuditAction.READ,
                    "schedule",
                    staff_id,
                    (s.patient_id for s in schedule.stops),
                )
                _stamp(entries, at + dt.timedelta(seconds=20 * i))
            session.commit()

    def _report(self, plan_id: int, *, until: dt.datetime | None) -> None:
        """Each nurse reports her visits as the plan has them: started, and done once ended
        (before `until`; None: the whole day). A joint visit is reported by its first part."""
        with Session(self.engine) as session:
            stops = session.exec(
                select(PlanStop)
                .where(
                    PlanStop.plan_id == plan_id,
                    col(PlanStop.visit_id).is_not(None),
                    PlanStop.part == 0,
                )
                .order_by(col(PlanStop.start_at), col(PlanStop.id))
            ).all()
            for stop in stops:
                assert stop.visit_id is not None
                done = self.reported.setdefault(stop.visit_id, set())
                for status, at in (
                    (VisitStatus.STARTED, stop.start_at),
                    (VisitStatus.DONE, stop.end_at),
                ):
                    if status in done or (until is not None and at > until):
                        continue
                    row, _ = record_status(
                        session,
                        visit_id=stop.visit_id,
                        report=StatusReport(status, at, staff_id=stop.staff_id),
                        principal=_nurse(stop.staff_id),
                        now=at,
                    )
                    row.received_at = at
                    session.add(row)
                    done.add(status)
            session.commit()

    def _replan(self, plan_id: int) -> int:
        """An urgent visit for a patient of the municipality, within three hours: a new version
        of the rest of the day, queued. Returns its id."""
        with Session(self.engine) as session:
            patients = [
                p
                for p in session.exec(
                    select(Patient.id)
                    .where(Patient.municipality_code == self.scope)
                    .order_by(col(Patient.id))
                )
                if p is not None
            ]
            patient_id = self.rng.choice(patients)
            call, skills, minutes = self.rng.choice(URGENT_CALLS)
            start = self.replan_at + dt.timedelta(minutes=30)
            visit = VisitRequestCreate(
                patient_id=patient_id,
                description=f"Urgent: {call}",
                window_start=start,
                window_end=start + dt.timedelta(hours=3),
                duration_minutes=minutes,
                skills=skills,
                priority=Priority.URGENT,
            )
            plan = request_replan(
                session,
                plan_id=plan_id,
                request=ReplanRequest(new_visits=[visit], at=self.replan_at),
                principal=COORDINATOR,
                now=self.replan_at,
            )
            session.commit()
            assert plan.id is not None
            return plan.id


def _nurse(staff_id: int) -> Principal:
    return Principal(subject=f"demo-nurse-{staff_id}", role=Role.NURSE, staff_id=staff_id)


def _stamp(entries: list[AuditEntry], at: dt.datetime) -> None:
    for entry in entries:
        entry.at = at
