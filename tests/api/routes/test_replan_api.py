"""/api/v1: visit status from nurses, replans and recommendations for coordinators, ETags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.models import Plan, PlanStop, Role
from ambulant.replanning.diff import plan_diff
from ambulant.timeutil import OSLO, now
from api.routes import replan as replan_routes
from tests.api.builders import Headers
from tests.builders import TinyRegion, make_patient, make_staff, make_visit
from tests.replanning.day import at, solved_plan

URL = "/api/v1/plans"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Quick replans, and room for the replan worker's first start."""
    return settings.model_copy(
        update={"solve_time_limit_s": 0.5, "replan_time_limit_s": 0.5, "replan_wait_s": 60.0}
    )


@pytest.fixture
def published(db: Engine, settings: Settings, region: TinyRegion) -> int:
    """Three nurses, seven visits, solved and published; returns the plan id."""
    with Session(db, expire_on_commit=False) as session:
        for _ in range(3):
            make_staff(session, region)
        for i in range(7):
            start = dt.time(8 + i % 4, 0)
            make_visit(
                session,
                region,
                make_patient(session, region),
                start=start,
                end=dt.time(start.hour + 2, 0),
            )
        session.commit()
    return solved_plan(db, settings, day=region.day)


def _stops(db: Engine, plan_id: int) -> list[PlanStop]:
    with Session(db) as session:
        return list(
            session.exec(
                select(PlanStop).where(
                    PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None)
                )
            )
        )


def _urgent(region: TinyRegion) -> dict[str, Any]:
    return {
        "patient_id": region.patients[2].id,
        "description": "Palliative patient in pain",
        "window_start": at("11:00").isoformat(),
        "window_end": at("13:30").isoformat(),
        "duration_minutes": 30,
        "skills": ["medication"],
        "priority": "urgent",
    }


def _schedule(client: TestClient, staff_id: int, headers: Headers, etag: str | None = None) -> Any:
    extra = {"If-None-Match": etag} if etag else {}
    return client.get(
        f"/api/v1/staff/{staff_id}/schedule",
        params={"date": at("08:00").date().isoformat()},
        headers=headers | extra,
    )


@pytest.mark.slow
def test_replan_publish_changes_exactly_the_affected_schedules(
    client: TestClient,
    db: Engine,
    region: TinyRegion,
    published: int,
    coordinator: Headers,
    headers_for: Callable[..., Headers],
) -> None:
    """A replan with an urgent visit answers 201 with the new version and its diff, publishes it
    (publish: true), and afterwards the ETag of each affected nurse's schedule has changed while
    every other nurse still gets 304; replanning version 1 again is a 409 naming version 2."""
    nurses = sorted({s.staff_id for s in _stops(db, published)})
    etags = {}
    for staff_id in nurses:
        first = _schedule(client, staff_id, headers_for(Role.NURSE, staff_id))
        assert first.status_code == 200, first.text
        etags[staff_id] = first.headers["ETag"]
        again = _schedule(client, staff_id, headers_for(Role.NURSE, staff_id), etags[staff_id])
        assert again.status_code == 304

    body = {"at": at("10:15").isoformat(), "new_visits": [_urgent(region)], "publish": True}
    answer = client.post(
        f"{URL}/{published}/replan", json=body, headers=coordinator | {"If-Match": '"1"'}
    )
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["plan"]["version"] == 2 and result["published"] is True
    assert result["plan"]["status"] == "published"
    diff = result["diff"]
    assert diff["added_visits"] == 1 and diff["unassigned"] == []
    affected = set(diff["affected_staff_ids"])
    assert affected
    for staff_id in nurses:
        response = _schedule(client, staff_id, headers_for(Role.NURSE, staff_id), etags[staff_id])
        assert response.status_code == (200 if staff_id in affected else 304), staff_id

    stale = client.post(
        f"{URL}/{published}/replan", json={}, headers=coordinator | {"If-Match": '"1"'}
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["current_plan_id"] == result["plan"]["id"]
    read = client.get(f"{URL}/{result['plan']['id']}/diff", headers=coordinator)
    assert read.status_code == 200 and read.json()["added_visits"] == 1


def test_a_nurse_reports_status_once_per_key_and_only_for_own_visits(
    client: TestClient,
    db: Engine,
    region: TinyRegion,
    published: int,
    headers_for: Callable[..., Headers],
) -> None:
    """201 then 200 with the same report for a retried key; 403 for a nurse the visit is not
    on (whether the plan shares the day or gives it to one nurse)."""
    mine = _stops(db, published)[0]
    nurse = headers_for(Role.NURSE, mine.staff_id)
    stranger = next(s.id for s in region.staff if s.id != mine.staff_id)
    body = {
        "status": "done",
        "at": (now() - dt.timedelta(minutes=1)).isoformat(),
        "lat": 63.47,
        "lon": 10.92,
    }
    refused = client.post(
        f"/api/v1/visits/{mine.visit_id}/status",
        json=body,
        headers=headers_for(Role.NURSE, stranger, subject="stranger"),
    )
    assert refused.status_code == 403
    first = client.post(
        f"/api/v1/visits/{mine.visit_id}/status",
        json=body,
        headers=nurse | {"Idempotency-Key": "a1"},
    )
    again = client.post(
        f"/api/v1/visits/{mine.visit_id}/status",
        json=body,
        headers=nurse | {"Idempotency-Key": "a1"},
    )
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json()["id"] == again.json()["id"] and first.json()["staff_id"] == mine.staff_id
    bad = client.post(
        f"/api/v1/visits/{mine.visit_id}/status", json=body | {"status": "lost"}, headers=nurse
    )
    assert bad.status_code == 422 and bad.json()["field"] == "status"


def test_only_planners_replan_or_ask_for_recommendations(
    client: TestClient, region: TinyRegion, published: int, headers_for: Callable[..., Headers]
) -> None:
    """A nurse gets 403 from replan, recommendations, state and diff."""
    nurse = headers_for(Role.NURSE, region.staff[0].id)
    assert client.post(f"{URL}/{published}/replan", json={}, headers=nurse).status_code == 403
    ask = _urgent(region) | {"k": 2}
    assert (
        client.post(f"{URL}/{published}/recommendations", json=ask, headers=nurse).status_code
        == 403
    )
    assert client.get(f"{URL}/{published}/state", headers=nurse).status_code == 403


def test_recommendations_answer_options_and_store_nothing(
    client: TestClient, db: Engine, region: TinyRegion, published: int, coordinator: Headers
) -> None:
    """Two options, ranked, naming staff; the visit asked about is not stored."""
    before = client.get("/api/v1/visits", headers=coordinator).json()["total"]
    ask = _urgent(region) | {"k": 2, "at": at("10:15").isoformat()}
    answer = client.post(f"{URL}/{published}/recommendations", json=ask, headers=coordinator)
    assert answer.status_code == 200, answer.text
    options = answer.json()["options"]
    assert [o["rank"] for o in options] == [1, 2] and options[0]["feasible"]
    assert options[0]["staff_names"][0].startswith("Nurse")
    assert client.get("/api/v1/visits", headers=coordinator).json()["total"] == before
    bad = client.post(
        f"{URL}/{published}/recommendations", json=ask | {"k": 0}, headers=coordinator
    )
    assert bad.status_code == 422 and bad.json()["field"] == "k"


def test_the_state_of_a_plan_says_what_is_done_and_where_staff_are(
    client: TestClient, db: Engine, published: int, coordinator: Headers
) -> None:
    """At 10:15 with no reports, visits that started are presumed; each nurse out today has a
    time they are free."""
    state = client.get(
        f"{URL}/{published}/state", params={"at": at("10:15").isoformat()}, headers=coordinator
    )
    assert state.status_code == 200, state.text
    body = state.json()
    assert {v["source"] for v in body["visits"].values()} <= {"presumed", "planned"}
    assert any(v["frozen"] for v in body["visits"].values())
    assert set(body["staff"]) == {str(s.staff_id) for s in _stops(db, published)}
    assert all(s["available_from"] >= at("10:15").isoformat() for s in body["staff"].values())


def test_a_coordinator_of_another_scope_cannot_see_the_plan_to_replan(
    client: TestClient, region: TinyRegion, published: int, headers_for: Callable[..., Headers]
) -> None:
    """The plan covers every municipality; a Meråker coordinator gets 404, as for no plan."""
    local = headers_for(Role.COORDINATOR, municipalities=["5034"])
    assert client.post(f"{URL}/{published}/replan", json={}, headers=local).status_code == 404
    ask = _urgent(region) | {"k": 1}
    response = client.post(f"{URL}/{published}/recommendations", json=ask, headers=local)
    assert response.status_code == 404


def test_an_option_that_drops_a_far_visit_says_it_saves_driving(
    client: TestClient, db: Engine, settings: Settings, region: TinyRegion, coordinator: Headers
) -> None:
    """One nurse spends the morning on a visit some 80 km away; an urgent visit by the base at
    the same time fits only by dropping it. The option's added travel is negative, and its
    summary says how much driving it saves, not "+-147 min"."""
    with Session(db, expire_on_commit=False) as session:
        nurse = make_staff(session, region, name="Ann")
        far = make_patient(session, region, lat=64.0, lon=10.92)
        far_visit = make_visit(session, region, far, start=dt.time(9), end=dt.time(10, 30))
        near = make_patient(session, region)
        session.commit()
    plan_id = solved_plan(db, settings, day=region.day)
    ask = {
        "patient_id": near.id,
        "description": "Fall, needs a look",
        "window_start": at("09:00").isoformat(),
        "window_end": at("10:00").isoformat(),
        "duration_minutes": 30,
        "skills": ["medication"],
        "priority": "urgent",
        "k": 1,
        "at": at("07:00").isoformat(),
    }
    answer = client.post(f"{URL}/{plan_id}/recommendations", json=ask, headers=coordinator)
    assert answer.status_code == 200, answer.text
    (option,) = answer.json()["options"]
    assert option["feasible"] and option["dropped_visit_ids"] == [far_visit.id]
    assert option["staff_ids"] == [nurse.id]
    saved_min = round(-option["added_travel_s"] / 60)
    assert saved_min > 100, option
    start = dt.datetime.fromisoformat(option["start_at"]).astimezone(OSLO)
    assert option["summary"] == (
        f"Ann at {start:%H:%M}, saves {saved_min} min drive, 0 shifted, drops visit {far_visit.id}"
    )
    assert "+-" not in option["summary"]


@pytest.mark.slow
def test_a_replan_computes_its_diff_once_in_the_worker(
    client: TestClient,
    db: Engine,
    region: TinyRegion,
    published: int,
    coordinator: Headers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker that solves a replan computes its diff and stores it with the plan; the API
    answers the replan and GET /diff from the stored one and computes none itself. A counting
    wrapper around the real diff function (it still runs) counts the API process's calls."""
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return plan_diff(*args, **kwargs)

    monkeypatch.setattr(replan_routes, "plan_diff", counted)
    body = {"at": at("10:15").isoformat(), "new_visits": [_urgent(region)]}
    answer = client.post(f"{URL}/{published}/replan", json=body, headers=coordinator)
    assert answer.status_code == 201, answer.text
    result = answer.json()
    new_id = result["plan"]["id"]
    with Session(db) as session:
        stored = session.get(Plan, new_id)
        assert stored is not None and stored.diff is not None
        assert result["diff"] == stored.diff
        assert stored.diff == plan_diff(session, plan_id=new_id).model_dump(mode="json")
    assert result["diff"]["added_visits"] == 1
    read = client.get(f"{URL}/{new_id}/diff", headers=coordinator)
    assert read.status_code == 200 and read.json() == result["diff"]
    assert calls == []
    # Against another plan than the base there is nothing stored: that one is computed.
    against = client.get(f"{URL}/{new_id}/diff?against={published}", headers=coordinator)
    assert against.status_code == 200 and calls == [1]
