"""What a phone in the field does to status reports: sends one twice, sends them out of order,
has a wrong clock. Each is stored once or refused whole, and the day's state is right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.models import Plan, PlanStatus, Role, StaffPosition, VisitRequest, VisitStatusReport
from ambulant.timeutil import day_origin, now
from tests.api.builders import Headers
from tests.api.roster import Rostered


def annes_visit(db: Engine, rostered: Rostered) -> int:
    with Session(db) as session:
        visit = session.exec(
            select(VisitRequest).where(
                VisitRequest.patient_id == rostered.ann_today, VisitRequest.date == rostered.today
            )
        ).one()
        assert visit.id is not None
        return visit.id


def minutes_ago(rostered: Rostered, minutes: int) -> dt.datetime:
    """`minutes` before now, but never before today began (a run just after midnight)."""
    start = day_origin(rostered.today) + dt.timedelta(seconds=minutes)
    return max(now() - dt.timedelta(minutes=minutes), start)


def stored(db: Engine) -> tuple[int, int]:
    with Session(db) as session:
        return (
            len(session.exec(select(VisitStatusReport)).all()),
            len(session.exec(select(StaffPosition)).all()),
        )


@pytest.fixture
def nurse(rostered: Rostered, headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.NURSE, rostered.ann)


def test_the_same_report_twice_is_applied_once(
    client: TestClient, db: Engine, rostered: Rostered, nurse: Headers
) -> None:
    url = f"/api/v1/visits/{annes_visit(db, rostered)}/status"
    body = {
        "status": "started",
        "at": minutes_ago(rostered, 5).isoformat(),
        "lat": 63.4,
        "lon": 10.9,
    }
    first = client.post(url, json=body, headers=nurse | {"Idempotency-Key": "twice"})
    again = client.post(url, json=body, headers=nurse | {"Idempotency-Key": "twice"})
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert again.json() == first.json()
    assert stored(db) == (1, 1)
    other = client.post(
        url, json=body | {"status": "done"}, headers=nurse | {"Idempotency-Key": "twice"}
    )
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    assert stored(db) == (1, 1)


def test_a_done_arriving_before_its_started_gives_the_right_state(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    nurse: Headers,
    coordinator: Headers,
) -> None:
    """The phone was offline: "done" reaches the server first, "started" after it. The day's
    state reads reports by when they happened, so the visit is done, from started to done."""
    visit_id = annes_visit(db, rostered)
    url = f"/api/v1/visits/{visit_id}/status"
    started, done = minutes_ago(rostered, 40), minutes_ago(rostered, 5)
    assert (
        client.post(url, json={"status": "done", "at": done.isoformat()}, headers=nurse).status_code
        == 201
    )
    assert (
        client.post(
            url, json={"status": "started", "at": started.isoformat()}, headers=nurse
        ).status_code
        == 201
    )
    with Session(db) as session:
        plan = session.exec(
            select(Plan).where(Plan.date == rostered.today, Plan.status == PlanStatus.PUBLISHED)
        ).one()
    state = client.get(f"/api/v1/plans/{plan.id}/state", headers=coordinator)
    assert state.status_code == 200, state.text
    visit = state.json()["visits"][str(visit_id)]
    assert visit["status"] == "done" and visit["source"] == "reported"
    assert dt.datetime.fromisoformat(visit["start_at"]) == started
    assert dt.datetime.fromisoformat(visit["end_at"]) == done
    assert visit_id in state.json()["staff"][str(rostered.ann)]["done_visit_ids"]


def test_a_phone_clock_in_the_future_beyond_the_skew_is_refused(
    client: TestClient, db: Engine, rostered: Rostered, nurse: Headers
) -> None:
    """The skew allowed is status_clock_skew_s (10 minutes): 5 minutes ahead is believed, an
    hour ahead is a wrong clock (422 naming `at`), and nothing of it is stored."""
    url = f"/api/v1/visits/{annes_visit(db, rostered)}/status"
    ahead = client.post(
        url,
        json={
            "status": "en_route",
            "at": (now() + dt.timedelta(hours=1)).isoformat(),
            "lat": 63.4,
            "lon": 10.9,
        },
        headers=nurse,
    )
    assert ahead.status_code == 422 and ahead.json()["field"] == "at"
    assert "clock" in ahead.json()["detail"]
    assert stored(db) == (0, 0)
    slightly = client.post(
        url,
        json={"status": "en_route", "at": (now() + dt.timedelta(minutes=5)).isoformat()},
        headers=nurse,
    )
    assert slightly.status_code == 201, slightly.text


def test_a_phone_clock_in_the_past_before_the_visits_day_is_refused(
    client: TestClient, db: Engine, rostered: Rostered, nurse: Headers
) -> None:
    """A report may come late (a phone offline all morning), and a night visit's drive may start
    the evening before, but a clock reset to 1970 or left days behind is refused; the evening
    before and earlier today are stored, and a cancellation may be known any time before."""
    url = f"/api/v1/visits/{annes_visit(db, rostered)}/status"
    day_before = day_origin(rostered.today - dt.timedelta(days=1))
    for wrong in (dt.datetime(1970, 1, 1, tzinfo=dt.UTC), day_before - dt.timedelta(minutes=1)):
        refused = client.post(url, json={"status": "done", "at": wrong.isoformat()}, headers=nurse)
        assert refused.status_code == 422 and refused.json()["field"] == "at", refused.text
    assert stored(db) == (0, 0)
    for status, when in (
        ("en_route", day_before + dt.timedelta(hours=23)),
        ("done", day_origin(rostered.today)),
    ):
        taken = client.post(url, json={"status": status, "at": when.isoformat()}, headers=nurse)
        assert taken.status_code == 201, taken.text
    cancelled = client.post(
        url,
        json={"status": "cancelled", "at": (day_before - dt.timedelta(days=3)).isoformat()},
        headers=nurse,
    )
    assert cancelled.status_code == 201, cancelled.text
    assert stored(db) == (3, 0)
