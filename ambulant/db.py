"""Engine and sessions. The same code runs on SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

import ambulant.models  # noqa: F401  (registers every table on SQLModel.metadata)


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine keeping `pool_size` connections, and as many again when they are all in use."""
    # hide_parameters: a failed statement's values (names, addresses) stay out of errors and logs.
    pool = {"pool_size": pool_size, "max_overflow": pool_size}
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
            **({} if _in_memory(url) else pool),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)


def _in_memory(url: str) -> bool:
    # SQLAlchemy gives an in-memory database one shared connection (no pool to size).
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker process writes a plan; foreign keys are off by default.
    # synchronous=NORMAL: in WAL mode a commit is then durable once it is in the log, which
    # survives a crash of any process; only a power cut can lose the last few commits (a
    # checkpoint syncs). With FULL every request's audit entry waits for an fsync while holding
    # the one write lock, and the requests behind it sleep in SQLite's busy handler.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per URL for the life of the process: worker jobs and
    commands reuse it instead of opening a pool per job."""
    with _engines_lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def dispose_engines() -> None:
    """Closes every cached engine's connections (tests, and processes that are about to end)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def create_all(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commits once at the end, rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
