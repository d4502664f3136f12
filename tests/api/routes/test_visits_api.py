"""/api/v1/visits: visit requests, one patient on one day inside a time window."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.api.builders import (
    Headers,
    assert_invalid,
    at,
    created,
    make_care_plan,
    make_patient,
    make_staff,
    make_visit,
)
from tests.builders import DAY, MERAKER, STJORDAL

URL = "/api/v1/visits"


def add_patient(client: TestClient, headers: Headers, **overrides: object) -> int:
    patient_id: int = created(
        client.post("/api/v1/patients", json=make_patient(**overrides), headers=headers)
    )["id"]
    return patient_id


def test_visit_round_trip(client: TestClient, coordinator: Headers) -> None:
    """A visit is stored with the local date of its window; it reads back, patches, deletes."""
    patient = add_patient(client, coordinator)
    visit = created(client.post(URL, json=make_visit(patient), headers=coordinator))
    assert visit["date"] == DAY.isoformat()
    assert visit["window_start"] == f"{DAY.isoformat()}T09:00:00+01:00"
    assert client.get(f"{URL}/{visit['id']}", headers=coordinator).json() == visit

    urgent = client.patch(f"{URL}/{visit['id']}", json={"priority": "urgent"}, headers=coordinator)
    assert urgent.status_code == 200, urgent.text
    assert urgent.json() == visit | {"priority": "urgent"}

    assert client.delete(f"{URL}/{visit['id']}", headers=coordinator).status_code == 204
    assert client.get(f"{URL}/{visit['id']}", headers=coordinator).status_code == 404


def test_bad_visit_input_names_the_field(client: TestClient, coordinator: Headers) -> None:
    """End before start, longer than the window, unknown skill, unknown references: 422 on the
    field, never a 500."""
    patient = add_patient(client, coordinator)
    other_patient = add_patient(client, coordinator)
    foreign_plan = created(
        client.post("/api/v1/care-plans", json=make_care_plan(other_patient), headers=coordinator)
    )["id"]
    cases = {
        "window_end": make_visit(patient, window_start=at("11:00"), window_end=at("10:00")),
        "duration_minutes": make_visit(patient, duration_minutes=121),
        "skills": make_visit(patient, skills=["levitation"]),
        "priority": make_visit(patient, priority="whenever"),
        "patient_id": make_visit(patient + 100),
        "pinned_staff_id": make_visit(patient, pinned_staff_id=777),
        "depends_on_id": make_visit(patient, depends_on_id=777),
        "care_plan_id": make_visit(patient, care_plan_id=foreign_plan),
        "max_lag_minutes": make_visit(patient, min_lag_minutes=30, max_lag_minutes=10),
        "second_staff_skills": make_visit(patient, second_staff_skills=["personal_care"]),
    }
    for field, body in cases.items():
        assert_invalid(client.post(URL, json=body, headers=coordinator), field)
    overnight = make_visit(patient, window_end=at("01:00", DAY + dt.timedelta(days=1)))
    assert_invalid(client.post(URL, json=overnight, headers=coordinator), "window_end")


def test_dependencies_stay_on_one_day_and_never_form_a_cycle(
    client: TestClient, coordinator: Headers
) -> None:
    """A visit may depend on another on the same day, but not on one of another day, nor on
    itself through a chain."""
    patient = add_patient(client, coordinator)
    first = created(client.post(URL, json=make_visit(patient), headers=coordinator))["id"]
    second = created(
        client.post(URL, json=make_visit(patient, depends_on_id=first), headers=coordinator)
    )["id"]
    tomorrow = DAY + dt.timedelta(days=1)
    late = make_visit(patient, window_start=at("09:00", tomorrow), window_end=at("11:00", tomorrow))
    assert_invalid(
        client.post(URL, json=late | {"depends_on_id": first}, headers=coordinator), "depends_on_id"
    )
    cycle = client.patch(f"{URL}/{first}", json={"depends_on_id": second}, headers=coordinator)
    assert "cycle" in assert_invalid(cycle, "depends_on_id")["detail"]
    itself = client.patch(f"{URL}/{first}", json={"depends_on_id": first}, headers=coordinator)
    assert_invalid(itself, "depends_on_id")

    response = client.delete(f"{URL}/{first}", headers=coordinator)
    assert response.status_code == 409
    assert "dependent visits" in response.json()["detail"]


def test_patch_is_validated_as_a_whole(client: TestClient, coordinator: Headers) -> None:
    """Moving only the window end before the stored start, or shrinking it below the duration,
    is refused and nothing changes."""
    visit = created(
        client.post(URL, json=make_visit(add_patient(client, coordinator)), headers=coordinator)
    )
    url = f"{URL}/{visit['id']}"
    assert_invalid(
        client.patch(url, json={"window_end": at("08:00")}, headers=coordinator), "window_end"
    )
    assert_invalid(
        client.patch(url, json={"window_end": at("09:10")}, headers=coordinator), "duration_minutes"
    )
    assert_invalid(
        client.patch(url, json={"pinned_staff_id": 999}, headers=coordinator), "pinned_staff_id"
    )
    assert client.get(url, headers=coordinator).json() == visit


def test_patch_moving_the_window_moves_the_date(client: TestClient, coordinator: Headers) -> None:
    """The stored date follows the window to another day."""
    visit = created(
        client.post(URL, json=make_visit(add_patient(client, coordinator)), headers=coordinator)
    )
    tomorrow = DAY + dt.timedelta(days=1)
    moved = client.patch(
        f"{URL}/{visit['id']}",
        json={"window_start": at("09:00", tomorrow), "window_end": at("11:00", tomorrow)},
        headers=coordinator,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["date"] == tomorrow.isoformat()


def test_list_filters_by_date_municipality_and_patient(
    client: TestClient, coordinator: Headers
) -> None:
    """Filters combine: local date, the patient's municipality, the patient; pages tile."""
    here = add_patient(client, coordinator)
    there = add_patient(client, coordinator, municipality_code=MERAKER)
    tomorrow = DAY + dt.timedelta(days=1)
    ids = {}
    for patient in (here, there):
        for day in (DAY, tomorrow):
            body = make_visit(patient, window_start=at("09:00", day), window_end=at("11:00", day))
            ids[patient, day] = created(client.post(URL, json=body, headers=coordinator))["id"]

    def listed(**params: object) -> list[int]:
        return sorted(
            v["id"] for v in client.get(URL, params=params, headers=coordinator).json()["items"]
        )

    assert listed(date=DAY.isoformat()) == sorted([ids[here, DAY], ids[there, DAY]])
    assert listed(municipality=STJORDAL) == sorted([ids[here, DAY], ids[here, tomorrow]])
    assert listed(patient_id=there, date=tomorrow.isoformat()) == [ids[there, tomorrow]]
    page = client.get(URL, params={"limit": 3, "offset": 3}, headers=coordinator).json()
    assert (page["total"], len(page["items"])) == (4, 1)


def test_unknown_visit_is_404(client: TestClient, coordinator: Headers) -> None:
    """Reading, changing or deleting a visit that does not exist is 404."""
    assert client.get(f"{URL}/31337", headers=coordinator).status_code == 404
    assert (
        client.patch(f"{URL}/31337", json={"priority": "low"}, headers=coordinator).status_code
        == 404
    )
    assert client.delete(f"{URL}/31337", headers=coordinator).status_code == 404


def test_pinned_staff_must_exist_and_pins_read_back(
    client: TestClient, coordinator: Headers
) -> None:
    """A visit pinned to an existing staff member keeps the pin."""
    staff = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    visit = created(
        client.post(
            URL,
            json=make_visit(add_patient(client, coordinator), pinned_staff_id=staff),
            headers=coordinator,
        )
    )
    assert visit["pinned_staff_id"] == staff
