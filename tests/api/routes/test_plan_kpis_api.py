"""/api/v1/plans/{id}: the figures per municipality, in the plan detail and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.models import AuditEntry, Role
from tests.api.builders import Headers
from tests.builders import MERAKER, STJORDAL, TinyRegion, make_patient, make_staff, make_visit
from tests.replanning.day import solved_plan

URL = "/api/v1/plans"


@pytest.fixture
def meraker_patients() -> set[int]:
    return set()


@pytest.fixture
def two_municipalities(
    db: Engine, settings: Settings, region: TinyRegion, meraker_patients: set[int]
) -> int:
    """Two Stjørdal nurses; four Stjørdal patients, two in Meråker (their ids added to
    `meraker_patients`), one joint visit in Stjørdal; solved and published. Returns the plan
    id."""
    with Session(db, expire_on_commit=False) as session:
        make_staff(session, region)
        make_staff(session, region)
        for i in range(4):
            start = dt.time(8 + i, 0)
            make_visit(
                session, region, make_patient(session, region), start=start, end=dt.time(14, 0)
            )
        for lat in (63.40, 63.42):
            far = make_patient(session, region, municipality_code=MERAKER, lat=lat, lon=11.70)
            meraker_patients.add(far.id)
            make_visit(session, region, far, start=dt.time(9, 0), end=dt.time(14, 0))
        make_visit(
            session,
            region,
            region.patients[0],
            skills=["personal_care"],
            staff_count=2,
            start=dt.time(12, 0),
            end=dt.time(14, 30),
        )
        session.commit()
    return solved_plan(db, settings, day=region.day)


def test_the_municipalities_add_up_to_the_plan(
    client: TestClient, two_municipalities: int, meraker_patients: set[int], coordinator: Headers
) -> None:
    """Per municipality visits, drive and km; the rows sum to the day total, and the day total
    is the plan's own: the visits in its stops, its routes' drive seconds and metres, and the
    drive to Meråker visits counts for Meråker."""
    plan = client.get(f"{URL}/{two_municipalities}", headers=coordinator).json()
    rows = plan["kpis_by_municipality"]
    *municipalities, total = rows
    assert [r["municipality_code"] for r in municipalities] == [MERAKER, STJORDAL]
    assert [r["municipality_name"] for r in municipalities] == ["Meråker", "Stjørdal"]
    assert total["municipality_code"] == "all" and total["municipality_name"] == "Day total"

    stops = [s for r in plan["routes"] for s in r["stops"] if s["kind"] == "visit"]
    planned = {s["visit_id"] for s in stops}
    assert total["visits"] == len(planned) == 7 and total["visit_parts"] == len(stops) == 8
    assert total["drive_s"] == sum(r["travel_s"] for r in plan["routes"])
    assert total["distance_m"] == sum(r["distance_m"] for r in plan["routes"])
    assert total["overtime_s"] == sum(r["overtime_s"] for r in plan["routes"])
    service = sum(
        (
            dt.datetime.fromisoformat(s["end_at"]) - dt.datetime.fromisoformat(s["start_at"])
            for s in stops
        ),
        start=dt.timedelta(),
    )
    assert total["service_s"] == service.total_seconds()
    for key in ("visits", "visit_parts", "service_s", "drive_s", "distance_m", "overtime_s"):
        assert sum(r[key] for r in municipalities) == total[key], key

    meraker, stjordal = municipalities
    assert meraker["visits"] == 2 and stjordal["visits"] == 5
    to_meraker = [s for s in stops if s["patient_id"] in meraker_patients]
    assert meraker["drive_s"] == sum(s["travel_s"] for s in to_meraker) > 0
    assert meraker["distance_m"] == sum(s["distance_m"] for s in to_meraker)
    # The nurses work for Stjørdal: their overtime and drive home are Stjørdal's.
    assert meraker["overtime_s"] == 0
    assert meraker["km"] == round(meraker["distance_m"] / 1000, 1)


def test_the_csv_parses_back_to_the_same_figures(
    client: TestClient, db: Engine, two_municipalities: int, coordinator: Headers
) -> None:
    """text/csv with a header row and one row per municipality plus the day total; the numbers
    are the detail's, rounded (hours to 2 decimals, km to 1); the read is audited."""
    response = client.get(f"{URL}/{two_municipalities}/kpis.csv", headers=coordinator)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    detail = client.get(f"{URL}/{two_municipalities}", headers=coordinator).json()
    expected = detail["kpis_by_municipality"]
    assert [r["municipality_code"] for r in parsed] == [r["municipality_code"] for r in expected]
    for got, want in zip(parsed, expected, strict=True):
        assert int(got["visits"]) == want["visits"]
        assert float(got["km"]) == round(want["distance_m"] / 1000, 1)
        assert float(got["drive_hours"]) == round(want["drive_s"] / 3600, 2)
        assert float(got["hours_with_patients"]) == round(want["service_s"] / 3600, 2)
        assert float(got["overtime_hours"]) == round(want["overtime_s"] / 3600, 2)
    assert sum(int(r["visits"]) for r in parsed[:-1]) == int(parsed[-1]["visits"])
    with Session(db) as session:
        entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.resource_type == "plan",
                AuditEntry.resource_id == str(two_municipalities),
                AuditEntry.action == "read",
            )
        ).all()
    assert entries


def test_the_csv_is_for_planners_who_see_the_plan(
    client: TestClient,
    region: TinyRegion,
    two_municipalities: int,
    headers_for: Callable[..., Headers],
    coordinator: Headers,
) -> None:
    """A Meråker coordinator does not see a plan of every municipality (404, as for no plan);
    a nurse is refused (403); an unknown plan is 404 and a malformed id 422."""
    local = headers_for(Role.COORDINATOR, municipalities=[MERAKER], subject="meraker")
    assert client.get(f"{URL}/{two_municipalities}/kpis.csv", headers=local).status_code == 404
    nurse = headers_for(Role.NURSE, region.staff[0].id)
    assert client.get(f"{URL}/{two_municipalities}/kpis.csv", headers=nurse).status_code == 403
    assert client.get(f"{URL}/987654/kpis.csv", headers=coordinator).status_code == 404
    bad = client.get(f"{URL}/abc/kpis.csv", headers=coordinator)
    assert bad.status_code == 422 and bad.json()["field"] == "plan_id"
