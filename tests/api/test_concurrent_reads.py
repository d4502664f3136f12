"""Many nurses reading their day at once: no request waits on a connection the pool cannot give
(the app holds requests back instead), every read is still audited and answered only once its
entries are stored (a failed audit commit is a 503), and a schedule costs the same few
statements however many stops it has."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.models import AuditEntry, Role, Staff
from api.main import create_app
from tests.api.builders import Headers
from tests.api.roster import Rostered, publish
from tests.audit.locks import audit_table_locked
from tests.builders import TinyRegion, make_patient, make_visit

# More requests at once than the threads that run sync routes (40) and far more than connections.
READERS = 60


def test_more_readers_than_connections_are_all_answered_and_audited(
    settings: Settings, db: Engine, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    nurse = headers_for(Role.NURSE, rostered.ann)
    app = create_app(settings.model_copy(update={"db_pool_size": 2}))

    async def read_all() -> list[int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                path = f"/api/v1/staff/{rostered.ann}/schedule"
                answers = await asyncio.wait_for(
                    asyncio.gather(*(client.get(path, headers=nurse) for _ in range(READERS))),
                    # Waiting for a connection that never comes ends only at the pool's 30 s.
                    timeout=20,
                )
                return [a.status_code for a in answers]

    assert asyncio.run(read_all()) == [200] * READERS
    with Session(db) as session:
        reads = session.exec(select(AuditEntry).where(AuditEntry.resource_type == "schedule")).all()
    assert len(reads) == READERS
    assert {r.patient_id for r in reads} == {rostered.ann_today}


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_schedule_takes_the_same_statements_however_many_stops(
    client: TestClient,
    db: Engine,
    region: TinyRegion,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
) -> None:
    nurse = headers_for(Role.NURSE, rostered.ann)
    path = f"/api/v1/staff/{rostered.ann}/schedule"
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with counted_statements(engine) as one_stop:
        assert len(client.get(path, headers=nurse).json()["stops"]) == 1

    with Session(db, expire_on_commit=False) as session:
        ann = session.get(Staff, rostered.ann)
        assert ann is not None
        today = TinyRegion(day=rostered.today, base=region.base)
        visits = [
            make_visit(session, today, make_patient(session, today), start=dt.time(8 + n, 0))
            for n in range(6)
        ]
        publish(session, rostered.today, [(ann, visits)])
        session.commit()
    with counted_statements(engine) as six_stops:
        answer = client.get(path, headers=nurse)
    assert len(answer.json()["stops"]) == 6

    def reads(statements: list[str]) -> list[str]:
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    # The caller, the reach check, the staff member, the plan, the route, and the stops with
    # their patients in one join: the same statements for one stop or six.
    assert len(reads(six_stops)) == len(reads(one_stop)) <= 6, reads(six_stops)
    writes = [s for s in six_stops if s.lstrip().upper().startswith("INSERT")]
    assert 1 <= len(writes) <= 6  # the audit entries, one per patient at most
    with Session(db) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.resource_type == "schedule")
            .order_by(col(AuditEntry.id))
        ).all()
    assert len({e.patient_id for e in entries}) == 7


def schedule_entries(db: Engine) -> list[int | None]:
    with Session(db) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.resource_type == "schedule"))
        return [e.patient_id for e in entries]


def test_a_schedule_is_answered_only_once_its_audit_entries_are_stored(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
) -> None:
    """The reads' entries go through the group commit: while their INSERT waits for the lock,
    the nurse has no answer (and no entry exists); once it is stored, she has her day."""
    nurse = headers_for(Role.NURSE, rostered.ann)
    answers: list[httpx2.Response] = []
    with audit_table_locked(db):
        reader = threading.Thread(
            target=lambda: answers.append(
                client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=nurse)
            )
        )
        reader.start()
        reader.join(timeout=0.5)  # time enough to answer too early, if it were going to
        assert reader.is_alive() and not answers
        assert schedule_entries(db) == []
    reader.join(timeout=20)
    assert [a.status_code for a in answers] == [200]
    assert schedule_entries(db) == [rostered.ann_today]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_failed_audit_commit_fails_the_read_with_a_503(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    postgres_admin_engine: Engine,
) -> None:
    """The audit writer's connection is dropped while its INSERT waits: the read it carried is a
    503 to retry (it showed nothing), no entry is half-stored, and the retry is answered and
    audited on a fresh connection."""
    nurse = headers_for(Role.NURSE, rostered.ann)
    path = f"/api/v1/staff/{rostered.ann}/schedule"
    answers: list[httpx2.Response] = []
    with audit_table_locked(db):
        reader = threading.Thread(target=lambda: answers.append(client.get(path, headers=nurse)))
        reader.start()
        pid = waiting_insert(postgres_admin_engine)
        with postgres_admin_engine.connect() as conn:
            conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
    reader.join(timeout=20)
    assert [a.status_code for a in answers] == [503], answers[0].text
    assert answers[0].headers["retry-after"].isdigit()
    assert schedule_entries(db) == []
    assert client.get(path, headers=nurse).status_code == 200
    assert schedule_entries(db) == [rostered.ann_today]


def waiting_insert(admin: Engine) -> int:
    """The server process of the audit writer's INSERT, once it waits for the table lock."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with admin.connect() as conn:
            pid = conn.execute(
                text(
                    "select pid from pg_stat_activity where wait_event_type = 'Lock' "
                    "and query ilike 'insert into audit_entry%'"
                )
            ).scalar()
        if pid is not None:
            return int(pid)
        time.sleep(0.05)
    raise AssertionError("the audit writer's INSERT never waited for the lock")
