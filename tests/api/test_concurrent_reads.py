"""Many nurses reading their day at once: no request waits on a connection the pool cannot give
(the app holds requests back instead), every read is still audited, and a schedule costs the same
few statements however many stops it has."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.models import AuditEntry, Role, Staff
from api.main import create_app
from tests.api.builders import Headers
from tests.api.roster import Rostered, publish
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
