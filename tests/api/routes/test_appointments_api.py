"""/api/v1/appointments: fixed appointments in a staff member's day (a team meeting)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import AuditEntry, Role
from ambulant.timeutil import now
from tests.api.builders import (
    Headers,
    assert_hidden,
    assert_invalid,
    at,
    created,
    make_patient,
    make_shift,
    make_staff,
    make_visit,
)
from tests.api.routes.test_plans_api import wait_for
from tests.builders import DAY, MERAKER, TinyRegion

URL = "/api/v1/appointments"


def add_staff(client: TestClient, headers: Headers, **overrides: object) -> int:
    staff_id: int = created(
        client.post("/api/v1/staff", json=make_staff(**overrides), headers=headers)
    )["id"]
    return staff_id


def meeting(staff_id: int, base_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "staff_id": staff_id,
        "title": "Team meeting",
        "start_at": at("08:00"),
        "end_at": at("08:30"),
        "base_id": base_id,
    }
    return body | overrides


def audit_actions(db: Engine) -> list[tuple[str, str, str | None]]:
    with Session(db) as session:
        rows = session.exec(
            select(AuditEntry)
            .where(AuditEntry.resource_type == "appointment")
            .order_by(col(AuditEntry.id))
        ).all()
        return [(str(e.action), e.resource_type, e.resource_id) for e in rows]


def test_appointment_round_trip(
    client: TestClient, coordinator: Headers, region: TinyRegion, db: Engine
) -> None:
    """An appointment at a base is stored with its local date, listed by day and staff,
    moved to a point with an address (the base is forgotten), and deleted; each write is in
    the audit trail."""
    staff = add_staff(client, coordinator)
    body = meeting(staff, region.base.id)
    appointment = created(client.post(URL, json=body, headers=coordinator))
    assert appointment["date"] == DAY.isoformat()
    assert appointment["start_at"] == f"{DAY.isoformat()}T08:00:00+01:00"
    assert appointment["base_id"] == region.base.id and appointment["lat"] is None
    url = f"{URL}/{appointment['id']}"
    assert client.get(url, headers=coordinator).json() == appointment

    listed = client.get(
        URL, params={"date": DAY.isoformat(), "staff_id": staff}, headers=coordinator
    ).json()
    assert [a["id"] for a in listed["items"]] == [appointment["id"]] and listed["total"] == 1
    assert client.get(URL, params={"date": "2026-11-26"}, headers=coordinator).json()["total"] == 0

    moved = client.patch(
        url,
        json={
            "lat": 63.47,
            "lon": 10.93,
            "address": "Legesenteret, Stjørdal",
            "end_at": at("09:00"),
        },
        headers=coordinator,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["base_id"] is None and moved.json()["address"] == "Legesenteret, Stjørdal"
    assert moved.json()["end_at"] == f"{DAY.isoformat()}T09:00:00+01:00"
    back = client.patch(url, json={"base_id": region.base.id}, headers=coordinator)
    assert back.status_code == 200, back.text
    assert back.json()["lat"] is None and back.json()["base_id"] == region.base.id

    assert client.delete(url, headers=coordinator).status_code == 204
    assert client.get(url, headers=coordinator).status_code == 404
    key = str(appointment["id"])
    assert audit_actions(db) == [
        ("create", "appointment", key),
        ("update", "appointment", key),
        ("update", "appointment", key),
        ("delete", "appointment", key),
    ]


def test_bad_appointment_input_names_the_field(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """End before start, over midnight, no place or two places, unknown staff or base, a blank
    title, a malformed time: 422 naming the field."""
    staff = add_staff(client, coordinator)
    base = region.base.id
    cases = {
        "end_at": meeting(staff, base, start_at=at("09:00"), end_at=at("08:00")),
        "base_id": meeting(staff, None),
        "staff_id": meeting(staff + 100, base),
        "title": meeting(staff, base, title="   "),
        "start_at": meeting(staff, base, start_at="monday morning"),
        "lat": meeting(staff, None, lat=95.0, lon=10.0),
    }
    for field, body in cases.items():
        assert_invalid(client.post(URL, json=body, headers=coordinator), field)
    both = meeting(staff, base, lat=63.4, lon=10.9)
    assert (
        "not both"
        in assert_invalid(client.post(URL, json=both, headers=coordinator), "base_id")["detail"]
    )
    unknown_base = meeting(staff, base + 100)
    assert_invalid(client.post(URL, json=unknown_base, headers=coordinator), "base_id")
    overnight = meeting(staff, base, start_at=at("23:00"), end_at="2026-11-26T01:00")
    assert_invalid(client.post(URL, json=overnight, headers=coordinator), "end_at")
    for bad in ({"end_at": at("07:00")}, {"title": ""}, {"staff_id": staff + 100}):
        first = created(client.post(URL, json=meeting(staff, base), headers=coordinator))
        response = client.patch(f"{URL}/{first['id']}", json=bad, headers=coordinator)
        assert_invalid(response, next(iter(bad)))
        client.delete(f"{URL}/{first['id']}", headers=coordinator)
    assert (
        client.patch(f"{URL}/987654", json={"title": "x"}, headers=coordinator).status_code == 404
    )
    assert client.delete(f"{URL}/987654", headers=coordinator).status_code == 404


def test_overlapping_appointments_conflict(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """One person cannot be at two appointments at once (409 naming start_at); back to back
    is fine, and so is the same time for someone else."""
    staff = add_staff(client, coordinator)
    other = add_staff(client, coordinator, name="Per Hansen")
    created(client.post(URL, json=meeting(staff, region.base.id), headers=coordinator))
    clash = meeting(staff, region.base.id, start_at=at("08:15"), end_at=at("09:00"))
    response = client.post(URL, json=clash, headers=coordinator)
    assert response.status_code == 409, response.text
    assert response.json()["field"] == "start_at"
    after = meeting(staff, region.base.id, start_at=at("08:30"), end_at=at("09:00"))
    moved = created(client.post(URL, json=after, headers=coordinator))
    created(client.post(URL, json=meeting(other, region.base.id), headers=coordinator))
    response = client.patch(
        f"{URL}/{moved['id']}", json={"start_at": at("08:20")}, headers=coordinator
    )
    assert response.status_code == 409 and response.json()["field"] == "start_at"


def test_a_staff_member_with_appointments_is_not_deleted(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """Deleting staff who still have appointments is refused (409), as with shifts."""
    staff = add_staff(client, coordinator)
    created(client.post(URL, json=meeting(staff, region.base.id), headers=coordinator))
    response = client.delete(f"/api/v1/staff/{staff}", headers=coordinator)
    assert response.status_code == 409 and "appointments" in response.json()["detail"]


def test_nurse_reads_her_own_appointments_only_and_writes_none(
    client: TestClient,
    coordinator: Headers,
    region: TinyRegion,
    headers_for: Callable[..., Headers],
) -> None:
    """A nurse reads and lists her own appointments; another's is answered as missing, her list
    never shows another's, and every write is 403. An auditor may not list them."""
    ann = add_staff(client, coordinator, name="Ann")
    bob = add_staff(client, coordinator, name="Bob")
    mine = created(client.post(URL, json=meeting(ann, region.base.id), headers=coordinator))
    theirs = created(client.post(URL, json=meeting(bob, region.base.id), headers=coordinator))
    nurse = headers_for(Role.NURSE, ann)

    assert client.get(f"{URL}/{mine['id']}", headers=nurse).json() == mine
    assert_hidden(client, URL + "/{}", theirs["id"], headers=nurse)
    listed = client.get(URL, headers=nurse).json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]]
    assert client.get(URL, params={"staff_id": bob}, headers=nurse).json()["total"] == 0

    body = meeting(ann, region.base.id, start_at=at("12:00"), end_at=at("12:30"))
    assert client.post(URL, json=body, headers=nurse).status_code == 403
    assert (
        client.patch(f"{URL}/{mine['id']}", json={"title": "x"}, headers=nurse).status_code == 403
    )
    assert client.delete(f"{URL}/{mine['id']}", headers=nurse).status_code == 403

    auditor = headers_for(Role.AUDITOR)
    assert client.get(URL, headers=auditor).status_code == 403
    assert_hidden(client, URL + "/{}", mine["id"], headers=auditor)


def test_coordinators_see_and_manage_their_scope_only(
    client: TestClient,
    coordinator: Headers,
    region: TinyRegion,
    headers_for: Callable[..., Headers],
) -> None:
    """A Meråker coordinator does not see a Stjørdal nurse's appointment (404, as missing), gets
    the same 422 as for an unknown staff member when naming her in a body, and lists none."""
    stjordal = add_staff(client, coordinator)
    appointment = created(
        client.post(URL, json=meeting(stjordal, region.base.id), headers=coordinator)
    )
    meraker = headers_for(Role.COORDINATOR, municipalities=[MERAKER])
    assert_hidden(client, URL + "/{}", appointment["id"], headers=meraker)
    assert_hidden(
        client, URL + "/{}", appointment["id"], headers=meraker, method="PATCH", json={"title": "x"}
    )
    hidden = client.post(URL, json=meeting(stjordal, region.base.id), headers=meraker)
    unknown = client.post(URL, json=meeting(987654, region.base.id), headers=meraker)
    assert_invalid(hidden, "staff_id")
    assert hidden.text.replace(str(stjordal), "ID") == unknown.text.replace("987654", "ID")
    assert client.get(URL, headers=meraker).json()["total"] == 0
    own = add_staff(client, coordinator, municipality_code=MERAKER, name="Mari Moe")
    created(client.post(URL, json=meeting(own, region.base.id), headers=meraker))
    assert client.get(URL, headers=meraker).json()["total"] == 1


def test_appointment_needs_no_shift_to_be_stored(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """Appointments may be entered before the roster: no shift is needed to store one, and the
    plan leaves out, with a warning, an appointment outside the day's shift."""
    staff = add_staff(client, coordinator)
    body = meeting(staff, region.base.id)
    appointment = created(client.post(URL, json=body, headers=coordinator))
    late_shift = make_shift(staff, start_at=at("09:00"), end_at=at("15:00"))
    created(client.post("/api/v1/shifts", json=late_shift, headers=coordinator))

    accepted = client.post("/api/v1/plans", json={"date": DAY.isoformat()}, headers=coordinator)
    assert accepted.status_code == 202, accepted.text
    plan = wait_for(client, accepted.headers["Location"], coordinator)
    assert plan["status"] == "draft", plan
    warning = f"appointment {appointment['id']} of staff {staff} lies outside the shift"
    assert any(w.startswith(warning) for w in plan["solver_stats"]["warnings"]), plan
    assert all(s["kind"] != "appointment" for r in plan["routes"] for s in r["stops"])


def test_a_planned_day_shows_the_appointment_to_coordinator_and_nurse(
    client: TestClient,
    coordinator: Headers,
    region: TinyRegion,
    headers_for: Callable[..., Headers],
) -> None:
    """Through the API with the real solver: Ann's team meeting at the base is in her route in
    the plan (with its title) and, once published, on her schedule with its place; the plan
    carries the objective's breakdown and the weights it was solved with."""
    day = now().date() + dt.timedelta(days=1)
    ann = add_staff(client, coordinator, name="Ann")
    shift = make_shift(ann, start_at=at("07:30", day), end_at=at("15:00", day))
    created(client.post("/api/v1/shifts", json=shift, headers=coordinator))
    body = meeting(ann, region.base.id, start_at=at("09:00", day), end_at=at("09:30", day))
    appointment = created(client.post(URL, json=body, headers=coordinator))
    for n in range(3):
        patient = created(
            client.post(
                "/api/v1/patients", json=make_patient(lat=63.46 + 0.01 * n), headers=coordinator
            )
        )["id"]
        visit = make_visit(patient, window_start=at("08:00", day), window_end=at("14:00", day))
        created(client.post("/api/v1/visits", json=visit, headers=coordinator))

    request = {"date": day.isoformat(), "weights": {"workload_per_s": 1}}
    accepted = client.post("/api/v1/plans", json=request, headers=coordinator)
    assert accepted.status_code == 202, accepted.text
    plan = wait_for(client, accepted.headers["Location"], coordinator)
    assert plan["status"] == "draft", plan
    assert plan["unassigned"] == [] and plan["unkept_appointments"] == []
    (route,) = plan["routes"]
    (held,) = [s for s in route["stops"] if s["kind"] == "appointment"]
    assert (held["appointment_id"], held["title"]) == (appointment["id"], "Team meeting")
    assert (held["start_at"], held["end_at"]) == (appointment["start_at"], appointment["end_at"])
    assert plan["objective"]["total"] == sum(
        v for k, v in plan["objective"].items() if k != "total"
    )
    assert plan["parameters"]["weights"]["workload_per_s"] == 1

    published = client.post(f"/api/v1/plans/{plan['id']}/publish", headers=coordinator)
    assert published.status_code == 200, published.text
    schedule = client.get(
        f"/api/v1/staff/{ann}/schedule",
        params={"date": day.isoformat()},
        headers=headers_for(Role.NURSE, ann),
    )
    assert schedule.status_code == 200, schedule.text
    (mine,) = [s for s in schedule.json()["stops"] if s["kind"] == "appointment"]
    assert mine["title"] == "Team meeting" and mine["patient_id"] is None
    assert mine["address"] == region.base.name
    assert mine["navigation_url"] == f"geo:{region.base.lat:.6f},{region.base.lon:.6f}"


def test_bad_plan_weights_name_the_field(client: TestClient, coordinator: Headers) -> None:
    """A negative or unknown weight in a plan request is 422 on weights; no plan is made."""
    staff = add_staff(client, coordinator)
    created(client.post("/api/v1/shifts", json=make_shift(staff), headers=coordinator))
    for weights in ({"workload_per_s": -1}, {"speed": 2}, {"unassigned": [1, 2]}):
        body = {"date": DAY.isoformat(), "weights": weights}
        assert_invalid(client.post("/api/v1/plans", json=body, headers=coordinator), "weights")
    assert client.get("/api/v1/plans", headers=coordinator).json() == []
