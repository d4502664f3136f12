"""Coordinators act within their scope: for every route, an object in another municipality is
answered exactly as one that does not exist, lists hold only the scope, and a request body
cannot reach outside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.models import CarePlan, Plan, PlanStatus, Role, Shift
from tests.api.builders import (
    Headers,
    assert_hidden,
    assert_invalid,
    make_care_plan,
    make_patient,
    make_shift,
    make_staff,
    make_visit,
)
from tests.builders import DAY, MERAKER, STJORDAL, TinyRegion, add
from tests.builders import make_patient as add_patient
from tests.builders import make_staff as add_staff
from tests.builders import make_visit as add_visit


@dataclass
class Side:
    """One municipality's objects."""

    staff: int
    shift: int
    patient: int
    care_plan: int
    visit: int
    plan: int


@dataclass
class World:
    stjordal: Side
    meraker: Side
    all_plan: int
    helper: int  # employed in Stjørdal, serving Meråker


def side(session: Session, region: TinyRegion, code: str) -> Side:
    staff = add_staff(session, region, municipality_code=code)
    shift = session.exec(select(Shift).where(Shift.staff_id == staff.id)).one()
    patient = add_patient(session, region, municipality_code=code)
    care_plan = add(
        session,
        CarePlan(
            patient_id=patient.id,
            recurrence="FREQ=WEEKLY;BYDAY=MO",
            window_start=dt.time(8),
            window_end=dt.time(9),
            duration_minutes=20,
        ),
    )
    visit = add_visit(session, region, patient)
    plan = add(session, Plan(date=region.day, scope=code, status=PlanStatus.DRAFT))
    return Side(staff.id, shift.id, patient.id, care_plan.id, visit.id, plan.id)


@pytest.fixture
def world(db: Engine, region: TinyRegion) -> World:
    with Session(db, expire_on_commit=False) as session:
        stjordal = side(session, region, STJORDAL)
        meraker = side(session, region, MERAKER)
        all_plan = add(session, Plan(date=region.day, scope="all", status=PlanStatus.DRAFT))
        helper = add_staff(session, region, municipality_code=STJORDAL, serves=[MERAKER])
        session.commit()
    return World(stjordal, meraker, all_plan.id, helper.id)


@pytest.fixture
def meraker(headers_for: Callable[..., Headers]) -> Headers:
    """A coordinator who plans for Meråker only."""
    return headers_for(Role.COORDINATOR, municipalities=[MERAKER], subject="meraker")


# Every route that names one object, with a body that would be valid for it.
BY_ID: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/staff/{}", "staff", None),
    ("PATCH", "/api/v1/staff/{}", "staff", {"name": "Renamed"}),
    ("DELETE", "/api/v1/staff/{}", "staff", None),
    # The world's day, not the default (today): the staff member has a shift only then.
    ("GET", "/api/v1/staff/{}/schedule?date=" + DAY.isoformat(), "staff", None),
    ("GET", "/api/v1/shifts/{}", "shift", None),
    ("PATCH", "/api/v1/shifts/{}", "shift", {"break_minutes": 20}),
    ("DELETE", "/api/v1/shifts/{}", "shift", None),
    ("GET", "/api/v1/patients/{}", "patient", None),
    ("PATCH", "/api/v1/patients/{}", "patient", {"notes": "x"}),
    ("DELETE", "/api/v1/patients/{}", "patient", None),
    ("GET", "/api/v1/care-plans/{}", "care_plan", None),
    ("PATCH", "/api/v1/care-plans/{}", "care_plan", {"description": "x"}),
    ("DELETE", "/api/v1/care-plans/{}", "care_plan", None),
    ("GET", "/api/v1/visits/{}", "visit", None),
    ("PATCH", "/api/v1/visits/{}", "visit", {"description": "x"}),
    ("DELETE", "/api/v1/visits/{}", "visit", None),
    ("GET", "/api/v1/plans/{}", "plan", None),
    ("POST", "/api/v1/plans/{}/publish", "plan", None),
]


@pytest.mark.parametrize(("method", "path", "kind", "body"), BY_ID)
def test_another_municipalitys_object_is_not_found(
    client: TestClient,
    world: World,
    meraker: Headers,
    method: str,
    path: str,
    kind: str,
    body: dict[str, Any] | None,
) -> None:
    """Stjørdal's object is 404 to Meråker's coordinator, with the body a missing id gets;
    the same read or change of Meråker's own object is served (the refusal is about scope,
    not the route; the schedule is 404 there only because nothing is published)."""
    assert_hidden(
        client, path, getattr(world.stjordal, kind), headers=meraker, method=method, json=body
    )
    if method in ("GET", "PATCH"):
        own = client.request(
            method, path.format(getattr(world.meraker, kind)), headers=meraker, json=body
        )
        if "/schedule" in path:
            assert own.status_code == 404 and "no published plan" in own.json()["detail"]
        else:
            assert own.status_code == 200, own.text


def test_the_plan_of_every_municipality_needs_an_all_scope_coordinator(
    client: TestClient, world: World, meraker: Headers, coordinator: Headers
) -> None:
    """Scope 'all' is hidden from a one-municipality coordinator and readable with scope all."""
    assert_hidden(client, "/api/v1/plans/{}", world.all_plan, headers=meraker)
    assert client.get(f"/api/v1/plans/{world.all_plan}", headers=coordinator).status_code == 200


LISTS = [
    ("/api/v1/staff", "staff"),
    ("/api/v1/shifts", "shift"),
    ("/api/v1/patients", "patient"),
    ("/api/v1/care-plans", "care_plan"),
    ("/api/v1/visits", "visit"),
]


@pytest.mark.parametrize(("path", "kind"), LISTS)
def test_lists_hold_only_the_scope(
    client: TestClient, world: World, meraker: Headers, path: str, kind: str
) -> None:
    """Meråker's coordinator lists Meråker's rows (and the Stjørdal nurse serving Meråker, and
    her shift), with a total that counts no other; asking for Stjørdal's patient data gives
    nothing."""
    page = client.get(path, headers=meraker).json()
    expected = {getattr(world.meraker, kind)}
    if kind == "staff":
        expected.add(world.helper)
    if kind == "shift":
        expected.add(world.meraker.shift + 0)  # the helper's shift is added below
        helper_shifts = client.get(path, params={"staff_id": world.helper}, headers=meraker).json()[
            "items"
        ]
        expected.update(s["id"] for s in helper_shifts)
    assert {item["id"] for item in page["items"]} == expected
    assert page["total"] == len(expected)
    other = client.get(path, params={"municipality": STJORDAL}, headers=meraker).json()
    if kind in ("patient", "care_plan", "visit"):
        assert other["total"] == 0


def test_plan_lists_hold_only_the_scope(client: TestClient, world: World, meraker: Headers) -> None:
    """Only Meråker's plans are listed, not Stjørdal's nor the plan of every municipality."""
    plans = client.get("/api/v1/plans", headers=meraker).json()
    assert [p["id"] for p in plans] == [world.meraker.plan]


def test_a_body_cannot_reach_outside_the_scope(
    client: TestClient, world: World, meraker: Headers
) -> None:
    """References to Stjørdal's staff (a shift's, a pinned visit's, a patient's preferred or
    refused), patients and visits are the same 422 as ids nobody has; placing a patient or
    staff member in Stjørdal is 403 naming the field."""
    stj = world.stjordal
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/api/v1/shifts", make_shift(stj.staff), "staff_id"),
        ("/api/v1/care-plans", make_care_plan(stj.patient), "patient_id"),
        ("/api/v1/visits", make_visit(stj.patient), "patient_id"),
        (
            "/api/v1/visits",
            make_visit(world.meraker.patient, pinned_staff_id=stj.staff),
            "pinned_staff_id",
        ),
        (
            "/api/v1/visits",
            make_visit(world.meraker.patient, depends_on_id=stj.visit),
            "depends_on_id",
        ),
    ]
    for path, body, field in cases:
        hidden = assert_invalid(client.post(path, json=body, headers=meraker), field)
        missing_body = body | {field: 987654}
        missing = assert_invalid(client.post(path, json=missing_body, headers=meraker), field)
        assert hidden["detail"].replace(str(body[field]), "ID") == missing["detail"].replace(
            "987654", "ID"
        )
    for field in ("preferred_staff", "refused_staff"):
        body = make_patient(municipality_code=MERAKER, **{field: [stj.staff]})
        hidden = assert_invalid(client.post("/api/v1/patients", json=body, headers=meraker), field)
        body[field] = [987654]
        missing = assert_invalid(client.post("/api/v1/patients", json=body, headers=meraker), field)
        assert hidden["detail"].replace(str(stj.staff), "ID") == missing["detail"].replace(
            "987654", "ID"
        )
    for path, body in (
        ("/api/v1/patients", make_patient(municipality_code=STJORDAL)),
        ("/api/v1/staff", make_staff(municipality_code=STJORDAL)),
    ):
        response = client.post(path, json=body, headers=meraker)
        assert response.status_code == 403 and response.json()["field"] == "municipality_code"
    moved = client.patch(
        f"/api/v1/patients/{world.meraker.patient}",
        json={"municipality_code": STJORDAL},
        headers=meraker,
    )
    assert moved.status_code == 403


def test_plans_are_requested_only_within_the_scope(
    client: TestClient, world: World, meraker: Headers, region: TinyRegion
) -> None:
    """Asking to plan Stjørdal or every municipality is 403 on scope; Meråker is accepted."""
    day = region.day.isoformat()
    for scope in (STJORDAL, "all"):
        response = client.post("/api/v1/plans", json={"date": day, "scope": scope}, headers=meraker)
        assert response.status_code == 403 and response.json()["field"] == "scope"
    accepted = client.post("/api/v1/plans", json={"date": day, "scope": MERAKER}, headers=meraker)
    assert accepted.status_code == 202, accepted.text


def test_a_staff_member_serving_the_scope_is_seen_but_managed_by_the_employer(
    client: TestClient, world: World, meraker: Headers
) -> None:
    """The Stjørdal nurse serving Meråker: Meråker reads them and their schedule route, but
    changing them or their shifts is 403 (existence is no secret to a reader)."""
    assert client.get(f"/api/v1/staff/{world.helper}", headers=meraker).status_code == 200
    response = client.patch(f"/api/v1/staff/{world.helper}", json={"name": "x"}, headers=meraker)
    assert response.status_code == 403
    assert client.delete(f"/api/v1/staff/{world.helper}", headers=meraker).status_code == 403


def test_a_team_coordinator_sees_their_team_and_may_not_plan(
    client: TestClient,
    world: World,
    headers_for: Callable[..., Headers],
    region: TinyRegion,
    db: Engine,
) -> None:
    """A Meråker coordinator of the ambulant team: home-nursing staff are hidden, their own
    team's are listed, and requesting Meråker's plan is 403 (a plan covers every team)."""
    with Session(db, expire_on_commit=False) as session:
        ambulant = add_staff(session, region, municipality_code=MERAKER, team="ambulant_team")
        session.commit()
    team_lead = headers_for(
        Role.COORDINATOR, municipalities=[MERAKER], team="ambulant_team", subject="team"
    )
    listed = client.get("/api/v1/staff", headers=team_lead).json()
    assert [s["id"] for s in listed["items"]] == [ambulant.id]
    assert_hidden(client, "/api/v1/staff/{}", world.meraker.staff, headers=team_lead)
    response = client.post(
        "/api/v1/plans", json={"date": region.day.isoformat(), "scope": MERAKER}, headers=team_lead
    )
    assert response.status_code == 403
