"""`ambulant bench throughput`: day plans solved through the real queue (Redis, `ambulant worker`
processes), and urgent replans while the workers are busy with day plans.

Every day plan is the demo day solved with a FIXED amount of search (`solve_max_iterations`
ruin-and-recreate iterations, then OR-Tools' descent to its local optimum), so a busy machine
makes a solve slower but never shorter: solves a minute then measure the workers, not how much
search a loaded machine could fit into a time limit.

1. Throughput: `plans` day plans queued at once, for 1 and then 2 workers; solves a minute from
   the first queued to the last stored.
2. Replans under load: 2 workers on day plans (more queued than they can finish) and urgent
   replans one after another, each timed from the request to the stored plan; first with a
   worker kept for replans (`ambulant worker --queues replans`), then with the 2 workers alone
   taking replans first (`--queues all`), where a replan waits for a day solve to end.
   The day plans left when the replans are done are cancelled (the cancel path itself).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from rq import Queue, Worker
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.bench.replan import (
    BENCH,
    BenchConfig,
    percentile,
    prepare_day,
    report_the_morning,
    urgent_requests,
)
from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.execution.status_reports import StatusReport, record_status
from ambulant.jobs import shutdown_queues, submit_plan, wait_for_plan
from ambulant.jobs.cancel import cancel_plan
from ambulant.jobs.rq_queue import QUEUE_NAME, REPLAN_QUEUE_NAME
from ambulant.jobs.transitions import PENDING
from ambulant.migrate import upgrade_database
from ambulant.models import Plan, PlanStatus, VisitRequest, VisitStatus
from ambulant.planning.plans import request_plan
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import ReplanRequest
from ambulant.timeutil import local


@dataclass
class ThroughputConfig:
    redis_url: str
    day: dt.date = dt.date(2026, 11, 25)
    at: dt.time = dt.time(10, 30)
    region: str = "vaernes"
    seed: int = 0
    iterations: int = 200
    plans: int = 4
    replans: int = 20
    shared_replans: int = 5
    replan_time_limit_s: float = 1.0
    workdir: Path | None = None


@dataclass
class ThroughputRun:
    workers: int
    plans: int
    seconds: float
    failed: int

    @property
    def per_minute(self) -> float:
        return 60 * (self.plans - self.failed) / self.seconds


@dataclass
class ReplanRun:
    setup: str
    latencies_s: list[float] = field(default_factory=list)
    failed: int = 0


@dataclass
class ThroughputReport:
    visits: int
    runs: list[ThroughputRun]
    replans: list[ReplanRun]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


class WorkerProcesses:
    """`ambulant worker` processes for the bench, stopped (SIGTERM, then SIGKILL) at the end."""

    def __init__(self, settings: Settings) -> None:
        self.env = os.environ | {
            "DATABASE_URL": settings.database_url,
            "AMBULANT_REDIS_URL": settings.redis_url,
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, queues: str) -> None:
        ambulant = str(Path(sys.executable).with_name("ambulant"))
        self.processes.append(
            subprocess.Popen(
                [ambulant, "worker", "--queues", queues],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.processes.clear()


@contextmanager
def workers(settings: Settings, redis: Redis, *queues: str) -> Iterator[WorkerProcesses]:
    started = WorkerProcesses(settings)
    try:
        for name in queues:
            started.start(name)
        deadline = time.monotonic() + 120
        while len(Worker.all(connection=redis)) < len(queues):
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start within two minutes")
            time.sleep(0.2)
        yield started
    finally:
        started.stop()


def run_throughput(
    config: ThroughputConfig, say: Callable[[str], None] = lambda _: None
) -> ThroughputReport:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = config.workdir or Path(tmp)
        database = workdir / "bench-throughput.db"
        database.unlink(missing_ok=True)
        settings = Settings(
            database_url=f"sqlite:///{database}",
            data_dir=workdir,
            queue="rq",
            redis_url=config.redis_url,
            solve_max_iterations=config.iterations,
            solve_time_limit_s=3600,  # the iteration budget ends the search, not the clock
            replan_time_limit_s=config.replan_time_limit_s,
            job_retries=0,
        )
        upgrade_database(settings.database_url)
        engine = engine_for(settings.database_url)
        redis = Redis.from_url(config.redis_url)
        try:
            return _run(engine, redis, config, settings, say)
        finally:
            shutdown_queues()
            redis.close()
            engine.dispose()


def _run(
    engine: Engine,
    redis: Redis,
    config: ThroughputConfig,
    settings: Settings,
    say: Callable[[str], None],
) -> ThroughputReport:
    for name in (QUEUE_NAME, REPLAN_QUEUE_NAME):
        Queue(name, connection=redis).empty()  # type: ignore[no-untyped-call]
    day = BenchConfig(
        day=config.day, at=config.at, region=config.region, seed=config.seed, min_visits=0
    )
    base_id = prepare_day(engine, day, settings)
    at = local(config.day, config.at)
    report_the_morning(engine, base_id, at)
    with Session(engine) as session:
        visits = len(
            session.exec(select(VisitRequest.id).where(VisitRequest.date == config.day)).all()
        )

    load_before = os.getloadavg()
    runs = []
    for count in (1, 2):
        with workers(settings, redis, *["plans"] * count):
            runs.append(_solve_day_plans(engine, settings, config, count))
        say(f"{count} worker(s): {runs[-1].seconds:.1f} s for {config.plans} day plans")

    replans = []
    with workers(settings, redis, "plans", "plans", "replans"):
        replans.append(
            _replans_under_load(
                engine,
                settings,
                config,
                base_id,
                at,
                "2 day workers + 1 kept for replans",
                config.replans,
            )
        )
    say(f"replans with a worker kept for them: {replans[-1].latencies_s}")
    with workers(settings, redis, "all", "all"):
        replans.append(
            _replans_under_load(
                engine,
                settings,
                config,
                base_id,
                at,
                "2 workers, replans first",
                config.shared_replans,
            )
        )
    say(f"replans with no worker kept for them: {replans[-1].latencies_s}")
    return ThroughputReport(visits, runs, replans, load_before, os.getloadavg())


def _queue_day_plans(
    engine: Engine, settings: Settings, config: ThroughputConfig, n: int
) -> list[int]:
    ids = []
    with Session(engine, expire_on_commit=False) as session:
        for _ in range(n):
            plan = request_plan(session, day=config.day)
            submit_plan(session, settings, plan)
            assert plan.id is not None
            ids.append(plan.id)
    return ids


def _solve_day_plans(
    engine: Engine, settings: Settings, config: ThroughputConfig, count: int
) -> ThroughputRun:
    started = time.perf_counter()
    ids = _queue_day_plans(engine, settings, config, config.plans)
    failed = 0
    for plan_id in ids:
        done = wait_for_plan(engine, plan_id=plan_id, timeout_s=3600)
        if done is None or done.status != PlanStatus.DRAFT:
            failed += 1
    return ThroughputRun(count, len(ids), time.perf_counter() - started, failed)


def _replans_under_load(
    engine: Engine,
    settings: Settings,
    config: ThroughputConfig,
    base_id: int,
    at: dt.datetime,
    setup: str,
    count: int,
) -> ReplanRun:
    # More day plans than the 2 workers finish while the replans run: they are busy throughout.
    day_plans = _queue_day_plans(engine, settings, config, 2 + count)
    run = ReplanRun(setup)
    calls = urgent_requests(engine, BenchConfig(requests=count, seed=config.seed), at)
    try:
        for _, data in calls:
            started = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                request = ReplanRequest(at=at, new_visits=[data])
                plan = request_replan(
                    session, plan_id=base_id, request=request, principal=BENCH, now=at
                )
                submit_plan(session, settings, plan)
                assert plan.id is not None
                plan_id = plan.id
            done = wait_for_plan(engine, plan_id=plan_id, timeout_s=600)
            if done is None or done.status != PlanStatus.DRAFT:
                run.failed += 1
            else:
                run.latencies_s.append(time.perf_counter() - started)
            _cancel_visits(engine, plan_id, at)
    finally:
        with Session(engine, expire_on_commit=False) as session:
            for plan in session.exec(select(Plan).where(col(Plan.id).in_(day_plans))):
                if plan.status in PENDING:
                    cancel_plan(session, settings, plan)
    return run


def _cancel_visits(engine: Engine, plan_id: int, at: dt.datetime) -> None:
    """The replan's urgent visit is cancelled once it is measured, so the next replan solves the
    same day (it cannot be deleted: a day plan solved meanwhile may hold it)."""
    with Session(engine) as session:
        plan = session.get_one(Plan, plan_id)
        for visit_id in plan.parameters["replan"]["new_visit_ids"]:
            record_status(
                session,
                visit_id=visit_id,
                report=StatusReport(VisitStatus.CANCELLED, at),
                principal=BENCH,
                now=at,
            )
        session.commit()


def format_throughput(report: ThroughputReport, config: ThroughputConfig) -> list[str]:
    lines = [
        f"demo day {config.day} ({config.region}): {report.visits} visits; "
        f"{config.iterations} iterations of search per day plan",
        f"load average before {_load(report.load_before)}, after {_load(report.load_after)}; "
        f"{os.cpu_count()} cores",
        "",
        "workers  day plans  seconds  solves/min  failed",
    ]
    for run in report.runs:
        lines.append(
            f"{run.workers:7d}  {run.plans:9d}  {run.seconds:7.1f}  {run.per_minute:10.2f}  "
            f"{run.failed:6d}"
        )
    if len(report.runs) == 2 and report.runs[0].per_minute > 0:
        ratio = report.runs[1].per_minute / report.runs[0].per_minute
        lines.append(f"2 workers / 1 worker: {ratio:.2f}x")
    lines += ["", "replans while 2 workers solve day plans (request to stored plan, seconds)"]
    for replans in report.replans:
        values = replans.latencies_s
        if not values:
            lines.append(f"{replans.setup}: no replan finished ({replans.failed} failed)")
            continue
        lines.append(
            f"{replans.setup}: {len(values)} replans, median {statistics.median(values):.2f}, "
            f"p95 {percentile(values, 0.95):.2f}, max {max(values):.2f}, failed {replans.failed}"
        )
    return lines


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in load)
