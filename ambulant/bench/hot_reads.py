"""`ambulant bench hot-reads`: the reads that run most, timed on a database holding a history
(`ambulant demo history`), and on PostgreSQL how each is executed.

Each read is the service function a route or a worker calls, in a session of its own as a
request has, on samples drawn from the history: a nurse's published day, a day's visits of a
municipality (the problem builder's query and the registry's page), a patient's audit trail (the
auditor's page and the patient's access report). Times are medians and 95th percentiles in
milliseconds. On PostgreSQL each read's statements are also explained (the tables it reads whole
are named: on the big tables that is what the indexes are there to avoid) and run under EXPLAIN
ANALYZE: the server's execution time, and the pages touched, which unlike times do not depend on
what else the machine is doing.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlmodel import Session, col, func, select

from ambulant.audit.query import list_entries, patient_report
from ambulant.bench.query_plans import (
    BIG_TABLES,
    Executed,
    Scan,
    captured_selects,
    execute_and_measure,
    explain,
    scans,
)
from ambulant.models import AuditEntry, Plan, PlanRoute, PlanStatus
from ambulant.planning.problem_builder import visits_in_scope
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.registry.visits import list_visits

Read = Callable[[Session], object]
# Calls of each read run again under EXPLAIN ANALYZE for the server's share and the pages.
EXPLAINED_CALLS = 20


@dataclass
class ReadTiming:
    name: str
    times_ms: list[float] = field(default_factory=list)
    scans: list[Scan] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    """PostgreSQL's execution time of the read's statements, per call measured."""
    pages: list[int] = field(default_factory=list)
    """The pages the read's statements touched, per call measured."""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]

    @property
    def full_scans(self) -> list[Scan]:
        """Sequential scans of the big tables: what the indexes should have avoided."""
        return [s for s in self.scans if s.node == "Seq Scan" and s.relation in BIG_TABLES]


@dataclass
class HotReadsReport:
    database: str
    counts: dict[str, int]
    reads: list[ReadTiming]


def history_samples(engine: Engine, *, count: int, seed: int) -> dict[str, list[Read]]:
    """`count` calls of each read, on arguments drawn from the stored history."""
    rng = random.Random(seed)
    with Session(engine) as session:
        schedules = session.exec(
            select(col(PlanRoute.staff_id), col(Plan.date))
            .join(Plan, col(Plan.id) == col(PlanRoute.plan_id))
            .where(Plan.status == PlanStatus.PUBLISHED)
            .distinct()
        ).all()
        days = session.exec(
            select(col(Plan.date), col(Plan.scope))
            .where(Plan.status == PlanStatus.PUBLISHED)
            .distinct()
        ).all()
        patients = session.exec(
            select(AuditEntry.patient_id).where(col(AuditEntry.patient_id).is_not(None)).distinct()
        ).all()
    if not (schedules and days and patients):
        raise LookupError("the database holds no history: run `ambulant demo history` first")

    def pick[T](items: list[T]) -> list[T]:
        return [rng.choice(items) for _ in range(count)]

    def schedule(staff_id: int, day: dt.date) -> Read:
        return lambda s: staff_schedule(s, staff_id=staff_id, day=day)

    def problem_visits(day: dt.date, scope: str) -> Read:
        return lambda s: visits_in_scope(s, day=day, scope=scope)

    def visit_page(day: dt.date, scope: str) -> Read:
        return lambda s: list_visits(s, day=day, municipality=None if scope == "all" else scope)

    def audit_page(patient_id: int) -> Read:
        return lambda s: list_entries(s, patient_id=patient_id)

    def audit_report(patient_id: int) -> Read:
        return lambda s: patient_report(s, patient_id=patient_id)

    chosen_patients = [p for p in pick(list(patients)) if p is not None]
    return {
        "a nurse's schedule": [schedule(st, d) for st, d in pick(list(schedules))],
        "a day's visits in a municipality (problem builder)": [
            problem_visits(d, sc) for d, sc in pick(list(days))
        ],
        "a day's visits in a municipality (first page)": [
            visit_page(d, sc) for d, sc in pick(list(days))
        ],
        "a patient's audit trail (first page)": [audit_page(p) for p in chosen_patients],
        "a patient's access report": [audit_report(p) for p in chosen_patients],
    }


def run_hot_reads(
    engine: Engine, *, count: int = 200, seed: int = 0, explain_plans: bool = True
) -> HotReadsReport:
    samples = history_samples(engine, count=count, seed=seed)
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        with engine.begin() as connection:
            # Fresh statistics, as autovacuum would have them on a database in use.
            connection.execute(text("ANALYZE"))
    timings = []
    for name, calls in samples.items():
        timing = ReadTiming(name)
        if explain_plans and postgres:
            timing.scans = _scans_of(engine, calls[0])
            for call in calls[:EXPLAINED_CALLS]:
                executed = _executed(engine, call)
                timing.server_ms.append(sum(e.execution_ms for e in executed))
                timing.pages.append(sum(e.pages for e in executed))
        for call in calls[:5]:  # warm the pool and the caches
            _timed(engine, call)
        timing.times_ms = [_timed(engine, call) for call in calls]
        timings.append(timing)
    return HotReadsReport(
        database=engine.url.render_as_string(hide_password=True),
        counts=_table_counts(engine),
        reads=timings,
    )


def _timed(engine: Engine, call: Read) -> float:
    started = time.perf_counter()
    with Session(engine) as session:
        call(session)
    return (time.perf_counter() - started) * 1000


def _scans_of(engine: Engine, call: Read) -> list[Scan]:
    with captured_selects(engine) as statements, Session(engine) as session:
        call(session)
    found: list[Scan] = []
    with engine.connect() as connection:
        for statement in statements:
            found.extend(scans(explain(connection, statement)))
    return found


def _executed(engine: Engine, call: Read) -> list[Executed]:
    with captured_selects(engine) as statements, Session(engine) as session:
        call(session)
    with engine.connect() as connection:
        return [execute_and_measure(connection, statement) for statement in statements]


def _table_counts(engine: Engine) -> dict[str, int]:
    counts = {}
    with Session(engine) as session:
        for table in sorted(BIG_TABLES | {"plan", "patient", "staff"}):
            counts[table] = session.exec(select(func.count()).select_from(text(f'"{table}"'))).one()
    return counts


def format_hot_reads(report: HotReadsReport) -> list[str]:
    lines = [
        f"database: {report.database}",
        "rows: " + ", ".join(f"{table} {n}" for table, n in report.counts.items()),
        "",
        f"{'read':<54}{'calls':>6}{'median ms':>11}{'p95 ms':>9}{'server ms':>11}{'pages':>7}",
    ]
    for read in report.reads:
        server = f"{statistics.median(read.server_ms):>11.2f}" if read.server_ms else f"{'-':>11}"
        pages = f"{statistics.median(read.pages):>7.0f}" if read.pages else f"{'-':>7}"
        lines.append(
            f"{read.name:<54}{len(read.times_ms):>6}{read.median_ms:>11.2f}{read.p95_ms:>9.2f}"
            f"{server}{pages}"
        )
    lines.append(
        "(median and p95: the service function, in a session of its own; server ms and pages: "
        f"medians over {EXPLAINED_CALLS} calls of PostgreSQL's execution time and pages touched)"
    )
    for read in report.reads:
        if not read.scans:
            continue
        lines.append(f"\n{read.name}:")
        lines += [f"  {scan}" for scan in read.scans]
        if read.full_scans:
            lines.append("  !! reads a big table whole: " + ", ".join(map(str, read.full_scans)))
    return lines
