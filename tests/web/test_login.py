"""Logging in to the pages through the server: the code flow with PKCE, the session cookie,
CSRF on every change, logout, and who may open which page. Against a real `ambulant run`."""

from __future__ import annotations

import hashlib
import re

import httpx
from sqlalchemy import create_engine
from sqlmodel import Session, select

from ambulant.auth.dev_issuer import s256
from ambulant.models import WebSession
from tests.web.conftest import LiveServer, Login, csrf_of


def _staff_ids(server: LiveServer) -> list[int]:
    """Staff with a route in the demo day's published plan."""
    with server.api() as api:
        routes = api.get(f"/api/v1/plans/{server.plan_id}").json()["routes"]
    return [r["staff_id"] for r in routes if r["stops"]]


def test_a_coordinator_logs_in_through_the_code_flow_and_gets_only_a_session_cookie(
    live_server: LiveServer, login: Login
) -> None:
    """/board sends an anonymous browser to /login, which goes to the issuer with an S256 PKCE
    challenge; back on /login/callback the server sets one HttpOnly, SameSite=Lax cookie and
    sends the coordinator to the board, which carries the session's CSRF token."""
    anonymous = httpx.get(f"{live_server.base}/board")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=%2Fboard"
    start = httpx.get(f"{live_server.base}/login", params={"next": "/board"})
    authorize = start.headers["location"]
    assert "code_challenge_method=S256" in authorize and "code_challenge=" in authorize
    assert "code_verifier" not in authorize  # the verifier never leaves the server

    client = login("coordinator:all", next_path="/board")
    cookie = next(c for c in client.cookies.jar if c.name == "ambulant_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "lax"
    board = client.get("/board")
    assert board.status_code == 200 and 'lang="nb"' in board.text
    assert "script-src 'self'" in board.headers["content-security-policy"]
    assert "unsafe-inline" not in board.headers["content-security-policy"]
    assert len(csrf_of(board.text)) >= 32
    plans = client.get("/api/v1/plans")
    assert plans.status_code == 200 and any(p["id"] == live_server.plan_id for p in plans.json())


def test_the_session_cookie_is_stored_only_as_its_hash(
    live_server: LiveServer, login: Login
) -> None:
    client = login("coordinator:all")
    secret = client.cookies["ambulant_session"]
    engine = create_engine(live_server.database_url)
    with Session(engine) as session:
        rows = session.exec(select(WebSession)).all()
    engine.dispose()
    assert all(secret not in (r.secret_hash, r.csrf_token) for r in rows)
    assert hashlib.sha256(secret.encode()).hexdigest() in {r.secret_hash for r in rows}


def test_a_change_through_the_session_needs_the_csrf_token(
    live_server: LiveServer, login: Login
) -> None:
    """The cookie alone (which another site's form would carry) changes nothing: 403 naming
    X-CSRF-Token; with the page's token the same request goes through."""
    client = login("coordinator:all")
    csrf = csrf_of(client.get("/board").text)
    plan = client.get(f"/api/v1/plans/{live_server.plan_id}").json()
    body = {"date": plan["date"]}
    refused = client.post("/api/v1/plans", json=body)
    assert refused.status_code == 403 and refused.json()["field"] == "X-CSRF-Token"
    wrong = client.post("/api/v1/plans", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    accepted = client.post("/api/v1/plans", json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 202, accepted.text


def test_logout_ends_the_session_on_the_server(live_server: LiveServer, login: Login) -> None:
    client = login("coordinator:all")
    csrf = csrf_of(client.get("/board").text)
    old = client.cookies["ambulant_session"]
    bad = client.post("/logout", data={"csrf": "nope"})
    assert bad.status_code == 403
    out = client.post("/logout", data={"csrf": csrf})
    assert out.status_code == 303
    replay = httpx.get(f"{live_server.base}/api/v1/plans", cookies={"ambulant_session": old})
    assert replay.status_code == 401
    again = httpx.get(f"{live_server.base}/board", cookies={"ambulant_session": old})
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_a_nurse_opens_her_day_but_not_the_board_nor_another_nurses_schedule(
    live_server: LiveServer, login: Login
) -> None:
    mine, other = _staff_ids(live_server)[:2]
    nurse = login(f"nurse:{mine}")
    page = nurse.get("/me")
    assert page.status_code == 200 and f'data-staff-id="{mine}"' in page.text
    assert nurse.get("/board").status_code == 403
    assert nurse.get("/api/v1/plans").status_code == 403
    assert nurse.get(f"/api/v1/staff/{mine}/schedule").status_code == 200
    assert nurse.get(f"/api/v1/staff/{other}/schedule").status_code in (403, 404)
    coordinator = login("coordinator:all")
    assert coordinator.get("/me").status_code == 403


def test_the_issuer_refuses_a_wrong_pkce_verifier_and_a_used_code(
    live_server: LiveServer, login: Login
) -> None:
    """The token endpoint gives a token only for the verifier whose S256 hash was the challenge,
    and only once per code (RFC 7636, RFC 6749 §4.1.2)."""
    base = live_server.base
    verifier = "v" * 64
    redirect = f"{base}/login/callback"
    client = httpx.Client(base_url=base, timeout=30)
    login.opened.append(client)
    page = client.get(
        "/dev-issuer/authorize",
        params={
            "response_type": "code",
            "client_id": "ambulant-web",
            "redirect_uri": redirect,
            "state": "s" * 30,
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        },
    )
    assert page.status_code == 200
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    picked = client.post("/dev-issuer/authorize", data=form | {"pick": "admin"})
    code = re.search(r"code=([^&]+)", picked.headers["location"]).group(1)  # type: ignore[union-attr]
    token = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "client_id": "ambulant-web",
    }
    wrong = client.post("/dev-issuer/token", data=token | {"code_verifier": "w" * 64})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The failed attempt used the code up: a code is good for one exchange, right or wrong.
    right = client.post("/dev-issuer/token", data=token | {"code_verifier": verifier})
    assert right.status_code == 400 and right.json()["error"] == "invalid_grant"


def test_a_login_sends_back_only_to_a_page_of_this_site(
    live_server: LiveServer, login: Login
) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        _, landed = login.landing("coordinator:all", next_path=target)
        assert landed == "/board", target  # a coordinator's home, not the other site
    _, landed = login.landing("coordinator:all", next_path="/board?x=1")
    assert landed == "/board?x=1"
    unknown = httpx.get(f"{live_server.base}/login/callback", params={"code": "x", "state": "y"})
    assert unknown.status_code == 400 and "log in again" in unknown.text
