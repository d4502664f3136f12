"""GET /api/v1/events over a real HTTP server: a nurse's stream carries their own events only."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx2
import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.models import Role
from ambulant.notify import Event, get_broadcaster
from api.main import create_app
from tests.api.builders import Headers
from tests.builders import TinyRegion, make_staff


@pytest.fixture
def server(settings: Settings, region: TinyRegion) -> Iterator[str]:
    """The app served by uvicorn on a free local port (streams need a real connection)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, object]]]:
    kind, data = "", ""
    for line in lines:
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and kind:
            yield kind, json.loads(data)
            kind, data = "", ""


def test_a_nurse_hears_only_their_own_schedule_changes(
    server: str,
    settings: Settings,
    db: Engine,
    region: TinyRegion,
    headers_for: Callable[..., Headers],
) -> None:
    """After 'ready', an event for another nurse is not delivered; the one for this nurse is,
    with an id; without a token the stream is 401."""
    with Session(db) as session:
        nurse = make_staff(session, region).id
        session.commit()
    assert httpx2.get(f"{server}/api/v1/events").status_code == 401
    with (
        httpx2.Client(base_url=server, timeout=10) as client,
        client.stream("GET", "/api/v1/events", headers=headers_for(Role.NURSE, nurse)) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = _events(stream.iter_lines())
        assert next(events)[0] == "ready"
        broadcaster = get_broadcaster(settings)
        broadcaster.publish(Event("schedule_changed", {"staff_id": -1}, staff_ids=frozenset({-1})))
        broadcaster.publish(
            Event("schedule_changed", {"staff_id": nurse}, staff_ids=frozenset({nurse}))
        )
        kind, data = next(events)
        assert (kind, data) == ("schedule_changed", {"staff_id": nurse})
