"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL (127.0.0.1:5432, database `test`) and Redis run on every machine here. On a laptop
without them the tests that need them skip with a loud reason; with AMBULANT_REQUIRE_SERVICES=1
(set by .ci/run) their absence fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from ambulant.db import create_all, dispose_engines, make_engine

POSTGRES_ADMIN_URL = os.environ.get(
    "AMBULANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("AMBULANT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("AMBULANT_REQUIRE_SERVICES") == "1"


def service_missing(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({error.__class__.__name__}: {error})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; AMBULANT_REQUIRE_SERVICES=1 makes this a failure")
    pytest.skip(f"!!! SKIPPED: {message}. Start it to run these tests.")


@pytest.fixture(autouse=True)
def _close_cached_engines() -> Iterator[None]:
    """Engines cached by code under test (worker jobs, commands) are closed after each test, so
    no connection outlives its test or its PostgreSQL schema."""
    yield
    dispose_engines()


@pytest.fixture(scope="session")
def postgres_admin_engine() -> Iterator[Engine]:
    engine = make_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as error:
        engine.dispose()
        service_missing("PostgreSQL at " + POSTGRES_ADMIN_URL, error)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin_engine")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    # search_path in the URL reaches every connection, worker processes included.
    yield f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'drop schema "{schema}" cascade'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as error:
        service_missing("Redis at " + REDIS_URL, error)
    finally:
        client.close()
    return REDIS_URL
