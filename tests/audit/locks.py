"""Holding up writes to the audit trail the way a real database does: another connection holds
the lock an INSERT into audit_entry needs (SQLite's write lock, a PostgreSQL table lock)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text


@contextmanager
def audit_table_locked(engine: Engine) -> Iterator[None]:
    """Another connection holds what an INSERT into audit_entry waits for, until the block ends."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        assert database is not None
        writer = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            writer.execute("COMMIT")
            writer.close()
        return
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE audit_entry IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.commit()
