"""Settings whose development key already exists: one RSA key for the whole run is enough for
tests that are not about making keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from ambulant.auth import load_signing_key
from ambulant.config import Settings


@pytest.fixture(scope="session")
def shared_key_pem(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("keys") / "dev-signing-key.pem"
    load_signing_key(path)
    return path.read_bytes()


@pytest.fixture
def settings(tmp_path: Path, shared_key_pem: bytes) -> Settings:
    settings = Settings(data_dir=tmp_path, environment="test")
    settings.signing_key_path.write_bytes(shared_key_pem)
    settings.signing_key_path.chmod(0o600)
    return settings
