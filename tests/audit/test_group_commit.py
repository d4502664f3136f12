"""The group commit of reads' audit entries: a request is answered only once its entries are
stored, the entries of requests waiting together go in one transaction, a failed commit fails
every request in it (and stores none of them), and closing the writer stores what is waiting.

The writer is held up the way a real database holds it up (tests/audit/locks.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import ExitStack

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ambulant.audit import AuditWriter
from ambulant.audit.group_commit import Row, patient_rows
from ambulant.auth import Principal
from ambulant.models import AuditAction, AuditEntry, Role
from tests.audit.locks import audit_table_locked

OLA = Principal("ola", Role.NURSE, staff_id=3, user_id=2)
WAIT_S = 20


def rows(*patients: int, resource_id: int = 3) -> list[Row]:
    return patient_rows(OLA, AuditAction.READ, "schedule", resource_id, patients, "10.0.0.1")


def stored(engine: Engine) -> list[tuple[str | None, int | None]]:
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    return [(e.resource_id, e.patient_id) for e in entries]


@pytest.fixture
def writer(engine: Engine) -> Iterator[AuditWriter]:
    writer = AuditWriter(engine)
    writer.start()
    yield writer
    writer.close()


def wait_until_taken(future: Future[None]) -> None:
    """Until the writer has taken this request's entries into the transaction it is writing."""
    deadline = time.monotonic() + WAIT_S
    while not (future.running() or future.done()):
        assert time.monotonic() < deadline, "the writer never took the entries"
        time.sleep(0.01)


def test_a_request_is_answered_only_once_its_entries_are_stored(
    engine: Engine, writer: AuditWriter
) -> None:
    """While the INSERT waits for the lock the request stays unanswered and nothing is stored;
    once the lock goes, it is answered and its entries (one per patient) are there."""
    with audit_table_locked(engine):
        done = writer.submit(rows(4, 2, 4))
        wait_until_taken(done)
        time.sleep(0.2)  # time enough to answer too early, if it were going to
        assert not done.done()
    done.result(timeout=WAIT_S)
    assert stored(engine) == [("3", 2), ("3", 4)]


def test_requests_waiting_together_share_one_commit(engine: Engine, writer: AuditWriter) -> None:
    """Fifty requests that arrive while a commit is held up are stored in one transaction."""
    with audit_table_locked(engine):
        first = writer.submit(rows(1, resource_id=0))
        wait_until_taken(first)
        waiting = [writer.submit(rows(n, resource_id=n)) for n in range(1, 51)]
    for future in [first, *waiting]:
        future.result(timeout=WAIT_S)
    assert writer.commits == 2
    assert sorted(stored(engine)) == sorted([("0", 1)] + [(str(n), n) for n in range(1, 51)])


def test_a_failed_commit_fails_every_request_in_it_and_stores_none(
    engine: Engine, writer: AuditWriter
) -> None:
    """A batch holding an entry the database refuses (no subject) fails as a whole: its good
    neighbour gets the error too and nothing of either is stored; the writer goes on."""
    bad = rows(7, resource_id=2)
    bad[0]["subject"] = None
    with audit_table_locked(engine):
        first = writer.submit(rows(1, resource_id=0))
        wait_until_taken(first)
        good = writer.submit(rows(5, resource_id=1))
        refused = writer.submit(bad)
    first.result(timeout=WAIT_S)
    for future in (good, refused):
        with pytest.raises(IntegrityError):
            future.result(timeout=WAIT_S)
    writer.submit(rows(9, resource_id=3)).result(timeout=WAIT_S)
    assert stored(engine) == [("0", 1), ("3", 9)]


def test_closing_stores_what_is_waiting(engine: Engine) -> None:
    """Closing while a commit is held up returns only after it and the entries queued behind it
    are stored; nothing is taken after that."""
    writer = AuditWriter(engine)
    writer.start()
    with ExitStack() as lock:
        lock.enter_context(audit_table_locked(engine))
        futures = [writer.submit(rows(n, resource_id=n)) for n in range(1, 4)]
        wait_until_taken(futures[0])
        release = threading.Timer(0.3, lock.close)
        release.start()
        writer.close()
        release.join()
    assert all(f.done() and f.exception() is None for f in futures)
    assert sorted(stored(engine)) == [("1", 1), ("2", 2), ("3", 3)]
    with pytest.raises(RuntimeError):
        writer.submit(rows(1))


def test_a_read_showing_no_patient_still_leaves_an_entry() -> None:
    """As record_patients: one entry per distinct patient, or one without a patient."""
    assert [r["patient_id"] for r in rows(4, 2, 4)] == [2, 4]
    assert [r["patient_id"] for r in rows()] == [None]
