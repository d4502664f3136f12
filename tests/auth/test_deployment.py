"""Production refuses development shortcuts: the development issuer, a default issuer name, a
weak session secret, and CORS for every origin; development and test run as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from ambulant.auth.deployment import UnsafeConfiguration, check_deployment
from ambulant.auth.dev_login import development_token
from ambulant.config import Settings
from ambulant.errors import Forbidden
from ambulant.models import Role
from api.main import create_app

PRODUCTION = {
    "environment": "production",
    "oidc_jwks_url": "https://helseid-sts.nhn.no/.well-known/openid-configuration/jwks",
    "jwt_issuer": "https://helseid-sts.nhn.no",
}


def serves_health(settings: Settings) -> int:
    """Builds the app from the settings, runs its start-up and asks it for its health."""
    with TestClient(create_app(settings)) as client:
        return client.get("/api/v1/health").status_code


def test_development_and_test_may_use_the_development_issuer(tmp_path: Path) -> None:
    """No identity provider, default issuer: outside production the app starts and serves."""
    for environment in ("development", "test"):
        settings = Settings(
            environment=environment,  # type: ignore[arg-type]
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / environment}.db",
        )
        assert serves_health(settings) == 200


def test_production_with_an_identity_provider_starts(tmp_path: Path) -> None:
    """With the provider's https JWKS URL, its issuer and a long secret, the app serves."""
    settings = Settings(
        **PRODUCTION,
        session_secret=SecretStr("x" * 40),
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'production'}.db",
    )
    assert serves_health(settings) == 200


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"oidc_jwks_url": None}, "AMBULANT_OIDC_JWKS_URL"),
        ({"oidc_jwks_url": "http://idp.example/jwks"}, "https://"),
        ({"jwt_issuer": "ambulant-dev"}, "AMBULANT_JWT_ISSUER"),
        ({"session_secret": SecretStr("changeme")}, "AMBULANT_SESSION_SECRET"),
        ({"cors_origins": ["*"]}, "AMBULANT_CORS_ORIGINS"),
    ],
)
def test_production_refuses_each_shortcut_by_name(change: dict[str, object], named: str) -> None:
    """Each unsafe setting stops the start with an error naming the setting to fix."""
    with pytest.raises(UnsafeConfiguration, match=named.replace("/", r"\/")):
        check_deployment(Settings(**(PRODUCTION | change)))  # type: ignore[arg-type]


def test_create_app_refuses_production_with_the_development_issuer(tmp_path: Path) -> None:
    """The app factory itself refuses, so `uvicorn api.main:create_app` never serves it."""
    with pytest.raises(UnsafeConfiguration, match="development issuer"):
        create_app(Settings(environment="production", data_dir=tmp_path))


def test_development_tokens_exist_only_with_the_development_issuer(
    session: Session, settings: Settings
) -> None:
    """`ambulant token` is refused once an identity provider is configured, or in production."""
    provider = settings.model_copy(update={"oidc_jwks_url": "https://idp.example/jwks"})
    production = settings.model_copy(update={"environment": "production"})
    for refused in (provider, production):
        with pytest.raises(Forbidden):
            development_token(session, refused, role=Role.AUDITOR)
