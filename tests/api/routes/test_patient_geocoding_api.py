"""A patient created with an address and no coordinates is placed by the local address register
(the default geocoder: the address never leaves the system); an address the register cannot
settle is a 422 that lists what came close."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.geocoding.local_register import import_address_csv
from tests.api.builders import Headers, assert_invalid, created, make_patient
from tests.geocoding.register_csv import write_register


def load_register(db: Engine, tmp_path: Path) -> None:
    with Session(db) as session:
        import_address_csv(session, write_register(tmp_path / "adresser.csv"))
        session.commit()


def test_address_without_coordinates_is_geocoded(
    client: TestClient, coordinator: Headers, db: Engine, tmp_path: Path
) -> None:
    """Kirkegata 3B, 7500 Stjørdal gets the register's point."""
    load_register(db, tmp_path)
    body = make_patient(address="Kirkegata 3B, 7500 Stjørdal")
    del body["lat"], body["lon"]
    patient = created(client.post("/api/v1/patients", json=body, headers=coordinator))
    assert (patient["lat"], patient["lon"]) == (63.46912, 10.91703)


def test_ambiguous_address_lists_the_candidates(
    client: TestClient, coordinator: Headers, db: Engine, tmp_path: Path
) -> None:
    """'Storgata 1' is in Stjørdal and in Meråker: without a municipality filter it is refused."""
    load_register(db, tmp_path)
    body = make_patient(address="Storgata 1", municipality_code="5034")
    del body["lat"], body["lon"]
    # Inside Meråker the register has one Storgata 1: settled by the patient's municipality.
    patient = created(client.post("/api/v1/patients", json=body, headers=coordinator))
    assert patient["lat"] == 63.415
    unknown = make_patient(address="Kirkegata 99, 7500 Stjørdal")
    del unknown["lat"], unknown["lon"]
    error = assert_invalid(
        client.post("/api/v1/patients", json=unknown, headers=coordinator), "address"
    )
    assert any("Kirkegata 3B" in c for c in error["candidates"])


def test_half_given_coordinates_are_refused(client: TestClient, coordinator: Headers) -> None:
    """lat without lon is an error naming lon, not a silent geocode."""
    body = make_patient()
    del body["lon"]
    assert_invalid(client.post("/api/v1/patients", json=body, headers=coordinator), "lon")


def test_a_new_address_is_geocoded_again(
    client: TestClient, coordinator: Headers, db: Engine, tmp_path: Path
) -> None:
    """Moving house without new coordinates re-geocodes: stale coordinates mislead the nurse."""
    load_register(db, tmp_path)
    patient = created(client.post("/api/v1/patients", json=make_patient(), headers=coordinator))
    moved = client.patch(
        f"/api/v1/patients/{patient['id']}",
        json={"address": "Kirkegata 5, 7500 Stjørdal"},
        headers=coordinator,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["lat"], moved.json()["lon"]) == (63.4693, 10.9175)
