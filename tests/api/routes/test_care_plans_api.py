"""/api/v1/care-plans: a patient's standing weekly pattern of visits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_care_plan,
    make_patient,
    make_visit,
)

URL = "/api/v1/care-plans"


def add_patient(client: TestClient, headers: Headers, **overrides: object) -> int:
    patient_id: int = created(
        client.post("/api/v1/patients", json=make_patient(**overrides), headers=headers)
    )["id"]
    return patient_id


def test_care_plan_round_trip(client: TestClient, coordinator: Headers) -> None:
    """Weekdays (the older form) are stored as the weekly rule they mean; the plan reads back,
    patches and deletes."""
    patient = add_patient(client, coordinator)
    plan = created(
        client.post(URL, json=make_care_plan(patient, weekdays=[4, 0, 4]), headers=coordinator)
    )
    assert plan["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,FR" and "weekdays" not in plan
    assert client.get(f"{URL}/{plan['id']}", headers=coordinator).json() == plan

    longer = client.patch(f"{URL}/{plan['id']}", json={"duration_minutes": 45}, headers=coordinator)
    assert longer.status_code == 200, longer.text
    assert longer.json() == plan | {"duration_minutes": 45}

    assert client.delete(f"{URL}/{plan['id']}", headers=coordinator).status_code == 204
    assert client.get(f"{URL}/{plan['id']}", headers=coordinator).status_code == 404


def test_bad_care_plan_input_names_the_field(client: TestClient, coordinator: Headers) -> None:
    """Window end before start, a visit longer than its window, unknown skill, weekday or
    patient, validity running backwards: 422 naming the field."""
    patient = add_patient(client, coordinator)
    cases = {
        "window_end": make_care_plan(patient, window_start="10:00", window_end="09:00"),
        "duration_minutes": make_care_plan(patient, duration_minutes=121),
        "skills": make_care_plan(patient, skills=["telepathy"]),
        "weekdays": make_care_plan(patient, weekdays=[7]),
        "patient_id": make_care_plan(patient + 100),
        "valid_to": make_care_plan(patient, valid_from="2026-12-01", valid_to="2026-11-01"),
        "staff_count": make_care_plan(patient, staff_count=3),
    }
    for field, body in cases.items():
        assert_invalid(client.post(URL, json=body, headers=coordinator), field)


def test_patch_shrinking_the_window_below_the_duration_is_refused(
    client: TestClient, coordinator: Headers
) -> None:
    """The merged plan is checked: a 20-minute visit does not fit a 10-minute window."""
    plan = created(
        client.post(URL, json=make_care_plan(add_patient(client, coordinator)), headers=coordinator)
    )
    url = f"{URL}/{plan['id']}"
    assert_invalid(
        client.patch(url, json={"window_end": "08:10"}, headers=coordinator), "duration_minutes"
    )
    assert_invalid(
        client.patch(url, json={"window_end": "07:00"}, headers=coordinator), "window_end"
    )
    assert client.get(url, headers=coordinator).json() == plan


def test_list_filters_by_patient_and_pages(client: TestClient, coordinator: Headers) -> None:
    """Care plans list per patient, a page at a time."""
    first, second = add_patient(client, coordinator), add_patient(client, coordinator)
    mine = [
        created(client.post(URL, json=make_care_plan(first), headers=coordinator))["id"]
        for _ in range(3)
    ]
    created(client.post(URL, json=make_care_plan(second), headers=coordinator))
    page = client.get(URL, params={"patient_id": first, "limit": 2}, headers=coordinator).json()
    assert (page["total"], [p["id"] for p in page["items"]]) == (3, mine[:2])


def test_care_plan_behind_visits_cannot_be_deleted(
    client: TestClient, coordinator: Headers
) -> None:
    """Visits made from a care plan keep it from being deleted (409); unknown ids are 404."""
    patient = add_patient(client, coordinator)
    plan = created(client.post(URL, json=make_care_plan(patient), headers=coordinator))["id"]
    created(
        client.post(
            "/api/v1/visits", json=make_visit(patient, care_plan_id=plan), headers=coordinator
        )
    )
    assert client.delete(f"{URL}/{plan}", headers=coordinator).status_code == 409
    assert client.get(f"{URL}/{plan}", headers=coordinator).status_code == 200
    assert client.get(f"{URL}/999", headers=coordinator).status_code == 404
    assert client.delete(f"{URL}/999", headers=coordinator).status_code == 404
