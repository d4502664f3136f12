"""/api/v1/patients: who is visited, and where."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_patient,
    make_staff,
    make_visit,
)
from tests.builders import MERAKER, STJORDAL

URL = "/api/v1/patients"


def test_patient_round_trip(client: TestClient, coordinator: Headers) -> None:
    """A patient reads back as created; a patch changes only what it names; delete removes."""
    nurse = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    patient = created(
        client.post(URL, json=make_patient(preferred_staff=[nurse]), headers=coordinator)
    )
    assert patient["preferred_staff"] == [nurse]
    assert client.get(f"{URL}/{patient['id']}", headers=coordinator).json() == patient

    moved = client.patch(
        f"{URL}/{patient['id']}", json={"address": "Fjellvegen 2", "lat": 63.2}, headers=coordinator
    )
    assert moved.status_code == 200, moved.text
    assert moved.json() == patient | {"address": "Fjellvegen 2", "lat": 63.2}

    assert client.delete(f"{URL}/{patient['id']}", headers=coordinator).status_code == 204
    assert client.get(f"{URL}/{patient['id']}", headers=coordinator).status_code == 404


def test_bad_patient_input_names_the_field(client: TestClient, coordinator: Headers) -> None:
    """Coordinates outside the world, unknown places or staff, contradictions: 422 on the field."""
    nurse = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    cases = {
        "lat": make_patient(lat=91.0),
        "lon": make_patient(lon=200.0),
        "municipality_code": make_patient(municipality_code="9999"),
        "preferred_staff": make_patient(preferred_staff=[nurse, nurse + 50]),
        "refused_staff": make_patient(refused_staff=[nurse + 50]),
        "address": make_patient(address=""),
    }
    for field, body in cases.items():
        assert_invalid(client.post(URL, json=body, headers=coordinator), field)
    both = make_patient(preferred_staff=[nurse], refused_staff=[nurse])
    body = assert_invalid(client.post(URL, json=both, headers=coordinator), "refused_staff")
    assert "both preferred and refused" in body["detail"]


def test_patch_cannot_make_a_patient_refuse_a_preferred_nurse(
    client: TestClient, coordinator: Headers
) -> None:
    """The merged record is checked: refusing a nurse who is already preferred is 422."""
    nurse = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    patient = created(
        client.post(URL, json=make_patient(preferred_staff=[nurse]), headers=coordinator)
    )
    url = f"{URL}/{patient['id']}"
    assert_invalid(
        client.patch(url, json={"refused_staff": [nurse]}, headers=coordinator), "refused_staff"
    )
    assert_invalid(client.patch(url, json={"lat": -100}, headers=coordinator), "lat")
    assert client.get(url, headers=coordinator).json() == patient


def test_list_filters_by_municipality_and_pages(client: TestClient, coordinator: Headers) -> None:
    """Patients list by municipality, one page at a time, with the total of all matches."""
    here = [
        created(client.post(URL, json=make_patient(name=f"P{i}"), headers=coordinator))["id"]
        for i in range(4)
    ]
    created(client.post(URL, json=make_patient(municipality_code=MERAKER), headers=coordinator))
    page = client.get(
        URL, params={"municipality": STJORDAL, "limit": 2, "offset": 2}, headers=coordinator
    ).json()
    assert page["total"] == 4
    assert [p["id"] for p in page["items"]] == here[2:]
    assert client.get(URL, headers=coordinator).json()["total"] == 5


def test_patient_with_visits_cannot_be_deleted(client: TestClient, coordinator: Headers) -> None:
    """A patient with visit requests is 409 on delete and stays; 404 for an unknown patient."""
    patient = created(client.post(URL, json=make_patient(), headers=coordinator))["id"]
    created(client.post("/api/v1/visits", json=make_visit(patient), headers=coordinator))
    response = client.delete(f"{URL}/{patient}", headers=coordinator)
    assert response.status_code == 409
    assert "visits" in response.json()["detail"]
    assert client.get(f"{URL}/{patient}", headers=coordinator).status_code == 200
    assert client.delete(f"{URL}/9999", headers=coordinator).status_code == 404
    assert client.patch(f"{URL}/9999", json={"notes": "x"}, headers=coordinator).status_code == 404
