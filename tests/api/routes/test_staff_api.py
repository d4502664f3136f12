"""/api/v1/staff: create, read, list, change and delete staff members."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.models import Plan, PlanRoute, PlanStatus
from ambulant.timeutil import local
from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_patient,
    make_shift,
    make_staff,
    make_visit,
)
from tests.builders import DAY, MERAKER, STJORDAL, TinyRegion

URL = "/api/v1/staff"


def test_staff_round_trip(client: TestClient, coordinator: Headers, region: TinyRegion) -> None:
    """What is created reads back the same, a patch changes only what it names, delete removes."""
    staff = created(
        client.post(
            URL, json=make_staff(start_from="base", base_id=region.base.id), headers=coordinator
        )
    )
    assert staff["name"] == "Kari Nordmann" and staff["base_id"] == region.base.id
    assert client.get(f"{URL}/{staff['id']}", headers=coordinator).json() == staff

    patched = client.patch(
        f"{URL}/{staff['id']}",
        json={"skills": ["insulin"], "serves": [MERAKER]},
        headers=coordinator,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json() == staff | {"skills": ["insulin"], "serves": [MERAKER]}

    assert client.delete(f"{URL}/{staff['id']}", headers=coordinator).status_code == 204
    assert client.get(f"{URL}/{staff['id']}", headers=coordinator).status_code == 404


def test_list_filters_by_employer_or_served_municipality_and_pages(
    client: TestClient, coordinator: Headers
) -> None:
    """A municipality's staff are those employed there and those who serve it; pages tile the
    list with the total of all matches."""
    ids = [
        created(client.post(URL, json=make_staff(name=f"S{i}"), headers=coordinator))["id"]
        for i in range(3)
    ]
    helper = created(
        client.post(
            URL,
            json=make_staff(name="Helper", municipality_code=MERAKER, serves=[STJORDAL]),
            headers=coordinator,
        )
    )["id"]
    created(
        client.post(
            URL, json=make_staff(name="Away", municipality_code=MERAKER), headers=coordinator
        )
    )

    everyone = client.get(URL, headers=coordinator).json()
    assert everyone["total"] == 5
    in_stjordal = client.get(URL, params={"municipality": STJORDAL}, headers=coordinator).json()
    assert [s["id"] for s in in_stjordal["items"]] == [*ids, helper]
    assert in_stjordal["total"] == 4

    first = client.get(
        URL, params={"municipality": STJORDAL, "limit": 3, "offset": 0}, headers=coordinator
    ).json()
    rest = client.get(
        URL, params={"municipality": STJORDAL, "limit": 3, "offset": 3}, headers=coordinator
    ).json()
    assert (first["limit"], first["offset"], first["total"]) == (3, 0, 4)
    assert [s["id"] for s in first["items"] + rest["items"]] == [*ids, helper]


def test_list_refuses_a_page_size_over_500(client: TestClient, coordinator: Headers) -> None:
    """limit is capped at 500 and offset cannot be negative; both errors name the parameter."""
    assert_invalid(client.get(URL, params={"limit": 501}, headers=coordinator), "limit")
    assert_invalid(client.get(URL, params={"offset": -1}, headers=coordinator), "offset")


def test_bad_staff_input_names_the_field(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """Each kind of bad value comes back as 422 naming the field, never as a 500."""
    cases = {
        "municipality_code": make_staff(municipality_code="9999"),
        "serves": make_staff(serves=[STJORDAL, "9999"]),
        "base_id": make_staff(start_from="base", base_id=(region.base.id or 0) + 100),
        "skills": make_staff(skills=["medication", "juggling"]),
        "discipline": make_staff(discipline="wizard"),
        "home_lat": make_staff(home_lat=95.0),
        "home_lon": make_staff(home_lon=-181.0),
        "name": make_staff(name=""),
    }
    for field, body in cases.items():
        assert_invalid(client.post(URL, json=body, headers=coordinator), field)
    # A rule over several fields names the one to fix.
    assert_invalid(
        client.post(URL, json=make_staff(start_from="base"), headers=coordinator), "base_id"
    )


def test_patch_is_validated_as_a_whole(client: TestClient, coordinator: Headers) -> None:
    """A patch breaking a rule over several fields, or pointing nowhere, is refused unapplied."""
    staff = created(client.post(URL, json=make_staff(), headers=coordinator))
    url = f"{URL}/{staff['id']}"
    assert_invalid(client.patch(url, json={"start_from": "base"}, headers=coordinator), "base_id")
    assert_invalid(
        client.patch(url, json={"municipality_code": "0000"}, headers=coordinator),
        "municipality_code",
    )
    assert_invalid(client.patch(url, json={"name": None}, headers=coordinator), "name")
    assert client.get(url, headers=coordinator).json() == staff


def test_unknown_staff_is_404(client: TestClient, coordinator: Headers) -> None:
    """Reading, changing or deleting a staff member that does not exist is 404."""
    assert client.get(f"{URL}/999", headers=coordinator).status_code == 404
    assert client.patch(f"{URL}/999", json={"name": "X"}, headers=coordinator).status_code == 404
    response = client.delete(f"{URL}/999", headers=coordinator)
    assert response.status_code == 404
    assert response.json() == {"detail": "staff 999 not found", "field": None}


def test_staff_with_shifts_or_in_a_plan_cannot_be_deleted(
    client: TestClient, coordinator: Headers, db: Engine
) -> None:
    """Deleting staff that shifts or a plan still point at is 409, and they stay."""
    with_shift = created(client.post(URL, json=make_staff(), headers=coordinator))["id"]
    created(client.post("/api/v1/shifts", json=make_shift(with_shift), headers=coordinator))
    in_plan = created(client.post(URL, json=make_staff(name="Planned"), headers=coordinator))["id"]
    with Session(db) as session:
        plan = Plan(date=DAY, status=PlanStatus.DRAFT)
        session.add(plan)
        session.flush()
        assert plan.id is not None
        start = local(DAY, dt.time(8))
        session.add(
            PlanRoute(plan_id=plan.id, staff_id=in_plan, departure_at=start, return_at=start)
        )
        session.commit()

    for staff_id, holder in [(with_shift, "shifts"), (in_plan, "plan routes")]:
        response = client.delete(f"{URL}/{staff_id}", headers=coordinator)
        assert response.status_code == 409, response.text
        assert holder in response.json()["detail"]
        assert client.get(f"{URL}/{staff_id}", headers=coordinator).status_code == 200


def test_deleted_staff_leave_patients_preference_lists(
    client: TestClient, coordinator: Headers
) -> None:
    """Patients' preferred and refused lists forget a deleted staff member, and only them."""
    keep = created(client.post(URL, json=make_staff(name="Keep"), headers=coordinator))["id"]
    gone = created(client.post(URL, json=make_staff(name="Gone"), headers=coordinator))["id"]
    patient = created(
        client.post(
            "/api/v1/patients",
            json=make_patient(preferred_staff=[keep, gone], refused_staff=[]),
            headers=coordinator,
        )
    )
    other = created(
        client.post(
            "/api/v1/patients", json=make_patient(refused_staff=[gone]), headers=coordinator
        )
    )
    assert client.delete(f"{URL}/{gone}", headers=coordinator).status_code == 204
    assert client.get(f"/api/v1/patients/{patient['id']}", headers=coordinator).json()[
        "preferred_staff"
    ] == [keep]
    assert (
        client.get(f"/api/v1/patients/{other['id']}", headers=coordinator).json()["refused_staff"]
        == []
    )


def test_staff_pinned_to_a_visit_cannot_be_deleted(
    client: TestClient, coordinator: Headers
) -> None:
    """A visit pinned to a staff member keeps them from being deleted (409, not a 500)."""
    staff = created(client.post(URL, json=make_staff(), headers=coordinator))["id"]
    patient = created(client.post("/api/v1/patients", json=make_patient(), headers=coordinator))[
        "id"
    ]
    created(
        client.post(
            "/api/v1/visits", json=make_visit(patient, pinned_staff_id=staff), headers=coordinator
        )
    )
    response = client.delete(f"{URL}/{staff}", headers=coordinator)
    assert response.status_code == 409
    assert "pinned visits" in response.json()["detail"]
