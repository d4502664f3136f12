"""The app as a whole: health, JWKS, OpenAPI, and the shape of every error response."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from ambulant.auth import issue_token
from ambulant.config import Settings
from api.main import create_app
from tests.api.builders import Headers
from tests.builders import MERAKER, STJORDAL

pytestmark = pytest.mark.one_database


def test_health_answers_without_a_token(client: TestClient) -> None:
    """Health is public and reports the database reachable."""
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    """A database that cannot be opened makes health 503, not 500."""
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'ambulant.db'}"
    with TestClient(create_app(Settings(database_url=url, data_dir=tmp_path))) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_jwks_is_public_and_verifies_issued_tokens(client: TestClient, settings: Settings) -> None:
    """The published key set verifies a token the development issuer signed."""
    keys = client.get("/api/v1/.well-known/jwks.json")
    assert keys.status_code == 200
    token = issue_token(settings, subject="kari")
    key = jwt.PyJWKSet.from_dict(keys.json())[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=settings.jwt_audience)
    assert claims["sub"] == "kari"


def test_openapi_documents_every_resource_and_the_bearer_scheme(client: TestClient) -> None:
    """/docs serves; the schema lists each router and a bearer security scheme."""
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/v1/staff",
        "/api/v1/staff/{staff_id}/schedule",
        "/api/v1/shifts",
        "/api/v1/patients/{patient_id}",
        "/api/v1/care-plans",
        "/api/v1/visits",
        "/api/v1/plans/{plan_id}/publish",
        "/api/v1/municipalities",
        "/api/v1/health",
    ):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_municipalities_are_listed_by_code(client: TestClient, coordinator: Headers) -> None:
    """GET /municipalities lists the region's municipalities in code order."""
    response = client.get("/api/v1/municipalities", headers=coordinator)
    assert [m["code"] for m in response.json()] == [MERAKER, STJORDAL]


def test_unknown_route_and_malformed_body_keep_the_error_shape(
    client: TestClient, coordinator: Headers
) -> None:
    """404 for an unknown path and 422 for broken JSON both answer {detail, field}."""
    missing = client.get("/api/v1/nothing-here", headers=coordinator)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found", "field": None}
    broken = client.post(
        "/api/v1/staff",
        content=b'{"name": ',
        headers=coordinator | {"Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    assert broken.json()["field"] == "body"


def test_an_unexpected_failure_is_a_500_that_reveals_nothing(
    settings: Settings, db: Engine, coordinator: Headers, client: TestClient
) -> None:
    """With a table gone, listing shifts fails deep in the database; the client gets a plain
    500 without SQL or table names."""
    with db.begin() as connection:
        connection.execute(text("drop table shift"))
    with TestClient(create_app(settings), raise_server_exceptions=False) as fresh:
        response = fresh.get("/api/v1/shifts", headers=coordinator)
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error", "field": None}
