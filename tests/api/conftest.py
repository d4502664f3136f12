"""An app per test over a fresh database (SQLite and PostgreSQL) holding the tiny region, and
tokens from the app's own development issuer for users made in each role and scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.auth import load_signing_key
from ambulant.auth.dev_login import development_token
from ambulant.config import Settings
from ambulant.db import create_all, make_engine
from ambulant.models import Role, Team
from api.main import create_app
from tests.api.builders import Headers
from tests.api.roster import Rostered, make_rostered
from tests.builders import TinyRegion, make_region


@pytest.fixture(scope="session")
def signing_key_pem(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """One RSA key for the whole run: making a 2048-bit key per test would dominate the time."""
    path = tmp_path_factory.mktemp("keys") / "dev-signing-key.pem"
    load_signing_key(path)
    return path.read_bytes()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, signing_key_pem: bytes) -> Settings:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, environment="test", solve_time_limit_s=2
    )
    settings.signing_key_path.write_bytes(signing_key_pem)
    settings.signing_key_path.chmod(0o600)
    return settings


@pytest.fixture
def db(settings: Settings) -> Iterator[Engine]:
    """The test's database with its tables, for arranging rows the API has no routes for."""
    engine = make_engine(settings.database_url)
    create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def region(db: Engine) -> TinyRegion:
    with Session(db, expire_on_commit=False) as session:
        region = make_region(session)
        session.commit()
    return region


@pytest.fixture
def client(settings: Settings, region: TinyRegion) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def headers_for(settings: Settings, db: Engine) -> Callable[..., Headers]:
    """Headers for a user in `role`: a coordinator covers every municipality unless
    `municipalities` says otherwise; a nurse is the staff member `staff_id`."""

    def make(
        role: Role | str,
        staff_id: int | None = None,
        *,
        municipalities: Sequence[str] = ("all",),
        team: Team | None = None,
        subject: str | None = None,
    ) -> Headers:
        with Session(db) as session:
            token = development_token(
                session,
                settings,
                role=Role(role),
                staff_id=staff_id,
                subject=subject,
                municipalities=municipalities,
                team=team,
            )
            session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def coordinator(headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.COORDINATOR)


@pytest.fixture
def rostered(db: Engine, region: TinyRegion) -> Rostered:
    """Ann and Bob with published days (tests/api/roster.py)."""
    return make_rostered(db, region)
