"""POST /api/v1/care-plans/generate, and the generation every plan request runs for its day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.models import AuditEntry, Role, VisitRequest
from ambulant.timeutil import today
from api.main import create_app
from tests.api.builders import (
    Headers,
    assert_invalid,
    at,
    created,
    make_care_plan,
    make_patient,
    make_shift,
    make_staff,
)
from tests.builders import MERAKER, STJORDAL, TinyRegion

URL = "/api/v1/care-plans/generate"
TWICE_A_DAY = {"weekdays": None, "recurrence": "FREQ=DAILY;BYHOUR=8,20"}


def next_week() -> dt.date:
    """A day ahead of whatever the clock says, so no window of it has begun."""
    return today() + dt.timedelta(days=7)


def add_care_plan(client: TestClient, headers: Headers) -> int:
    patient = created(client.post("/api/v1/patients", json=make_patient(), headers=headers))
    body = make_care_plan(patient["id"], **TWICE_A_DAY)
    created(client.post("/api/v1/care-plans", json=body, headers=headers))
    return int(patient["id"])


def generated_visits(db: Engine) -> list[tuple[dt.date, str]]:
    with Session(db) as session:
        visits = session.exec(select(VisitRequest).order_by(VisitRequest.window_start)).all()
        return [(v.date, f"{v.window_start:%H:%M}") for v in visits]


def test_generate_is_idempotent_and_audited(
    client: TestClient, coordinator: Headers, db: Engine
) -> None:
    """Three days of a twice-a-day plan: six created, then six unchanged; each run leaves an
    audit entry for the patient whose visits it made."""
    patient = add_care_plan(client, coordinator)
    first = next_week()
    body = {"from": first.isoformat(), "to": (first + dt.timedelta(days=2)).isoformat()}
    response = client.post(URL, json=body, headers=coordinator)
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 6, "updated": 0, "removed": 0, "unchanged": 0, "kept": 0}
    again = client.post(URL, json=body, headers=coordinator).json()
    assert again == {"created": 0, "updated": 0, "removed": 0, "unchanged": 6, "kept": 0}
    assert [t for _, t in generated_visits(db)] == ["08:00", "20:00"] * 3
    with Session(db) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.resource_type == "care_plan_generation")
        ).all()
    assert [(e.patient_id, e.action) for e in entries] == [(patient, "update"), (None, "update")]


def test_generate_refuses_bad_input_and_other_roles(
    client: TestClient, coordinator: Headers, headers_for: Callable[..., Headers]
) -> None:
    """A range running backwards or too long names `to`, an unknown scope `scope`; a nurse and
    an admin are 403 (coordinators only), and so is a Meråker coordinator asking for Stjørdal."""
    day = next_week().isoformat()
    backwards = {"from": day, "to": (next_week() - dt.timedelta(days=1)).isoformat()}
    assert_invalid(client.post(URL, json=backwards, headers=coordinator), "to")
    too_long = {"from": day, "to": (next_week() + dt.timedelta(days=100)).isoformat()}
    assert_invalid(client.post(URL, json=too_long, headers=coordinator), "to")
    unknown = {"from": day, "to": day, "scope": "9999"}
    assert_invalid(client.post(URL, json=unknown, headers=coordinator), "scope")
    assert_invalid(client.post(URL, json={"from": day}, headers=coordinator), "to")
    body = {"from": day, "to": day}
    staff = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    for role in (Role.NURSE, Role.ADMIN):
        headers = headers_for(role, staff if role == Role.NURSE else None)
        assert client.post(URL, json=body, headers=headers).status_code == 403, role
    meraker = headers_for(Role.COORDINATOR, municipalities=[MERAKER], subject="meraker")
    response = client.post(URL, json=body | {"scope": STJORDAL}, headers=meraker)
    assert response.status_code == 403, response.text


@pytest.fixture
def queued_client(settings: Settings, region: TinyRegion, redis_url: str) -> Iterator[TestClient]:
    """The app with the RQ queue and no worker: a plan request answers and waits, unsolved."""
    settings = settings.model_copy(update={"queue": "rq", "redis_url": redis_url})
    with TestClient(create_app(settings)) as client:
        yield client
    redis.Redis.from_url(redis_url).flushdb()


def test_a_plan_request_generates_its_day_unless_told_not_to(
    queued_client: TestClient, coordinator: Headers, db: Engine
) -> None:
    """POST /plans for a day first makes that day's visits from the care plans (two) and says
    so; with generate_from_care_plans false the next day's visits are left unmade."""
    client = queued_client
    add_care_plan(client, coordinator)
    staff = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    day, later = next_week(), next_week() + dt.timedelta(days=1)
    for d in (day, later):
        shift = make_shift(staff, start_at=at("07:30", d), end_at=at("21:30", d))
        created(client.post("/api/v1/shifts", json=shift, headers=coordinator))
    response = client.post("/api/v1/plans", json={"date": day.isoformat()}, headers=coordinator)
    assert response.status_code == 202, response.text
    assert response.json()["care_plans"] == {
        "created": 2,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "kept": 0,
    }
    opted_out = {"date": later.isoformat(), "generate_from_care_plans": False}
    response = client.post("/api/v1/plans", json=opted_out, headers=coordinator)
    assert response.status_code == 202, response.text
    assert response.json()["care_plans"] is None
    assert generated_visits(db) == [(day, "08:00"), (day, "20:00")]
