"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL (127.0.0.1:5432, database `test`) and Redis run on every machine here. On a laptop
without them the tests that need them skip with a loud reason; with AMBULANT_REQUIRE_SERVICES=1
(set by .ci/run) their absence fails the run instead.

The clock: a run reads the real clock, unless AMBULANT_TEST_NOW names another instant (ISO 8601
with an offset, e.g. 2027-03-28T01:30:00+01:00). Then time-machine moves the wall clock of the
test process, and of every Python process it starts (tests/clock/sitecustomize.py), to that
instant when the run starts, and lets it tick on. `.ci/run` uses this to run the suite again on
the days that break date code: DST changes, a Sunday, new year's eve, 29 February.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, text
from sqlmodel import Session

from ambulant.db import create_all, dispose_engines, make_engine

POSTGRES_ADMIN_URL = os.environ.get(
    "AMBULANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Under pytest-xdist each worker (gw0, gw1, ...) takes a Redis database of its own, counting down
# from the one configured, so queues and channels of parallel tests never meet.
_REDIS_BASE = os.environ.get("AMBULANT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_REDIS_DB = (int(_REDIS_BASE.rsplit("/", 1)[1]) - _WORKER) % 16  # Redis has databases 0-15
REDIS_URL = _REDIS_BASE.rsplit("/", 1)[0] + f"/{_REDIS_DB}"
REQUIRE_SERVICES = os.environ.get("AMBULANT_REQUIRE_SERVICES") == "1"
MOVED_NOW = os.environ.get("AMBULANT_TEST_NOW")
# "i/n": run the i-th of n shares of the tests (by a hash of their ids) plus every `dates` test.
SHARE = os.environ.get("AMBULANT_TEST_SHARE")
_CLOCK_DIR = Path(__file__).with_name("clock")
_traveller: time_machine.travel | None = None


def moved_now() -> dt.datetime | None:
    """The instant AMBULANT_TEST_NOW moves the run to, if it does."""
    if not MOVED_NOW:
        return None
    instant = dt.datetime.fromisoformat(MOVED_NOW)
    if instant.tzinfo is None:
        raise pytest.UsageError("AMBULANT_TEST_NOW needs an offset, e.g. 2027-03-28T01:30:00+01:00")
    return instant


def pytest_configure(config: pytest.Config) -> None:
    """Moves the clock before any test module is imported (some read the time at import)."""
    global _traveller
    instant = moved_now()
    if instant is None or "AMBULANT_TEST_CLOCK_OFFSET_S" in os.environ:
        return  # the real clock, or a process (an xdist worker) moved by tests/clock already
    offset = instant.timestamp() - time.time()
    os.environ["AMBULANT_TEST_CLOCK_OFFSET_S"] = repr(offset)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_CLOCK_DIR), os.environ.get("PYTHONPATH")) if p
    )
    _traveller = time_machine.travel(instant, tick=True)
    _traveller.start()


def _names_its_databases(item: pytest.Item) -> bool:
    for mark in item.iter_markers("parametrize"):
        names = mark.args[0]
        listed = names.split(",") if isinstance(names, str) else names
        if "database_url" in (name.strip() for name in listed):
            return True
    return False


def _on_postgresql_for_nothing(item: pytest.Item) -> bool:
    """A test marked `one_database` runs on SQLite only, unless it names its databases itself:
    what it checks happens before or beside the database (input rules, generated demo rows, the
    app's own answers), so a PostgreSQL run would repeat the SQLite one at several times the
    cost. Everything that reads or writes through SQL keeps both."""
    callspec = getattr(item, "callspec", None)
    return (
        callspec is not None
        and callspec.params.get("database_url") == "postgresql"
        and item.get_closest_marker("one_database") is not None
        and not _names_its_databases(item)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leaves out the PostgreSQL runs of `one_database` tests. With AMBULANT_TEST_SHARE, keeps
    one share of the tests and all of the `dates` tests: the moved-clock runs of
    `make test-clocks` split the suite between them, so that together they run every fast test
    once on a moved clock and the date rules on every moved clock."""
    repeated = [item for item in items if _on_postgresql_for_nothing(item)]
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        left_out = set(repeated)
        items[:] = [item for item in items if item not in left_out]
    if not SHARE:
        return
    index, count = (int(part) for part in SHARE.split("/"))
    kept, dropped = [], []
    for item in items:
        share = zlib.crc32(item.nodeid.encode()) % count
        (kept if share == index or item.get_closest_marker("dates") else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_unconfigure(config: pytest.Config) -> None:
    if _traveller is not None:
        _traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    instant = moved_now()
    zone = os.environ.get("TZ", "the machine's")
    share = f"; share {SHARE} of the tests and every dates test" if SHARE else ""
    if instant is None:
        return f"clock: real; TZ: {zone}{share}"
    return f"clock: moved to {instant.isoformat()} (AMBULANT_TEST_NOW); TZ: {zone}{share}"


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
