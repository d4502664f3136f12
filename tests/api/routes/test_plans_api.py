"""/api/v1/plans: ask for a solve (202), follow it, read it, publish it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ambulant.config import Settings
from ambulant.models import Role
from ambulant.timeutil import now
from api.main import create_app
from tests.api.builders import (
    Headers,
    assert_invalid,
    at,
    created,
    make_patient,
    make_shift,
    make_staff,
    make_visit,
)
from tests.builders import DAY, STJORDAL, TinyRegion

URL = "/api/v1/plans"


def test_a_day_without_shifts_cannot_be_planned(client: TestClient, coordinator: Headers) -> None:
    """POST /plans for a day nobody works is 422 on date; no plan is made."""
    assert_invalid(client.post(URL, json={"date": DAY.isoformat()}, headers=coordinator), "date")
    assert client.get(URL, headers=coordinator).json() == []


def test_plan_request_input_names_the_field(client: TestClient, coordinator: Headers) -> None:
    """An unknown scope, a missing or malformed date: 422 naming the field."""
    staff = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    created(client.post("/api/v1/shifts", json=make_shift(staff), headers=coordinator))
    day = DAY.isoformat()
    assert_invalid(
        client.post(URL, json={"date": day, "scope": "9999"}, headers=coordinator), "scope"
    )
    assert_invalid(client.post(URL, json={"scope": "all"}, headers=coordinator), "date")
    assert_invalid(client.post(URL, json={"date": "tomorrow"}, headers=coordinator), "date")


def test_unknown_plan_is_404(client: TestClient, coordinator: Headers) -> None:
    """Reading or publishing a plan that does not exist is 404."""
    assert client.get(f"{URL}/404", headers=coordinator).status_code == 404
    assert client.post(f"{URL}/404/publish", headers=coordinator).status_code == 404


def wait_for(
    client: TestClient, url: str, headers: Headers, timeout_s: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        plan: dict[str, Any] = client.get(url, headers=headers).json()
        if plan["status"] not in ("queued", "solving") or time.monotonic() > deadline:
            return plan
        time.sleep(0.2)


@pytest.mark.slow
def test_plan_solve_publish_and_read_as_nurse(
    client: TestClient, coordinator: Headers, headers_for: Callable[..., Headers]
) -> None:
    """Two nurses and four visits tomorrow: the plan is accepted (202 + Location), solved by a
    worker into a draft with every visit placed, published once (then 409), and each nurse then
    reads their own schedule and the patients on it."""
    day = now().date() + dt.timedelta(days=1)  # tomorrow, so the nurse may open the patients
    nurses = []
    for name in ("Ann", "Bob"):
        staff = created(
            client.post("/api/v1/staff", json=make_staff(name=name), headers=coordinator)
        )["id"]
        shift = make_shift(staff, start_at=at("07:30", day), end_at=at("15:00", day))
        created(client.post("/api/v1/shifts", json=shift, headers=coordinator))
        nurses.append(staff)
    for n in range(4):
        patient = created(
            client.post(
                "/api/v1/patients", json=make_patient(lat=63.46 + 0.01 * n), headers=coordinator
            )
        )["id"]
        visit = make_visit(patient, window_start=at("08:00", day), window_end=at("14:00", day))
        created(client.post("/api/v1/visits", json=visit, headers=coordinator))

    accepted = client.post(
        URL, json={"date": day.isoformat(), "scope": STJORDAL}, headers=coordinator
    )
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["status"] == "queued" and body["version"] == 1
    assert accepted.headers["Location"] == f"/api/v1/plans/{body['id']}"

    plan = wait_for(client, accepted.headers["Location"], coordinator)
    assert plan["status"] == "draft", plan
    assert plan["unassigned"] == []
    placed = [s for r in plan["routes"] for s in r["stops"] if s["kind"] == "visit"]
    assert len(placed) == 4
    listed = client.get(
        URL, params={"date": day.isoformat(), "scope": STJORDAL}, headers=coordinator
    )
    assert [p["id"] for p in listed.json()] == [plan["id"]]

    published = client.post(f"{URL}/{plan['id']}/publish", headers=coordinator)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client.post(f"{URL}/{plan['id']}/publish", headers=coordinator).status_code == 409

    for route in plan["routes"]:
        nurse = headers_for(Role.NURSE, route["staff_id"])
        schedule = client.get(
            f"/api/v1/staff/{route['staff_id']}/schedule",
            params={"date": day.isoformat()},
            headers=nurse,
        )
        assert schedule.status_code == 200, schedule.text
        mine = {s["patient_id"] for s in schedule.json()["stops"] if s["kind"] == "visit"}
        assert mine == {s["patient_id"] for s in route["stops"] if s["kind"] == "visit"}
        for patient in mine:
            assert client.get(f"/api/v1/patients/{patient}", headers=nurse).status_code == 200


def test_a_plan_the_queue_refuses_is_marked_failed(
    settings: Settings, region: TinyRegion, coordinator: Headers
) -> None:
    """With the job queue unreachable (RQ pointed at a closed port), POST /plans is 503 and the
    committed plan is marked failed rather than left queued for ever."""
    settings = settings.model_copy(update={"queue": "rq", "redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(settings)) as client:
        staff = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
        created(client.post("/api/v1/shifts", json=make_shift(staff), headers=coordinator))
        response = client.post(URL, json={"date": DAY.isoformat()}, headers=coordinator)
        assert response.status_code == 503, response.text
        (plan,) = client.get(URL, params={"date": DAY.isoformat()}, headers=coordinator).json()
        assert plan["status"] == "failed"
        assert "queue" in client.get(f"{URL}/{plan['id']}", headers=coordinator).json()["error"]
