"""/api/v1/reports/continuity: per patient, how many staff came over a range of days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import AuditEntry, Role
from tests.api.builders import Headers, assert_invalid
from tests.builders import MERAKER, STJORDAL, TinyRegion
from tests.reports.scenario import Scenario, make_scenario

URL = "/api/v1/reports/continuity"


@pytest.fixture
def scenario(db: Engine, region: TinyRegion) -> Scenario:
    with Session(db, expire_on_commit=False) as session:
        return make_scenario(session, region)


def report_entries(db: Engine) -> list[tuple[str, str | None, int | None, str]]:
    with Session(db) as session:
        rows = session.exec(
            select(AuditEntry)
            .where(AuditEntry.resource_type == "continuity_report")
            .order_by(col(AuditEntry.id))
        ).all()
        return [(str(e.action), e.resource_id, e.patient_id, e.role) for e in rows]


def params(s: Scenario, days: int = 3, **extra: str) -> dict[str, str]:
    end = s.day1 + dt.timedelta(days=days - 1)
    return {"start": s.day1.isoformat(), "end": end.isoformat()} | extra


def test_coordinator_reads_the_report_and_each_patient_is_audited(
    client: TestClient, coordinator: Headers, scenario: Scenario, db: Engine
) -> None:
    """An all-scope coordinator gets every patient with visits, staff counts and the preferred
    share; the read leaves one audit entry per patient in it."""
    response = client.get(URL, params=params(scenario), headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {r["patient_id"]: r for r in body["patients"]}
    assert sorted(rows) == sorted([scenario.ola, scenario.kari, scenario.per])
    assert rows[scenario.ola]["preferred_share"] == 1.0
    assert rows[scenario.kari]["staff"] == [
        {"staff_id": scenario.bob, "visits": 2},
        {"staff_id": scenario.cai, "visits": 1},
    ]
    assert body["days_without_plan"] == [(scenario.day1 + dt.timedelta(days=2)).isoformat()]
    assert body["summary"]["visits"] == 5
    span = f"{params(scenario)['start']}..{params(scenario)['end']}"
    assert sorted(report_entries(db)) == sorted(("read", span, p, "coordinator") for p in rows)


def test_auditor_reads_it_nurse_does_not(
    client: TestClient,
    scenario: Scenario,
    headers_for: Callable[..., Headers],
    db: Engine,
) -> None:
    """An auditor reads every municipality's report; a nurse gets 403 and nothing is logged
    for her."""
    auditor = client.get(URL, params=params(scenario), headers=headers_for(Role.AUDITOR))
    assert auditor.status_code == 200, auditor.text
    assert len(auditor.json()["patients"]) == 3
    nurse = headers_for(Role.NURSE, scenario.ann)
    assert client.get(URL, params=params(scenario), headers=nurse).status_code == 403
    assert {role for *_, role in report_entries(db)} == {"auditor"}


def test_a_coordinator_sees_her_municipalities_only(
    client: TestClient, scenario: Scenario, headers_for: Callable[..., Headers]
) -> None:
    """A Meråker coordinator sees Per only, not the ids of the 'all' plans she cannot open, and
    asking for Stjørdal is 403 on municipality."""
    meraker = headers_for(Role.COORDINATOR, municipalities=[MERAKER])
    body = client.get(URL, params=params(scenario), headers=meraker).json()
    assert [r["patient_id"] for r in body["patients"]] == [scenario.per]
    assert {p["plan_id"] for p in body["plans"]} == {None}
    response = client.get(URL, params=params(scenario, municipality=STJORDAL), headers=meraker)
    assert response.status_code == 403 and response.json()["field"] == "municipality"
    own = client.get(URL, params=params(scenario, municipality=MERAKER), headers=meraker)
    assert [r["patient_id"] for r in own.json()["patients"]] == [scenario.per]


def test_bad_ranges_and_codes_name_the_field(
    client: TestClient, coordinator: Headers, scenario: Scenario
) -> None:
    """No start or a malformed one, an end before the start or more than 62 days after it, an
    unknown municipality: 422 naming the field."""
    day = scenario.day1.isoformat()
    assert_invalid(client.get(URL, params={"end": day}, headers=coordinator), "start")
    assert_invalid(
        client.get(URL, params={"start": "last week", "end": day}, headers=coordinator), "start"
    )
    before = (scenario.day1 - dt.timedelta(days=1)).isoformat()
    assert_invalid(
        client.get(URL, params={"start": day, "end": before}, headers=coordinator), "end"
    )
    too_far = (scenario.day1 + dt.timedelta(days=62)).isoformat()
    response = client.get(URL, params={"start": day, "end": too_far}, headers=coordinator)
    assert "62" in assert_invalid(response, "end")["detail"]
    just = (scenario.day1 + dt.timedelta(days=61)).isoformat()
    assert (
        client.get(URL, params={"start": day, "end": just}, headers=coordinator).status_code == 200
    )
    response = client.get(URL, params=params(scenario, municipality="9999"), headers=coordinator)
    assert_invalid(response, "municipality")
