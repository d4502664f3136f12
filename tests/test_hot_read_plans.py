"""On PostgreSQL, with a month of history in the tables and fresh statistics, the reads that run
most use the indexes made for them and read none of the big tables whole.

The history is generated in bulk (the real load, `ambulant demo history`, solves 240 plans and
takes minutes; its numbers are in docs/benchmarks.md): the shape of 30 days of the Værnes region.
4 municipalities, 32 staff, 160 patients, 270 visits a day; every day and municipality planned
twice (version 1 superseded, version 2 published), each plan with a route per staff member and a
stop per visit plus a break (18 000 stops); two status reports per visit; 60 000 audit
entries (the loaded month has 21 000: the trail grows with the reading, and the first page of a
patient's entries is where its index shows). The schema is made by the migrations, as in
production, and ANALYZE gives the planner the statistics autovacuum would. The statements
explained are the ones the service functions send, captured as they run.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

import pytest
from sqlalchemy import JSON, Connection, Engine, text
from sqlmodel import Session, SQLModel

from ambulant.audit.query import list_entries, patient_report
from ambulant.bench.query_plans import BIG_TABLES, Scan, captured_selects, explain, scans
from ambulant.db import make_engine
from ambulant.migrate import upgrade_database
from ambulant.models import (
    AuditAction,
    AuditEntry,
    Municipality,
    Patient,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Role,
    Shift,
    Staff,
    VisitRequest,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.models.vocabulary import Discipline, StartFrom
from ambulant.planning.problem_builder import visits_in_scope
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.registry.visits import list_visits
from ambulant.timeutil import local
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres

FIRST_DAY = dt.date(2026, 10, 1)
DAYS = 30
MUNICIPALITIES = ["5035", "5034", "5032", "5033"]
STAFF_PER_MUNICIPALITY = 8
PATIENTS_PER_MUNICIPALITY = 40
VISITS_PER_DAY = 270
AUDIT_ENTRIES = 60_000


class History:
    """The generated month's rows by table, and its published plans (to choose reads from)."""

    def __init__(self) -> None:
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {}
        self.published: list[tuple[int, dt.date, str]] = []  # plan id, day, scope
        self._defaults: dict[type[SQLModel], dict[str, Any]] = {}

    def add(self, model: type[SQLModel], **fields: Any) -> None:
        """A row with the model's defaults for the fields not given (the first row of a table
        is built by the model; the rest reuse its defaults, 100 000 models would be slow)."""
        if model not in self._defaults:
            self._defaults[model] = model(**fields).model_dump()
        self.rows.setdefault(model, []).append({**self._defaults[model], **fields})


def generate(engine: Engine) -> History:
    rng = random.Random(0)
    history = History()
    staff_of: dict[str, list[int]] = {}
    patients_of: dict[str, list[int]] = {}
    for m in MUNICIPALITIES:
        history.add(Municipality, code=m, name=f"Municipality {m}")
    for i in range(len(MUNICIPALITIES) * STAFF_PER_MUNICIPALITY):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        history.add(
            Staff,
            id=i + 1,
            name=f"Staff {i + 1}",
            discipline=Discipline.REGISTERED_NURSE,
            municipality_code=m,
            start_from=StartFrom.HOME,
            home_lat=63.4,
            home_lon=10.9,
        )
        staff_of.setdefault(m, []).append(i + 1)
    for i in range(len(MUNICIPALITIES) * PATIENTS_PER_MUNICIPALITY):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        history.add(
            Patient,
            id=i + 1,
            name=f"Patient {i + 1}",
            address=f"Vegen {i + 1}",
            lat=63.4,
            lon=10.9,
            municipality_code=m,
        )
        patients_of.setdefault(m, []).append(i + 1)

    visit_id = plan_id = route_id = stop_id = report_id = shift_id = 0
    for d in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=d)
        visits_of: dict[str, list[int]] = {m: [] for m in MUNICIPALITIES}
        for staff_id in range(1, len(MUNICIPALITIES) * STAFF_PER_MUNICIPALITY + 1):
            shift_id += 1
            history.add(
                Shift,
                id=shift_id,
                staff_id=staff_id,
                date=day,
                start_at=local(day, dt.time(7, 30)),
                end_at=local(day, dt.time(15)),
            )
        for _ in range(VISITS_PER_DAY):
            visit_id += 1
            m = rng.choices(MUNICIPALITIES, weights=[60, 15, 18, 7])[0]
            start = local(day, dt.time(rng.randrange(7, 13), rng.choice([0, 30])))
            history.add(
                VisitRequest,
                id=visit_id,
                date=day,
                patient_id=rng.choice(patients_of[m]),
                window_start=start,
                window_end=start + dt.timedelta(hours=2),
                duration_minutes=30,
            )
            visits_of[m].append(visit_id)
        for m in MUNICIPALITIES:
            for version in (1, 2):
                plan_id += 1
                published = version == 2
                history.add(
                    Plan,
                    id=plan_id,
                    date=day,
                    scope=m,
                    version=version,
                    status=PlanStatus.PUBLISHED if published else PlanStatus.SUPERSEDED,
                    published_at=local(day, dt.time(7 + 4 * (version - 1))),
                )
                if published:
                    history.published.append((plan_id, day, m))
                staff = staff_of[m]
                sequence = dict.fromkeys(staff, 0)
                for staff_id in staff:
                    route_id += 1
                    history.add(
                        PlanRoute,
                        id=route_id,
                        plan_id=plan_id,
                        staff_id=staff_id,
                        departure_at=local(day, dt.time(7, 30)),
                        return_at=local(day, dt.time(15)),
                    )
                for k, vid in enumerate(visits_of[m]):
                    staff_id = staff[k % len(staff)]
                    sequence[staff_id] += 1
                    stop_id += 1
                    at = local(day, dt.time(7, 45)) + dt.timedelta(minutes=35 * sequence[staff_id])
                    history.add(
                        PlanStop,
                        id=stop_id,
                        plan_id=plan_id,
                        staff_id=staff_id,
                        visit_id=vid,
                        sequence=sequence[staff_id],
                        arrival_at=at,
                        start_at=at,
                        end_at=at + dt.timedelta(minutes=30),
                    )
                    if published:
                        for status in (VisitStatus.STARTED, VisitStatus.DONE):
                            report_id += 1
                            history.add(
                                VisitStatusReport,
                                id=report_id,
                                visit_id=vid,
                                date=day,
                                staff_id=staff_id,
                                status=status,
                                at=at,
                                reported_by=f"nurse-{staff_id}",
                                reporter_role=Role.NURSE,
                                received_at=at,
                            )
                for staff_id in staff:
                    stop_id += 1
                    sequence[staff_id] += 1
                    history.add(
                        PlanStop,
                        id=stop_id,
                        plan_id=plan_id,
                        staff_id=staff_id,
                        kind="break",
                        sequence=sequence[staff_id],
                        arrival_at=local(day, dt.time(11, 30)),
                        start_at=local(day, dt.time(11, 30)),
                        end_at=local(day, dt.time(12)),
                    )
    patients = len(MUNICIPALITIES) * PATIENTS_PER_MUNICIPALITY
    start = local(FIRST_DAY, dt.time(0)).timestamp()
    for i in range(AUDIT_ENTRIES):
        staff_id = rng.randrange(1, len(MUNICIPALITIES) * STAFF_PER_MUNICIPALITY + 1)
        history.add(
            AuditEntry,
            id=i + 1,
            at=dt.datetime.fromtimestamp(start + i * DAYS * 86400 / AUDIT_ENTRIES, dt.UTC),
            subject=f"nurse-{staff_id}",
            user_id=staff_id,
            role=Role.NURSE,
            action=AuditAction.READ,
            resource_type="schedule",
            resource_id=str(staff_id),
            patient_id=rng.randrange(1, patients + 1),
        )
    tables = (Municipality, Staff, Patient, Shift, VisitRequest, Plan, PlanRoute, PlanStop)
    with engine.begin() as connection:
        for model in (*tables, VisitStatusReport, AuditEntry):
            copy_rows(connection, model, history.rows[model])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return history


def copy_rows(connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """The rows into the model's table with COPY (row by row INSERTs take a minute here)."""
    table = model.__table__  # type: ignore[attr-defined]
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    enum_columns = {c for c in columns if isinstance(rows[0][c], Enum)}
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = dict(row)
            for c in json_columns:
                values[c] = json.dumps(values[c])
            for c in enum_columns:
                values[c] = values[c].value
            copy.write_row([values[c] for c in columns])


@pytest.fixture
def month(postgres_admin_engine: Engine) -> Iterator[tuple[Engine, History]]:
    """A schema made by the migrations, holding the generated month."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    url = f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        yield engine, generate(engine)
    finally:
        engine.dispose()
        with postgres_admin_engine.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))


def plan_of(engine: Engine, read: Callable[[Session], object]) -> list[Scan]:
    """Every table and index the read's statements touch, as PostgreSQL would run them."""
    with captured_selects(engine) as statements, Session(engine) as session:
        read(session)
    assert statements
    with engine.connect() as connection:
        return [scan for s in statements for scan in scans(explain(connection, s))]


def uses(engine: Engine, read: Callable[[Session], object], *expected: str | set[str]) -> None:
    """The read's plans read no big table whole, and use each of the `expected` indexes (a set:
    any one of them, where the planner may rightly take either way in)."""
    found = plan_of(engine, read)
    whole = [str(s) for s in found if s.node == "Seq Scan" and s.relation in BIG_TABLES]
    assert not whole, f"reads big tables whole: {whole}"
    used = {s.index for s in found if s.index}
    for index in expected:
        choices = index if isinstance(index, set) else {index}
        assert choices & used, f"none of {sorted(choices)} used; plan: {found}"


def test_the_hot_reads_use_their_indexes_on_a_month_of_history(
    month: tuple[Engine, History],
) -> None:
    """With a month's rows and fresh statistics, a nurse's schedule, a day's visits of a
    municipality and a patient's (or a user's, or an hour's) audit trail each reach their rows
    through an index, and no read scans a big table whole."""
    engine, history = month
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"select count(*) from {table}")).scalar_one()
            for table in ("visitrequest", "plan", "planstop", "audit_entry")
        }
    assert counts == {
        "visitrequest": DAYS * VISITS_PER_DAY,
        "plan": DAYS * len(MUNICIPALITIES) * 2,
        "planstop": 2 * DAYS * (VISITS_PER_DAY + len(MUNICIPALITIES) * STAFF_PER_MUNICIPALITY),
        "audit_entry": AUDIT_ENTRIES,
    }

    # A nurse's published day: the newest published plan with her route (one statement joins
    # the day's plans to her routes: PostgreSQL starts from her routes or from the day's plans,
    # whichever its statistics say is fewer), her stops in order with their visits and patients.
    _, day, scope = history.published[len(history.published) // 2]
    uses(
        engine,
        lambda s: staff_schedule(s, staff_id=1, day=day),
        {"ix_planroute_staff_id", "ix_planroute_plan_id_staff_id"},
        "ix_planstop_plan_id_staff_id_sequence",
        "visitrequest_pkey",
    )
    # A day's visits of a municipality: the problem builder's and the registry's first page.
    uses(engine, lambda s: visits_in_scope(s, day=day, scope=scope), "ix_visitrequest_date")
    uses(engine, lambda s: list_visits(s, day=day, municipality=scope), "ix_visitrequest_date")
    # A patient's trail, newest first: the auditor's page and the patient's access report.
    uses(engine, lambda s: list_entries(s, patient_id=17), "ix_audit_entry_patient_id_at_id")
    uses(engine, lambda s: patient_report(s, patient_id=17), "ix_audit_entry_patient_id_at_id")
    # An hour of everyone's entries; a day of one user's (the log is written in time order,
    # so the day's entries lie together and the time index is the cheaper way to them).
    since = local(FIRST_DAY + dt.timedelta(days=12), dt.time(9))
    hour = since + dt.timedelta(hours=1)
    uses(engine, lambda s: list_entries(s, since=since, until=hour), "ix_audit_entry_at")
    uses(
        engine,
        lambda s: list_entries(s, user_id=5, since=since, until=since + dt.timedelta(days=1)),
        "ix_audit_entry_at",
    )
    uses(engine, lambda s: list_entries(s, user_id=5), "ix_audit_entry_user_id")
