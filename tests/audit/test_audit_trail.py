"""The access log: entries go in with the caller's transaction, can be filtered and reported per
patient, and the database itself refuses to change or remove them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from ambulant.audit import list_entries, patient_report, record, record_patients
from ambulant.auth import Principal
from ambulant.db import make_engine
from ambulant.errors import InvalidInput
from ambulant.migrate import upgrade_database
from ambulant.models import AuditAction, AuditEntry, Role

KARI = Principal("kari", Role.COORDINATOR, user_id=1, all_municipalities=True)
OLA = Principal("ola", Role.NURSE, staff_id=3, user_id=2)
T0 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


def add(session: Session, who: Principal, patient: int | None, at: dt.datetime, **kw: str) -> None:
    entry = record(session, who, AuditAction.READ, "patient", patient, patient, "10.0.0.1", **kw)
    entry.at = at


def test_an_entry_commits_with_the_write_and_rolls_back_with_it(engine: Engine) -> None:
    """Recorded in the caller's session: nothing is written until it commits, and a rollback
    leaves no entry for a change that did not happen."""
    with Session(engine) as session:
        record(session, KARI, AuditAction.UPDATE, "patient", 7, 7, "10.0.0.1")
        session.rollback()
    with Session(engine) as session:
        record(session, KARI, AuditAction.UPDATE, "patient", 7, 7, "10.0.0.1")
        session.commit()
    with Session(engine) as session:
        (entry,) = session.exec(select(AuditEntry)).all()
    assert (entry.subject, entry.role, entry.action) == ("kari", "coordinator", "update")
    assert (entry.resource_type, entry.resource_id, entry.patient_id) == ("patient", "7", 7)
    assert entry.client == "10.0.0.1" and entry.at.tzinfo is not None


def test_one_entry_per_patient_shown(session: Session) -> None:
    """A schedule showing patients 4, 2, 4 and a break writes entries for 2 and 4; one showing
    no patient writes a single entry without one."""
    record_patients(session, OLA, AuditAction.READ, "schedule", 3, [4, 2, None, 4])
    record_patients(session, OLA, AuditAction.READ, "schedule", 3, [None])
    session.flush()
    rows = session.exec(select(AuditEntry.patient_id).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert rows == [2, 4, None]


def test_entries_filter_by_patient_user_and_time(session: Session) -> None:
    """Each filter narrows the list; since is inclusive, until exclusive; newest first."""
    add(session, KARI, 1, T0)
    add(session, OLA, 1, T0 + dt.timedelta(hours=1))
    add(session, OLA, 2, T0 + dt.timedelta(hours=2))
    session.flush()

    def ids(**filters: object) -> list[tuple[str, int | None]]:
        page = list_entries(session, **filters)  # type: ignore[arg-type]
        return [(e.subject, e.patient_id) for e in page.items]

    assert ids() == [("ola", 2), ("ola", 1), ("kari", 1)]
    assert ids(patient_id=1) == [("ola", 1), ("kari", 1)]
    assert ids(user_id=2) == [("ola", 2), ("ola", 1)]
    assert ids(since=T0 + dt.timedelta(hours=1)) == [("ola", 2), ("ola", 1)]
    assert ids(until=T0 + dt.timedelta(hours=1)) == [("kari", 1)]
    with pytest.raises(InvalidInput) as error:
        list_entries(session, since=T0, until=T0)
    assert error.value.field == "until"


def test_patient_report_says_who_looked_when_and_why(session: Session) -> None:
    """Per user: how often, first and last time, what they did and the reasons they gave;
    the most recent reader first; other patients' entries stay out."""
    add(session, KARI, 1, T0)
    add(session, KARI, 1, T0 + dt.timedelta(hours=3))
    add(session, OLA, 1, T0 + dt.timedelta(hours=4), purpose="colleague ill, patient called")
    add(session, OLA, 2, T0 + dt.timedelta(hours=5))
    session.flush()
    report = patient_report(session, patient_id=1)
    assert report.accesses == 3
    assert [(u.subject, u.accesses) for u in report.users] == [("ola", 1), ("kari", 2)]
    kari = report.users[1]
    assert (kari.first_at, kari.last_at) == (T0, T0 + dt.timedelta(hours=3))
    assert report.users[0].purposes == ["colleague ill, patient called"]


def assert_append_only(engine: Engine) -> None:
    with Session(engine) as session:
        record(session, KARI, AuditAction.READ, "patient", 1, 1, None)
        session.commit()
    for statement in ("update audit_entry set subject = 'someone else'", "delete from audit_entry"):
        with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
    with Session(engine) as session:
        assert session.exec(select(AuditEntry.subject)).all() == ["kari"]


def test_the_database_refuses_to_change_or_delete_entries(engine: Engine) -> None:
    """Built by create_all: UPDATE and DELETE fail in the database, whatever the code does."""
    assert_append_only(engine)


@pytest.fixture
def migrated(database_url: str) -> Iterator[Engine]:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_the_migrated_database_refuses_too(migrated: Engine) -> None:
    """Built by the Alembic migrations: the same triggers, the same refusal."""
    assert_append_only(migrated)
    if migrated.dialect.name == "postgresql":
        with migrated.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("truncate audit_entry"))
