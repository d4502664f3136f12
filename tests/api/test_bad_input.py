"""Bad input is a 422 that names the field and stores nothing, never a 500: ids and offsets past
what the database holds, dates far outside the planning range, fields the API does not know."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_care_plan,
    make_patient,
    make_shift,
    make_staff,
    make_visit,
)

API = "/api/v1"
HUGE = 2**63  # past every integer column; Python's int converts it to nothing the driver takes
PAST_INT4 = 2**31  # past PostgreSQL's integer, where every id lives


def add_patient(client: TestClient, headers: Headers) -> int:
    patient_id: int = created(client.post(f"{API}/patients", json=make_patient(), headers=headers))[
        "id"
    ]
    return patient_id


def total(client: TestClient, headers: Headers, collection: str) -> int:
    response = client.get(f"{API}/{collection}", headers=headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["total"]
    return count


@pytest.mark.parametrize("patient_id", [HUGE, PAST_INT4, 0])
def test_an_id_out_of_range_in_the_path_is_a_422(
    client: TestClient, coordinator: Headers, patient_id: int
) -> None:
    response = client.get(f"{API}/patients/{patient_id}", headers=coordinator)
    assert_invalid(response, "patient_id")


@pytest.mark.parametrize(
    ("collection", "parameter"),
    [
        ("patients", "offset"),
        ("appointments", "offset"),
        ("shifts", "offset"),
        ("visits", "offset"),
        ("appointments", "staff_id"),
        ("shifts", "staff_id"),
        ("visits", "patient_id"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, 32589158477190044730, PAST_INT4])
def test_a_query_number_out_of_range_is_a_422(
    client: TestClient, coordinator: Headers, collection: str, parameter: str, value: int
) -> None:
    response = client.get(f"{API}/{collection}", params={parameter: value}, headers=coordinator)
    assert_invalid(response, parameter)


def test_a_huge_patient_id_in_a_visit_is_a_422_and_stores_nothing(
    client: TestClient, coordinator: Headers
) -> None:
    response = client.post(f"{API}/visits", json=make_visit(HUGE), headers=coordinator)
    assert_invalid(response, "patient_id")
    assert total(client, coordinator, "visits") == 0


@pytest.mark.parametrize("field", ["preferred_staff", "refused_staff"])
def test_a_huge_staff_id_in_a_patients_staff_list_is_a_422_and_stores_nothing(
    client: TestClient, coordinator: Headers, field: str
) -> None:
    response = client.post(
        f"{API}/patients", json=make_patient(**{field: [HUGE]}), headers=coordinator
    )
    assert_invalid(response, field)
    assert total(client, coordinator, "patients") == 0


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_a_visit_window_far_outside_the_planning_range_is_a_422(
    client: TestClient, coordinator: Headers, year: str
) -> None:
    patient = add_patient(client, coordinator)
    for suffix in ("", "+01:00", "Z"):
        body = make_visit(
            patient,
            window_start=f"{year}-01-01T09:00:00{suffix}",
            window_end=f"{year}-01-01T11:00:00{suffix}",
        )
        response = client.post(f"{API}/visits", json=body, headers=coordinator)
        assert_invalid(response, "window_start")
    assert total(client, coordinator, "visits") == 0


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_patching_a_visit_window_far_outside_the_planning_range_is_a_422(
    client: TestClient, coordinator: Headers, year: str
) -> None:
    patient = add_patient(client, coordinator)
    visit = created(client.post(f"{API}/visits", json=make_visit(patient), headers=coordinator))
    response = client.patch(
        f"{API}/visits/{visit['id']}",
        json={"window_start": f"{year}-01-01T09:00:00Z"},
        headers=coordinator,
    )
    assert_invalid(response, "window_start")
    stored = client.get(f"{API}/visits/{visit['id']}", headers=coordinator).json()
    assert stored == visit


@pytest.mark.parametrize(
    ("collection", "body"),
    [
        ("patients", make_patient(foo=1)),
        ("staff", make_staff(foo=1)),
    ],
)
def test_an_unknown_field_in_a_body_is_a_422_and_stores_nothing(
    client: TestClient, coordinator: Headers, collection: str, body: dict[str, Any]
) -> None:
    before = total(client, coordinator, collection)
    response = client.post(f"{API}/{collection}", json=body, headers=coordinator)
    assert_invalid(response, "foo")
    assert total(client, coordinator, collection) == before


def test_an_unknown_field_in_a_patch_is_a_422_and_changes_nothing(
    client: TestClient, coordinator: Headers
) -> None:
    patient = created(client.post(f"{API}/patients", json=make_patient(), headers=coordinator))
    response = client.patch(
        f"{API}/patients/{patient['id']}", json={"name": "Per", "foo": 1}, headers=coordinator
    )
    assert_invalid(response, "foo")
    stored = client.get(f"{API}/patients/{patient['id']}", headers=coordinator).json()
    assert stored == patient


def test_a_huge_staff_id_in_a_shift_is_a_422(client: TestClient, coordinator: Headers) -> None:
    response = client.post(f"{API}/shifts", json=make_shift(HUGE), headers=coordinator)
    assert_invalid(response, "staff_id")
    assert total(client, coordinator, "shifts") == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("depends_on_id", HUGE),
        ("pinned_staff_id", PAST_INT4),
        ("min_lag_minutes", HUGE),
        ("max_lag_minutes", HUGE),
    ],
)
def test_an_out_of_range_number_in_a_visit_body_is_a_422(
    client: TestClient, coordinator: Headers, field: str, value: int
) -> None:
    patient = add_patient(client, coordinator)
    response = client.post(
        f"{API}/visits", json=make_visit(patient, **{field: value}), headers=coordinator
    )
    assert_invalid(response, field)
    assert total(client, coordinator, "visits") == 0


@pytest.mark.parametrize("field", ["valid_from", "valid_to"])
def test_a_care_plan_date_far_outside_the_planning_range_is_a_422(
    client: TestClient, coordinator: Headers, field: str
) -> None:
    patient = add_patient(client, coordinator)
    body = make_care_plan(patient, **{field: "0001-01-01"})
    response = client.post(f"{API}/care-plans", json=body, headers=coordinator)
    assert_invalid(response, field)
    assert total(client, coordinator, "care-plans") == 0


@pytest.mark.parametrize("field", ["window_start", "window_end"])
def test_a_care_plan_time_with_an_offset_is_a_422_on_create_and_on_change(
    client: TestClient, coordinator: Headers, field: str
) -> None:
    """Found by schemathesis against a real server: PATCH with "window_end": "02:17:09Z" compared
    an aware time with a naive one and answered 500. Care-plan times are wall-clock times."""
    patient = add_patient(client, coordinator)
    body = make_care_plan(
        patient, **{field: "10:00:00Z" if field == "window_start" else "23:00:00+01:00"}
    )
    assert_invalid(client.post(f"{API}/care-plans", json=body, headers=coordinator), field)
    assert total(client, coordinator, "care-plans") == 0
    created = client.post(f"{API}/care-plans", json=make_care_plan(patient), headers=coordinator)
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    changed = client.patch(
        f"{API}/care-plans/{plan_id}", json={field: "02:17:09Z"}, headers=coordinator
    )
    assert_invalid(changed, field)
    stored = client.get(f"{API}/care-plans/{plan_id}", headers=coordinator).json()
    assert stored[field] == created.json()[field]  # nothing changed


def test_a_method_a_resource_does_not_answer_is_a_405_naming_every_method_it_does(
    client: TestClient, coordinator: Headers
) -> None:
    """Found by schemathesis: OPTIONS /plans said `Allow: POST` though GET /plans exists too."""
    response = client.request("OPTIONS", f"{API}/plans", headers=coordinator)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
    response = client.put(f"{API}/appointments/1", headers=coordinator)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}


@pytest.mark.parametrize("value", ["0", "1.5e9", "20261204", "2026-12-4"])
def test_a_date_is_iso_8601_or_a_422(client: TestClient, coordinator: Headers, value: str) -> None:
    """Found by schemathesis: `date=0` was read as seconds since 1970 and answered 200."""
    response = client.get(f"{API}/plans", params={"date": value}, headers=coordinator)
    assert_invalid(response, "date")
