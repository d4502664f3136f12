"""HTTP hardening: headers on every answer, a strict CSP (the docs page names its one script),
HSTS over HTTPS, a CORS allow-list, a request size limit, a JWKS rate limit, query strings and
logs free of personal data and tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from ambulant.config import Settings
from ambulant.models import Role
from api.main import create_app
from api.security import RateLimiter
from tests.api.builders import Headers, created, make_patient, make_visit
from tests.api.roster import Rostered
from tests.builders import TinyRegion

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def test_every_answer_carries_the_security_headers(
    client: TestClient, coordinator: Headers
) -> None:
    """A JSON answer, an error, a refusal and an unknown path all carry the headers and a CSP
    that lets nothing load or frame; plain HTTP gets no HSTS."""
    for response in (
        client.get("/api/v1/staff", headers=coordinator),
        client.get("/api/v1/staff/987654", headers=coordinator),
        client.get("/api/v1/staff"),
        client.get("/nowhere"),
    ):
        for name, value in EXPECTED.items():
            assert response.headers[name] == value, (response.url, name)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "strict-transport-security" not in response.headers


def test_hsts_over_https_and_the_jwks_may_be_cached(client: TestClient) -> None:
    """Over HTTPS the answer says to stay on HTTPS; the route's own Cache-Control wins."""
    https = TestClient(client.app, base_url="https://testserver")
    response = https.get("/api/v1/.well-known/jwks.json")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["cache-control"] == "public, max-age=300"


def test_the_docs_page_allows_exactly_its_own_inline_script(client: TestClient) -> None:
    """Swagger UI loads; its CSP names the inline script by hash, never 'unsafe-inline' for
    scripts, and forbids framing."""
    response = client.get("/docs")
    assert response.status_code == 200 and "SwaggerUIBundle" in response.text
    csp = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert "'sha256-" in csp["script-src"] and "unsafe-inline" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert client.get("/redoc").status_code == 404


@pytest.fixture
def app_with(settings: Settings, region: TinyRegion) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**changes: object) -> TestClient:
        client = TestClient(create_app(settings.model_copy(update=changes)))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_cors_answers_only_listed_origins(
    client: TestClient, app_with: Callable[..., TestClient]
) -> None:
    """By default no origin is allowed; with an allow-list, a listed origin is and another
    is not."""
    preflight = {"Access-Control-Request-Method": "GET", "Origin": "https://plan.kommune.no"}
    assert (
        "access-control-allow-origin"
        not in client.options("/api/v1/staff", headers=preflight).headers
    )
    listed = app_with(cors_origins=["https://plan.kommune.no"])
    allowed = listed.options("/api/v1/staff", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "https://plan.kommune.no"
    other = listed.options("/api/v1/staff", headers=preflight | {"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_a_body_over_the_limit_is_413(
    app_with: Callable[..., TestClient], coordinator: Headers
) -> None:
    """Declared too long, or streamed past the limit without a length: 413 in the usual
    shape, before the route sees it."""
    small = app_with(max_request_bytes=2048)
    big = b'{"name": "' + b"x" * 4000 + b'"}'
    declared = small.post(
        "/api/v1/staff", content=big, headers=coordinator | {"Content-Type": "application/json"}
    )
    assert declared.status_code == 413 and declared.json()["field"] is None

    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"x" * 1000

    streamed = small.post(
        "/api/v1/staff",
        content=chunks(),
        headers=coordinator | {"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    fits = small.post("/api/v1/staff", json={"name": "x"}, headers=coordinator)
    assert fits.status_code == 422  # read and validated as usual


def test_the_jwks_endpoint_is_rate_limited(app_with: Callable[..., TestClient]) -> None:
    """Past the limit a client gets 429 with Retry-After; other routes are not limited."""
    limited = app_with(token_rate_limit="3/minute")
    codes = [limited.get("/api/v1/.well-known/jwks.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = limited.get("/api/v1/.well-known/jwks.json")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json() == {"detail": "too many requests; try again later", "field": None}
    assert limited.get("/api/v1/health").status_code == 200


def test_the_jwks_is_gone_when_an_identity_provider_issues_tokens(
    app_with: Callable[..., TestClient],
) -> None:
    """With oidc_jwks_url set there is no development key to publish."""
    provider = app_with(oidc_jwks_url="https://idp.example/jwks")
    assert provider.get("/api/v1/.well-known/jwks.json").status_code == 404


# A subscribed calendar sends nothing but its URL, so the feed's link carries its secret; the
# access log blanks it (test_the_access_log_redacts_a_calendar_links_secret).
URL_SECRETS = {("/api/v1/staff/{staff_id}/schedule.ics", "token")}
PERSONAL = {"name", "address", "notes", "subject", "sub", "email", "hpr_number", "token"}


def test_no_query_parameter_carries_personal_data(client: TestClient) -> None:
    """Query strings land in access logs: every query parameter is an id, a code, a date or
    paging, never a name, an address, a subject or a token."""
    schema = client.get("/openapi.json").json()
    names = {
        parameter["name"]
        for route, path in schema["paths"].items()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and (route, parameter["name"]) not in URL_SECRETS
    }
    assert names and not names & PERSONAL, names & PERSONAL


def test_the_access_log_redacts_a_calendar_links_secret(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A request line as uvicorn logs it (client, method, path with query, version, status)
    keeps the path and loses the token's value."""
    secret = "s3cr3t-calendar-token-value-0123456789abc"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            f"/api/v1/staff/1/schedule.ics?token={secret}",
            "1.1",
            200,
        )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert secret not in line and "/api/v1/staff/1/schedule.ics?token=[redacted]" in line


def test_the_calendar_feed_is_rate_limited_per_link(
    app_with: Callable[..., TestClient], rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """Past the limit one link gets 429 with Retry-After; another link is counted apart."""
    limited = app_with(calendar_feed_rate_limit="2/minute")
    nurse = headers_for(Role.NURSE, rostered.ann)
    feeds = [
        created(limited.post("/api/v1/me/calendar-links", headers=nurse))["url"] for _ in range(2)
    ]
    codes = [limited.get(feeds[0]).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert int(limited.get(feeds[0]).headers["retry-after"]) >= 1
    assert limited.get(feeds[1]).status_code == 200


def test_logs_carry_no_token_and_no_personal_data(
    client: TestClient,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    coordinator: Headers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A working day through the API, with refusals, a conflict and a bad token: no log line
    holds a token, a patient's name or address, or a note."""
    nurse = headers_for(Role.NURSE, rostered.ann)
    secret_name, secret_address = "Ingrid Loggfri", "Hemmelighetsveien 13, Stjørdal"
    with caplog.at_level(logging.DEBUG):
        patient = created(
            client.post(
                "/api/v1/patients",
                json=make_patient(name=secret_name, address=secret_address, notes="Diabetic"),
                headers=coordinator,
            )
        )["id"]
        created(client.post("/api/v1/visits", json=make_visit(patient), headers=coordinator))
        client.delete(f"/api/v1/patients/{patient}", headers=coordinator)  # 409: has a visit
        client.get(f"/api/v1/patients/{patient}", headers=nurse)  # 404: not hers
        client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=nurse)
        client.get("/api/v1/staff", headers={"Authorization": "Bearer not.a.token"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    tokens = [h["Authorization"].split()[1] for h in (nurse, coordinator)]
    for secret in (*tokens, "not.a.token", secret_name, secret_address, "Diabetic"):
        assert secret not in logged


def test_the_rate_limit_is_a_moving_window_per_key() -> None:
    """3/minute: the fourth hit inside a minute is a 429 whose Retry-After is when the oldest
    hit leaves the window; another key counts apart; a minute after a hit it no longer counts,
    and keys idle for a window are forgotten."""
    now = [1000.0]
    limiter = RateLimiter("3/minute", clock=lambda: now[0])
    for t in (1000.0, 1020.0, 1040.0):
        now[0] = t
        limiter.check("ann")
    with pytest.raises(HTTPException) as refused:
        limiter.check("ann")
    assert refused.value.status_code == 429
    assert refused.value.headers == {"Retry-After": "20"}
    limiter.check("bob")
    now[0] = 1060.0  # the hit at 1000 has left the window
    limiter.check("ann")
    now[0] = 1200.0
    limiter._forget_idle(now[0])
    assert limiter._hits == {}
