"""`ambulant bench replan`: mid-day replanning on the demo day, timed and checked.

The day: the demo region (scaled so the day has at least `min_visits` visits), planned and
published. At `at` (10:30) the morning so far is reported as it was planned: visits that ended
are done, visits under way are started. Then, one at a time and each on the same published plan,
`requests` different urgent visit requests arrive. For each the bench asks for recommendations
and for a replan through the replan worker (the same path as `POST /plans/{id}/replan`), and
checks the new version:

- it is valid for the whole day (the solver's independent validator, on the day's full problem);
- no visit that was done or under way changed staff or time;
- how many already-planned visits changed staff, and whether the urgent visit got in.

Each replan is undone before the next (its plan, rows and visit are deleted), so the 20 requests
are 20 independent answers to the same situation.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

import solver
from ambulant.auth.principal import Principal
from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.demo.generator import seed_region
from ambulant.demo.region_spec import RegionSpec, load_region
from ambulant.execution.absences import absences_on
from ambulant.execution.state import plan_state
from ambulant.execution.status_reports import StatusReport, record_status
from ambulant.jobs import get_replan_queue
from ambulant.jobs.lifecycle import run_job, wait_for_plan
from ambulant.migrate import upgrade_database
from ambulant.models import (
    Patient,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Role,
    Skill,
    UnassignedVisit,
    VisitRequest,
    VisitRequestCreate,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.models.vocabulary import Priority, Team
from ambulant.planning.plans import publish_plan, request_plan
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.store import stored_result
from ambulant.replanning.diff import plan_diff
from ambulant.replanning.recommend import recommend
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import RecommendationRequest, ReplanRequest, drive_change
from ambulant.timeutil import local, to_day_seconds
from ambulant.travel import TravelTimes
from ambulant.travel.factory import travel_times_from_settings

BENCH = Principal(subject="bench", role=Role.COORDINATOR)

# What the phone calls are about: skills, duration (minutes), staff count.
CALLS: list[tuple[str, list[Skill], int, int]] = [
    ("discharged from hospital: medication review", [Skill.MEDICATION], 30, 1),
    ("fall at home: wound care", [Skill.WOUND_CARE], 40, 1),
    ("palliative patient in pain", [Skill.PALLIATIVE_CARE], 45, 1),
    ("catheter problem", [Skill.CATHETER], 30, 1),
    ("cannot get out of bed: help with two", [Skill.PERSONAL_CARE], 30, 2),
    ("insulin not taken", [Skill.INSULIN], 20, 1),
]


@dataclass
class BenchConfig:
    day: dt.date = dt.date(2026, 11, 25)
    at: dt.time = dt.time(10, 30)
    requests: int = 20
    seed: int = 0
    region: str = "vaernes"
    min_visits: int = 250
    replan_time_limit_s: float = 1.0
    plan_time_limit_s: float = 20.0
    recommendations: int = 3
    workdir: Path | None = None


@dataclass
class RequestRow:
    index: int
    call: str
    patient_id: int
    status: str = ""
    latency_s: float = 0.0
    placed: bool = False
    unassigned_reason: str = ""
    reassigned: int = 0
    retimed: int = 0
    beyond_tolerance: int = 0
    affected_staff: int = 0
    valid: bool = False
    frozen_kept: bool = False
    problems: list[str] = field(default_factory=list)
    recommend_s: float = 0.0
    options: int = 0
    best_option: str = ""


@dataclass
class BenchReport:
    visits: int
    joint_visits: int
    staff: int
    frozen_visits: int
    cold_start_s: float
    rows: list[RequestRow]

    @property
    def ok(self) -> bool:
        return all(r.valid and r.frozen_kept for r in self.rows)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q of the values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


def scaled_region(spec: RegionSpec, factor: float) -> RegionSpec:
    """The region with `factor` times the home-nursing patients and staff (the ambulant team,
    a handful of specialists, stays as it is)."""
    municipalities = [
        m.model_copy(update={"patients": round(m.patients * factor)}) for m in spec.municipalities
    ]
    visit_types = [
        t.model_copy(update={"patients": {k: round(n * factor) for k, n in t.patients.items()}})
        if t.team == Team.HOME_NURSING
        else t
        for t in spec.visit_types
    ]
    staff = []
    for pool in spec.staff:
        if pool.team == Team.HOME_NURSING:
            count = max(1, round(pool.count * factor))
            pool = pool.model_copy(update={"count": count, "from_home": min(pool.from_home, count)})
        staff.append(pool)
    return spec.model_copy(
        update={"municipalities": municipalities, "visit_types": visit_types, "staff": staff}
    )


def prepare_day(engine: Engine, config: BenchConfig, settings: Settings) -> int:
    """Seeds the region (scaled up until the day has `min_visits`), plans and publishes the day;
    returns the published plan's id."""
    spec = load_region(config.region)
    factor = 1.0
    with Session(engine) as session:
        while True:
            summary = seed_region(
                session,
                region=scaled_region(spec, factor),
                day=config.day,
                days=1,
                seed=config.seed,
            )
            if summary.visit_requests >= config.min_visits or factor > 3:
                break
            session.rollback()
            factor *= 1.05
        session.commit()
        plan = request_plan(session, day=config.day)
        session.commit()
        assert plan.id is not None
        plan_id = plan.id
    run_job(engine, plan_id=plan_id, settings=settings)
    with Session(engine) as session:
        plan = publish_plan(session, plan_id=plan_id)
        if plan.status != PlanStatus.PUBLISHED:
            raise RuntimeError(f"the day's plan did not publish: {plan.status}")
        session.commit()
    return plan_id


def report_the_morning(engine: Engine, plan_id: int, at: dt.datetime) -> int:
    """Reports every visit that started before `at` as the plan had it: done if it ended, else
    started. Returns how many visits that freezes."""
    with Session(engine) as session:
        stops = session.exec(
            select(PlanStop)
            .where(PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None))
            .order_by(col(PlanStop.start_at))
        ).all()
        reported: set[int] = set()
        for stop in stops:
            assert stop.visit_id is not None
            if stop.start_at >= at or stop.visit_id in reported:
                continue
            reported.add(stop.visit_id)
            record_status(
                session,
                visit_id=stop.visit_id,
                report=StatusReport(VisitStatus.STARTED, stop.start_at, staff_id=stop.staff_id),
                principal=BENCH,
                now=at,
            )
            if stop.end_at <= at:
                record_status(
                    session,
                    visit_id=stop.visit_id,
                    report=StatusReport(VisitStatus.DONE, stop.end_at, staff_id=stop.staff_id),
                    principal=BENCH,
                    now=at,
                )
        session.commit()
    return len(reported)


def urgent_requests(
    engine: Engine, config: BenchConfig, at: dt.datetime
) -> list[tuple[str, VisitRequestCreate]]:
    """`requests` urgent visits to different patients, each to start within three hours."""
    rng = random.Random(config.seed)
    with Session(engine) as session:
        patients = list(session.exec(select(Patient).order_by(col(Patient.id))))
    chosen = rng.sample(patients, config.requests)
    calls = []
    for i, patient in enumerate(chosen):
        name, skills, minutes, count = CALLS[i % len(CALLS)]
        start = at + dt.timedelta(minutes=15 + 5 * rng.randrange(6))
        assert patient.id is not None
        calls.append(
            (
                name,
                VisitRequestCreate(
                    patient_id=patient.id,
                    description=f"Urgent: {name}",
                    window_start=start,
                    window_end=start + dt.timedelta(hours=3),
                    duration_minutes=minutes,
                    skills=skills,
                    staff_count=count,
                    priority=Priority.URGENT,
                ),
            )
        )
    return calls


def run_bench(config: BenchConfig) -> BenchReport:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = config.workdir or Path(tmp)
        settings = Settings(
            database_url=f"sqlite:///{workdir / 'bench-replan.db'}",
            data_dir=workdir,
            solve_time_limit_s=config.plan_time_limit_s,
            replan_time_limit_s=config.replan_time_limit_s,
        )
        (workdir / "bench-replan.db").unlink(missing_ok=True)
        upgrade_database(settings.database_url)
        engine = engine_for(settings.database_url)
        try:
            return _run(engine, config, settings)
        finally:
            # The replan worker is left to the interpreter's exit, which joins it cleanly.
            engine.dispose()


def _run(engine: Engine, config: BenchConfig, settings: Settings) -> BenchReport:
    base_id = prepare_day(engine, config, settings)
    at = local(config.day, config.at)
    frozen = report_the_morning(engine, base_id, at)
    with Session(engine) as session:
        visits = session.exec(select(VisitRequest).where(VisitRequest.date == config.day)).all()
        staff = session.exec(select(PlanRoute).where(PlanRoute.plan_id == base_id)).all()
        joint = sum(1 for v in visits if v.staff_count > 1)
        n_visits, n_staff = len(visits), len(staff)

    # The worker process starts on first use; that one-off cost is reported apart.
    started = time.perf_counter()
    _replan_and_undo(engine, settings, base_id, at, None, RequestRow(-1, "warm-up", 0))
    cold = time.perf_counter() - started

    rows = []
    for i, (call, data) in enumerate(urgent_requests(engine, config, at)):
        row = RequestRow(i + 1, call, data.patient_id)
        _recommend(engine, settings, base_id, at, data, config.recommendations, row)
        _replan_and_undo(engine, settings, base_id, at, data, row)
        rows.append(row)
    return BenchReport(n_visits, joint, n_staff, frozen, cold, rows)


def _recommend(
    engine: Engine,
    settings: Settings,
    base_id: int,
    at: dt.datetime,
    data: VisitRequestCreate,
    k: int,
    row: RequestRow,
) -> None:
    request = RecommendationRequest(**data.model_dump(), k=k, at=at)
    started = time.perf_counter()
    with Session(engine) as session:
        answer = recommend(
            session,
            plan_id=base_id,
            request=request,
            settings=settings,
            travel=travel_times_from_settings(settings, engine=engine),
        )
    row.recommend_s = time.perf_counter() - started
    row.options = len(answer.options)
    if answer.options:
        best = answer.options[0]
        row.best_option = (
            f"staff {'+'.join(map(str, best.staff_ids))} at {best.start_at:%H:%M}, "
            f"{drive_change(best.added_travel_s)}, {len(best.shifted_visit_ids)} shifted"
        )


def _replan_and_undo(
    engine: Engine,
    settings: Settings,
    base_id: int,
    at: dt.datetime,
    data: VisitRequestCreate | None,
    row: RequestRow,
) -> None:
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        request = ReplanRequest(at=at, new_visits=[data] if data else [])
        plan = request_replan(session, plan_id=base_id, request=request, principal=BENCH, now=at)
        session.commit()
        assert plan.id is not None
        plan_id = plan.id
    get_replan_queue(settings).submit(plan_id)
    done = wait_for_plan(engine, plan_id=plan_id, timeout_s=120)
    row.latency_s = time.perf_counter() - started
    try:
        row.status = done.status if done is not None else "timeout"
        if done is not None and done.status == PlanStatus.DRAFT:
            _check(engine, settings, base_id, plan_id, at, row)
        elif done is not None:
            row.problems.append(done.error or "failed")
    finally:
        _undo(engine, plan_id)


def _check(
    engine: Engine, settings: Settings, base_id: int, plan_id: int, at: dt.datetime, row: RequestRow
) -> None:
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        base = session.get(Plan, base_id)
        assert plan is not None and base is not None
        new_ids = plan.parameters["replan"]["new_visit_ids"]
        diff = plan_diff(session, plan_id=plan_id, tolerance_min=settings.replan_move_tolerance_min)
        row.reassigned = diff.reassigned_visits
        row.retimed = diff.retimed_visits
        row.beyond_tolerance = diff.moved_beyond_tolerance
        row.affected_staff = len(diff.affected_staff_ids)
        unassigned = {u.visit_id: u.reason for u in diff.unassigned}
        row.placed = all(v not in unassigned for v in new_ids)
        row.unassigned_reason = ", ".join(unassigned[v] for v in new_ids if v in unassigned)
        travel = travel_times_from_settings(settings, engine=engine)
        row.problems += full_day_violations(session, settings, travel, plan)
        row.valid = not row.problems
        row.frozen_kept = _frozen_kept(session, base, plan_id, at, row.problems)


def full_day_violations(
    session: Session, settings: Settings, travel: TravelTimes, plan: Plan
) -> list[str]:
    """The stored plan, done part and new part together, against the whole day's problem (with
    absences as facts: an absent staff member's shift ends then, they may finish what they
    started, and take no break they had not taken by then)."""
    assert plan.id is not None
    built = build_problem(
        session,
        day=plan.date,
        scope=plan.scope,
        travel=travel,
        settings=settings,
    )
    problem = _with_absences(built.problem, absences_on(session, day=plan.date), plan.date)
    result = stored_result(session, plan)
    return [str(v) for v in solver.validate(problem, result)]


def _with_absences(
    problem: solver.Problem, absences: dict[int, dt.datetime], day: dt.date
) -> solver.Problem:
    staff = []
    for member in problem.staff:
        absent = absences.get(int(member.id))
        if absent is not None:
            end_s = max(
                member.shift_start_s + 1, min(member.shift_end_s, to_day_seconds(day, absent))
            )
            member = replace(
                member,
                shift_end_s=end_s,
                max_overtime_s=max(0, member.shift_end_s - end_s) + member.max_overtime_s,
                breaks=tuple(b for b in member.breaks if b.latest_end_s <= end_s),
            )
        staff.append(member)
    return replace(problem, staff=tuple(staff))


def _frozen_kept(
    session: Session, base: Plan, plan_id: int, at: dt.datetime, problems: list[str]
) -> bool:
    state = plan_state(session, plan=base, at=at)
    old = _stop_times(session, base.id)
    new = _stop_times(session, plan_id)
    kept = True
    for visit_id in sorted(state.frozen_visit_ids):
        if old.get(visit_id) != new.get(visit_id):
            problems.append(f"visit {visit_id} was done or under way and changed")
            kept = False
    return kept


def _stop_times(
    session: Session, plan_id: int | None
) -> dict[int, list[tuple[int, int, dt.datetime, dt.datetime]]]:
    times: dict[int, list[tuple[int, int, dt.datetime, dt.datetime]]] = {}
    for s in session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None))
    ):
        assert s.visit_id is not None
        times.setdefault(s.visit_id, []).append((s.staff_id, s.part, s.start_at, s.end_at))
    return {v: sorted(t) for v, t in times.items()}


def _undo(engine: Engine, plan_id: int) -> None:
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        new_ids = plan.parameters["replan"]["new_visit_ids"] if plan else []
        session.exec(delete(PlanStop).where(col(PlanStop.plan_id) == plan_id))
        session.exec(delete(PlanRoute).where(col(PlanRoute.plan_id) == plan_id))
        session.exec(delete(UnassignedVisit).where(col(UnassignedVisit.plan_id) == plan_id))
        session.exec(delete(Plan).where(col(Plan.id) == plan_id))
        session.exec(delete(VisitStatusReport).where(col(VisitStatusReport.visit_id).in_(new_ids)))
        session.exec(delete(VisitRequest).where(col(VisitRequest.id).in_(new_ids)))
        session.commit()


def format_report(report: BenchReport, config: BenchConfig) -> list[str]:
    rows = report.rows
    lines = [
        f"demo day {config.day} ({config.region}): {report.visits} visits "
        f"({report.joint_visits} joint), {report.staff} staff; at {config.at:%H:%M} "
        f"{report.frozen_visits} visits done or under way",
        f"replan time limit {config.replan_time_limit_s:g} s; worker cold start "
        f"{report.cold_start_s:.2f} s (not counted)",
        "",
        " #  call                                            status  replan s  placed  "
        "reassigned  retimed  >tol  told  valid  frozen  recommend s  best option",
    ]
    for r in rows:
        lines.append(
            f"{r.index:2d}  {r.call[:46]:46s}  {r.status:6s}  {r.latency_s:8.2f}  "
            f"{'yes' if r.placed else 'NO':6s}  {r.reassigned:10d}  {r.retimed:7d}  "
            f"{r.beyond_tolerance:4d}  {r.affected_staff:4d}  {'yes' if r.valid else 'NO':5s}  "
            f"{'kept' if r.frozen_kept else 'MOVED':6s}  {r.recommend_s:11.2f}  {r.best_option}"
        )
        lines.extend(f"      {p}" for p in r.problems[:5])
        if r.unassigned_reason:
            lines.append(f"      urgent visit unassigned: {r.unassigned_reason}")
    if rows:
        latency = [r.latency_s for r in rows]
        rec = [r.recommend_s for r in rows]
        lines += [
            "",
            f"replan latency: p50 {statistics.median(latency):.2f} s, "
            f"p95 {percentile(latency, 0.95):.2f} s, max {max(latency):.2f} s",
            f"recommendations: p50 {statistics.median(rec):.2f} s, "
            f"p95 {percentile(rec, 0.95):.2f} s",
            f"already-planned visits that changed staff: median "
            f"{statistics.median(r.reassigned for r in rows):g}, "
            f"max {max(r.reassigned for r in rows)}; staff told of a change: median "
            f"{statistics.median(r.affected_staff for r in rows):g} of {report.staff}",
            f"urgent visit placed: {sum(r.placed for r in rows)} of {len(rows)}; "
            f"valid plans: {sum(r.valid for r in rows)} of {len(rows)}; "
            f"done/started visits kept: {sum(r.frozen_kept for r in rows)} of {len(rows)}",
        ]
    return lines
