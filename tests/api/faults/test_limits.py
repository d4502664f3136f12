"""Limits, each a setting: a day too big to plan is refused before anything is queued; the
routes a phone retries are rate-limited per caller with Retry-After."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.models import Plan, Role
from tests.api.builders import Headers
from tests.api.roster import Rostered
from tests.builders import TinyRegion, make_patient, make_staff, make_visit
from tests.replanning.day import solved_plan


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"max_plan_visits": 3, "max_plan_staff": 2, "field_rate_limit": "4/minute"}
    )


def plans_of(db: Engine, day: dt.date) -> int:
    with Session(db) as session:
        return len(session.exec(select(Plan).where(Plan.date == day)).all())


def test_a_day_with_more_visits_than_the_limit_is_refused_before_queueing(
    client: TestClient, db: Engine, region: TinyRegion, coordinator: Headers
) -> None:
    with Session(db) as session:
        make_staff(session, region)
        for _ in range(4):
            make_visit(session, region, make_patient(session, region))
        session.commit()
    answer = client.post(
        "/api/v1/plans", json={"date": region.day.isoformat()}, headers=coordinator
    )
    assert answer.status_code == 422, answer.text
    assert "4 visits" in answer.json()["detail"]
    assert "AMBULANT_MAX_PLAN_VISITS" in answer.json()["detail"]
    assert plans_of(db, region.day) == 0, "nothing was queued"


def test_a_day_with_more_staff_than_the_limit_is_refused_before_queueing(
    client: TestClient, db: Engine, region: TinyRegion, coordinator: Headers
) -> None:
    with Session(db) as session:
        for _ in range(3):
            make_staff(session, region)
        make_visit(session, region, make_patient(session, region))
        session.commit()
    answer = client.post(
        "/api/v1/plans", json={"date": region.day.isoformat()}, headers=coordinator
    )
    assert answer.status_code == 422, answer.text
    assert "AMBULANT_MAX_PLAN_STAFF" in answer.json()["detail"]
    assert plans_of(db, region.day) == 0


@pytest.mark.slow
def test_a_replan_whose_new_visits_pass_the_limit_is_refused_before_queueing(
    client: TestClient, db: Engine, settings: Settings, region: TinyRegion, coordinator: Headers
) -> None:
    with Session(db) as session:
        make_staff(session, region)
        patients = [make_patient(session, region) for _ in range(3)]
        for patient in patients:
            make_visit(session, region, patient)
        session.commit()
        patient_id = patients[0].id
    plan_id = solved_plan(db, settings, day=region.day)
    start = dt.datetime.combine(region.day, dt.time(12, 0), tzinfo=dt.UTC)
    urgent = {
        "patient_id": patient_id,
        "description": "one visit too many",
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=2)).isoformat(),
        "duration_minutes": 30,
    }
    answer = client.post(
        f"/api/v1/plans/{plan_id}/replan", json={"new_visits": [urgent]}, headers=coordinator
    )
    assert answer.status_code == 422, answer.text
    assert "AMBULANT_MAX_PLAN_VISITS" in answer.json()["detail"]
    assert plans_of(db, region.day) == 1, "no replan was queued"


def test_solve_time_limits_are_bounded() -> None:
    for setting in ({"solve_time_limit_s": 7200}, {"replan_time_limit_s": 3600}):
        with pytest.raises(ValidationError):
            Settings(**setting)  # type: ignore[arg-type]


def test_a_phone_retrying_past_the_rate_limit_gets_429_with_retry_after(
    client: TestClient, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """4 a minute here (120 by default), counted per caller: Bob is not slowed by Ann."""
    ann = headers_for(Role.NURSE, rostered.ann)
    bob = headers_for(Role.NURSE, rostered.bob)
    answers = [client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=ann) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert answers[-1].json()["detail"].startswith("too many requests")
    report = client.post(
        "/api/v1/visits/1/status",
        json={"status": "done", "at": "2026-01-01T10:00:00+01:00"},
        headers=ann,
    )
    assert report.status_code == 429, "a status report counts against the same caller"
    assert client.get(f"/api/v1/staff/{rostered.bob}/schedule", headers=bob).status_code == 200
