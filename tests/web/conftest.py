"""One real `ambulant run` (embedded default: SQLite, in-process workers, the demo day planned)
on 127.0.0.1 for the page tests, started once per test process and stopped at its end; and a
way to log in to it through the development issuer's login page, as a browser does."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.test_main_job import free_port, read_until, service_env, start_ambulant_run, stop_group
from tests.web.browser import chromium_path


@dataclass(frozen=True)
class LiveServer:
    base: str
    token: str
    """A coordinator's bearer token (all municipalities), for setting things up."""
    plan_id: int
    database_url: str

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    process = start_ambulant_run(folder, service_env(folder, port, solve_time_limit_s=4))
    try:
        lines = read_until(process, "coordinator token", timeout_s=120)
        token = read_until(process, ".", timeout_s=10)[-1].strip()
        plan_url = next(line.split()[2] for line in lines if "today's plan" in line)
        plan_id = int(plan_url.rstrip("/").rsplit("/", 1)[1])
        env = service_env(folder, port, solve_time_limit_s=4)
        server = LiveServer(f"http://127.0.0.1:{port}", token, plan_id, env["DATABASE_URL"])
        with server.api() as api:
            deadline = time.monotonic() + 90
            while not _answers(api):
                assert time.monotonic() < deadline, "the server did not start in time"
                time.sleep(0.2)
            while api.get(f"/api/v1/plans/{plan_id}").json()["status"] in ("queued", "solving"):
                assert time.monotonic() < deadline, "the demo day was not planned in time"
                time.sleep(0.5)
            # Nurses read published days only.
            published = api.post(f"/api/v1/plans/{plan_id}/publish")
            assert published.status_code == 200, published.text
        yield server
    finally:
        stop_group(process)


def _answers(api: httpx.Client) -> bool:
    try:
        return api.get("/api/v1/health").status_code == 200
    except httpx.TransportError:
        return False


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class Login:
    """Logs HTTP clients in through the whole code flow with PKCE, as `pick` on the development
    issuer's page ("coordinator:all", "coordinator:5035", "nurse:7", "admin"); closes them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opened: list[httpx.Client] = []

    def __call__(self, pick: str, next_path: str = "/") -> httpx.Client:
        return self.landing(pick, next_path)[0]

    def landing(self, pick: str, next_path: str = "/") -> tuple[httpx.Client, str]:
        """The client, and where the server sent the browser after the login."""
        client, landed = dev_login(self.base, pick, next_path)
        self.opened.append(client)
        return client, landed


@pytest.fixture
def login(live_server: LiveServer) -> Iterator[Login]:
    logins = Login(live_server.base)
    yield logins
    for client in logins.opened:
        client.close()


def dev_login(base: str, pick: str, next_path: str = "/") -> tuple[httpx.Client, str]:
    """A client logged in as `pick`, and where the server sent it after the login."""
    client = httpx.Client(base_url=base, timeout=30)
    start = client.get("/login", params={"next": next_path})
    assert start.status_code == 303, start.text
    page = client.get(start.headers["location"])
    assert page.status_code == 200, page.text
    form = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
        )
    }
    picked = client.post("/dev-issuer/authorize", data=form | {"pick": pick})
    assert picked.status_code == 303, picked.text
    back = client.get(picked.headers["location"])
    assert back.status_code == 303, back.text
    return client, back.headers["location"]


def csrf_of(page_html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page_html)
    assert match is not None, "the page carries no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()
