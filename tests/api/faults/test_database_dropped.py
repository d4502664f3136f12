"""PostgreSQL drops the API's connection (a restart, a failover, an operator's
pg_terminate_backend): the request in flight gets a 503 with a JSON body and Retry-After,
nothing of it is stored, the retry with the same Idempotency-Key is applied once, and a
connection dropped between requests is replaced unseen (pool_pre_ping)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session, select

from ambulant.models import Role, StaffPosition, VisitRequest, VisitStatusReport
from ambulant.timeutil import now
from tests.api.builders import Headers
from tests.api.roster import Rostered

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


def backend_pid(connection: Any) -> int:
    pid: int = connection.info.backend_pid  # psycopg's connection: its server process
    return pid


def terminate(admin: Engine, pid: int) -> None:
    """From a second connection, as an operator would."""
    with admin.connect() as conn:
        assert conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid}).scalar()


def annes_visit(db: Engine, rostered: Rostered) -> int:
    with Session(db) as session:
        visit = session.exec(
            select(VisitRequest).where(
                VisitRequest.patient_id == rostered.ann_today, VisitRequest.date == rostered.today
            )
        ).one()
        assert visit.id is not None
        return visit.id


def stored_reports(db: Engine) -> tuple[int, int]:
    with Session(db) as session:
        reports = len(session.exec(select(VisitStatusReport)).all())
        positions = len(session.exec(select(StaffPosition)).all())
    return reports, positions


def test_a_write_whose_connection_is_killed_is_a_503_and_stores_nothing(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    postgres_admin_engine: Engine,
    database_url: str,
) -> None:
    visit_id = annes_visit(db, rostered)
    nurse = headers_for(Role.NURSE, rostered.ann) | {"Idempotency-Key": "drop-1"}
    body = {"status": "done", "at": (now() - dt.timedelta(minutes=2)).isoformat()}
    app_engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    killed: list[int] = []

    def kill_before_the_position(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        # The report's row is already written in this transaction; the position is not yet.
        if statement.lstrip().upper().startswith("INSERT INTO STAFFPOSITION") and not killed:
            killed.append(backend_pid(conn.connection.dbapi_connection))
            terminate(postgres_admin_engine, killed[0])

    event.listen(app_engine, "before_cursor_execute", kill_before_the_position)
    try:
        dropped = client.post(
            f"/api/v1/visits/{visit_id}/status",
            json=body | {"lat": 63.47, "lon": 10.92},
            headers=nurse,
        )
    finally:
        event.remove(app_engine, "before_cursor_execute", kill_before_the_position)
    assert killed, "the request reached the write"
    assert dropped.status_code == 503, dropped.text
    assert dropped.headers["content-type"] == "application/json"
    assert dropped.headers["retry-after"].isdigit()
    assert "try again" in dropped.json()["detail"]
    assert stored_reports(db) == (0, 0), "the half-done transaction was rolled back whole"

    retried = client.post(
        f"/api/v1/visits/{visit_id}/status",
        json=body | {"lat": 63.47, "lon": 10.92},
        headers=nurse,
    )
    again = client.post(
        f"/api/v1/visits/{visit_id}/status",
        json=body | {"lat": 63.47, "lon": 10.92},
        headers=nurse,
    )
    assert (retried.status_code, again.status_code) == (201, 200), retried.text
    assert retried.json()["id"] == again.json()["id"]
    assert stored_reports(db) == (1, 1)


def test_connections_dropped_between_requests_are_replaced_unseen(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    postgres_admin_engine: Engine,
    database_url: str,
) -> None:
    nurse = headers_for(Role.NURSE, rostered.ann)
    app_engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    pids: set[int] = set()

    def remember(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        pids.add(backend_pid(dbapi_connection))

    event.listen(app_engine, "checkout", remember)
    try:
        url = f"/api/v1/staff/{rostered.ann}/schedule?date={rostered.today.isoformat()}"
        first = client.get(url, headers=nurse)
        assert first.status_code == 200, first.text
        assert pids
        for pid in sorted(pids):  # every connection the pool holds
            terminate(postgres_admin_engine, pid)
        pids.clear()
        second = client.get(url, headers=nurse)
    finally:
        event.remove(app_engine, "checkout", remember)
    assert second.status_code == 200, second.text
    assert second.json() == first.json()


def test_a_connection_killed_as_the_request_commits_is_a_503_and_stores_nothing(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    postgres_admin_engine: Engine,
    database_url: str,
) -> None:
    """The handler has returned; the session's commit (after it, before the answer) finds the
    connection gone: still a 503, not a 201 for a row that was never stored."""
    visit_id = annes_visit(db, rostered)
    nurse = headers_for(Role.NURSE, rostered.ann) | {"Idempotency-Key": "drop-at-commit"}
    body = {"status": "started", "at": (now() - dt.timedelta(minutes=1)).isoformat()}
    app_engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    killed: list[int] = []
    writing: set[int] = set()  # backends whose transaction holds the report's row

    def note_the_write(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO VISITSTATUSREPORT"):
            writing.add(backend_pid(conn.connection.dbapi_connection))

    def kill_at_commit(conn: Any) -> None:
        pid = backend_pid(conn.connection.dbapi_connection)
        if not killed and pid in writing:
            killed.append(pid)
            terminate(postgres_admin_engine, pid)

    event.listen(app_engine, "before_cursor_execute", note_the_write)
    event.listen(app_engine, "commit", kill_at_commit)
    try:
        dropped = client.post(f"/api/v1/visits/{visit_id}/status", json=body, headers=nurse)
    finally:
        event.remove(app_engine, "commit", kill_at_commit)
        event.remove(app_engine, "before_cursor_execute", note_the_write)
    assert killed
    assert dropped.status_code == 503, dropped.text
    assert stored_reports(db) == (0, 0)
    retried = client.post(f"/api/v1/visits/{visit_id}/status", json=body, headers=nurse)
    assert retried.status_code == 201, retried.text
    assert stored_reports(db) == (1, 0)
