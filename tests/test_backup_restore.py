"""A backup made as docs/operations.md says (pg_dump, custom format) restores with pg_restore as it
was: every row, the schema version, the indexes and triggers, and the audit trail still refusing
changes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from ambulant.audit.trail import record
from ambulant.auth.principal import Principal
from ambulant.db import make_engine
from ambulant.demo.generator import seed_region
from ambulant.migrate import alembic_config, upgrade_database
from ambulant.models import AuditAction, Role
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres

DAY = dt.date(2026, 11, 25)


@pytest.fixture
def schema(postgres_admin_engine: Engine) -> Iterator[str]:
    """A new schema in the test database (the backup's), and after the test it and the one
    the original is moved to are dropped. Creating and dropping whole databases checkpoints
    the shared server each time; a schema is dumped and restored by the same pg_dump and
    pg_restore (`--schema`)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.begin() as conn:
        conn.execute(text(f'create schema "{name}"'))
    yield name
    with postgres_admin_engine.begin() as conn:
        for dropped in (name, f"{name}_original"):
            conn.execute(text(f'drop schema if exists "{dropped}" cascade'))


def libpq_url(url: str) -> str:
    """The URL pg_dump and pg_restore take (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(False)


def table_counts(engine: Engine, schema: str) -> dict[str, int]:
    with engine.connect() as conn:
        tables = conn.execute(
            text("select tablename from pg_tables where schemaname = :s order by 1"), {"s": schema}
        ).scalars()
        return {
            t: conn.execute(text(f'select count(*) from "{schema}"."{t}"')).scalar_one()
            for t in tables
        }


def definitions(engine: Engine, schema: str) -> set[tuple[str, str]]:
    """The schema's indexes and triggers by name and table."""
    with engine.connect() as conn:
        indexes = conn.execute(
            text("select indexname, tablename from pg_indexes where schemaname = :s"),
            {"s": schema},
        ).all()
        triggers = conn.execute(
            text(
                "select t.tgname, c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid "
                "join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = :s and not t.tgisinternal"
            ),
            {"s": schema},
        ).all()
    return {(str(name), str(table)) for name, table in [*indexes, *triggers]}


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="!!! SKIPPED: no pg_dump here")
def test_a_dump_restores_as_it_was(
    schema: str, postgres_admin_engine: Engine, tmp_path: Path
) -> None:
    """pg_dump's custom format restores every row, index and trigger and the schema version;
    the restored audit trail still refuses deletes, and the migrations find it at head."""
    url = f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seed_region(session, region="vaernes", day=DAY, days=1, seed=0)
            auditor = Principal(subject="auditor", role=Role.AUDITOR)
            record(session, auditor, AuditAction.READ, "patient", 1, patient_id=1)
            session.commit()
        engine.dispose()
        counts = table_counts(postgres_admin_engine, schema)
        assert counts["visitrequest"] > 100 and counts["audit_entry"] == 1
        made = definitions(postgres_admin_engine, schema)
        assert ("audit_entry_no_change", "audit_entry") in made

        dump = tmp_path / "ambulant.dump"
        server = libpq_url(POSTGRES_ADMIN_URL)
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", server],
            check=True,
            timeout=120,
        )
        # The original steps aside; the restore makes the schema anew under its own name.
        with postgres_admin_engine.begin() as conn:
            conn.execute(text(f'alter schema "{schema}" rename to "{schema}_original"'))
        subprocess.run(
            ["pg_restore", "--exit-on-error", "--no-owner", "-d", server, str(dump)],
            check=True,
            timeout=120,
        )

        assert table_counts(postgres_admin_engine, schema) == counts
        assert definitions(postgres_admin_engine, schema) == made
        with engine.connect() as conn:
            assert conn.execute(text("select version_num from alembic_version")).all() == [
                (head_revision(),)
            ]
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text("delete from audit_entry"))
        upgrade_database(url)  # at head already: nothing to do
    finally:
        engine.dispose()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config(POSTGRES_ADMIN_URL)).get_current_head()
    assert head is not None
    return head
