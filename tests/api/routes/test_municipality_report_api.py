"""/api/v1/reports/municipalities: the cost-sharing figures over a range of published plans, as
JSON and CSV, scoped to the caller's municipalities and audited; and `cost_sharing` in a plan."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import AuditEntry, PlanStatus, Role
from tests.api.builders import Headers, assert_invalid
from tests.builders import MERAKER, STJORDAL, TinyRegion
from tests.planning.hand_plan import HandDay, make_hand_day, plan_hand_day

URL = "/api/v1/reports/municipalities"


@pytest.fixture
def day(db: Engine, region: TinyRegion) -> tuple[HandDay, int]:
    """The hand-made day published (and, beside it, a draft and a superseded plan of the same
    day, which must not count). Returns the day and the published plan's id."""
    with Session(db, expire_on_commit=False) as session:
        d = make_hand_day(session, region)
        plan_hand_day(session, d, status=PlanStatus.SUPERSEDED, minutes_ago=60)
        published = plan_hand_day(session, d, minutes_ago=30)
        plan_hand_day(session, d, status=PlanStatus.DRAFT, minutes_ago=5)
        session.commit()
        return d, published


def span(d: HandDay, days: int = 2, **extra: str) -> dict[str, str]:
    end = d.region.day + dt.timedelta(days=days - 1)
    return {"from": d.region.day.isoformat(), "to": end.isoformat()} | extra


def entries(db: Engine) -> list[tuple[str | None, int | None, str]]:
    with Session(db) as session:
        rows = session.exec(
            select(AuditEntry)
            .where(AuditEntry.resource_type == "municipality_report")
            .order_by(col(AuditEntry.id))
        ).all()
        return [(e.resource_id, e.patient_id, e.role) for e in rows]


def test_the_range_counts_the_published_plan_once_and_is_audited(
    client: TestClient, coordinator: Headers, day: tuple[HandDay, int], db: Engine
) -> None:
    """Only the published plan counts (not the draft or the superseded one): the figures equal
    the one plan's; the day after has no published plan; one audit entry, no patient."""
    d, published = day
    response = client.get(URL, params=span(d), headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == (span(d)["from"], span(d)["to"])
    assert body["days_without_published_plan"] == [span(d)["to"]]
    assert [p["plan_id"] for p in body["plans"]] == [published]
    meraker, stjordal, total = body["municipalities"]
    assert (meraker["municipality_code"], meraker["visits"], meraker["drive_s"]) == (
        MERAKER,
        2,
        5_400,
    )
    assert (stjordal["visits"], stjordal["overtime_s"], stjordal["unassigned_visits"]) == (
        1,
        900,
        1,
    )
    assert (total["municipality_name"], total["visits"], total["service_s"]) == ("Total", 3, 8_100)
    [crossing] = body["border_crossings"]
    assert (crossing["from_code"], crossing["to_code"], crossing["visit_parts"]) == (
        STJORDAL,
        MERAKER,
        2,
    )
    assert [s["service_s"] for s in body["shared_team_by_municipality"]] == [3_600, 3_600]
    home_care, team, _ = body["organisations"]
    assert (home_care["visits"], home_care["service_s"]) == (2, 4_500)
    assert (team["visits"], team["service_s"]) == (1, 3_600)

    plan = client.get(f"/api/v1/plans/{published}", headers=coordinator).json()
    assert plan["cost_sharing"]["border_crossings"] == body["border_crossings"]
    workload = plan["workload"]
    assert (workload["staff_working"], workload["spread_min"], workload["max_min"]) == (2, 0, 420)
    assert entries(db) == [(f"{span(d)['from']}..{span(d)['to']}", None, "coordinator")]


def test_csv_by_accept_or_format(
    client: TestClient, coordinator: Headers, day: tuple[HandDay, int]
) -> None:
    """`Accept: text/csv` and `format=csv` give the same table; its rows carry the JSON's
    figures, rounded, under a `section` column."""
    d, _ = day
    by_accept = client.get(URL, params=span(d), headers=coordinator | {"Accept": "text/csv"})
    by_format = client.get(URL, params=span(d, format="csv"), headers=coordinator)
    for response in (by_accept, by_format):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
    assert by_accept.text == by_format.text
    rows = list(csv.DictReader(io.StringIO(by_format.text)))
    sections = [(r["section"], r["code"], r["to_code"]) for r in rows]
    assert sections[:4] == [
        ("municipality", MERAKER, ""),
        ("municipality", STJORDAL, ""),
        ("municipality", "all", ""),
        ("border_crossing", STJORDAL, MERAKER),
    ]
    meraker = rows[0]
    assert (meraker["visits"], meraker["hours_with_patients"], meraker["km"]) == (
        "2",
        "1.75",
        "82.0",
    )
    assert rows[1]["overtime_hours"] == "0.25"
    assert rows[3]["visit_parts"] == "2" and rows[3]["visits"] == ""
    assert {r["section"] for r in rows} == {
        "municipality",
        "border_crossing",
        "shared_team",
        "organisation",
    }


def test_a_coordinator_sees_her_municipalities_only(
    client: TestClient, day: tuple[HandDay, int], headers_for: Callable[..., Headers]
) -> None:
    """A Meråker coordinator gets Meråker's row and a total of it, the crossing into Meråker,
    the shared team's work there, and the organisations' visits there; a nurse gets 403."""
    d, _ = day
    local = headers_for(Role.COORDINATOR, municipalities=[MERAKER], subject="meraker")
    body = client.get(URL, params=span(d), headers=local).json()
    assert [r["municipality_code"] for r in body["municipalities"]] == [MERAKER, "all"]
    assert body["municipalities"][1]["drive_s"] == 5_400
    assert [(c["from_code"], c["to_code"]) for c in body["border_crossings"]] == [
        (STJORDAL, MERAKER)
    ]
    assert [s["municipality_code"] for s in body["shared_team_by_municipality"]] == [MERAKER, "all"]
    home_care, team, total = body["organisations"]
    assert (home_care["visits"], home_care["service_s"], team["visits"]) == (1, 2_700, 1)
    assert (total["visits"], total["staff"], total["drive_s"]) == (2, 0, 0)
    nurse = headers_for(Role.NURSE, d.ann)
    assert client.get(URL, params=span(d), headers=nurse).status_code == 403


def test_bad_ranges_name_the_field(
    client: TestClient, coordinator: Headers, day: tuple[HandDay, int]
) -> None:
    """An end before the start or over 366 days is 422 on `to`; a missing or malformed day on
    its own name; an unknown format on `format`."""
    d, _ = day
    first = d.region.day.isoformat()
    before = (d.region.day - dt.timedelta(days=1)).isoformat()
    assert_invalid(client.get(URL, params={"from": first, "to": before}, headers=coordinator), "to")
    far = (d.region.day + dt.timedelta(days=366)).isoformat()
    assert_invalid(client.get(URL, params={"from": first, "to": far}, headers=coordinator), "to")
    assert_invalid(client.get(URL, params={"to": first}, headers=coordinator), "from")
    assert_invalid(
        client.get(URL, params={"from": "2026-13-01", "to": first}, headers=coordinator), "from"
    )
    assert_invalid(client.get(URL, params=span(d, format="xls"), headers=coordinator), "format")
