"""How connections are set up: what lets many requests write their audit entries at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import QueuePool, text

from ambulant.db import make_engine


def test_sqlite_connections_log_ahead_and_sync_at_checkpoints(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ambulant.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        # 1 = NORMAL: a commit waits for no fsync; the log is synced at checkpoints.
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_the_pool_keeps_the_connections_asked_for_and_as_many_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ambulant.db'}", pool_size=7)
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 7
    assert engine.pool._max_overflow == 7  # no public reader for it
    engine.dispose()


def test_an_in_memory_database_keeps_its_one_shared_connection() -> None:
    engine = make_engine("sqlite://", pool_size=7)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
