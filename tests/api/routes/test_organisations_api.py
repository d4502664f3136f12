"""/api/v1/organisations, and the staff, visits and care plans that name one."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import AuditEntry, Role
from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_care_plan,
    make_patient,
    make_staff,
    make_visit,
)
from tests.builders import MERAKER, STJORDAL

URL = "/api/v1/organisations"


def add(client: TestClient, headers: Headers, **body: object) -> int:
    organisation_id: int = created(client.post(URL, json=body, headers=headers))["id"]
    return organisation_id


def test_organisations_round_trip_with_a_team_inside_a_trust(
    client: TestClient, coordinator: Headers, db: Engine
) -> None:
    """A hospital trust and its specialist team (parent) are created, listed and read one by
    one; each creation is in the audit trail."""
    trust = add(client, coordinator, name="St. Olavs hospital", kind="hospital_trust")
    team = add(
        client, coordinator, name="St. Olavs ambulant team", kind="specialist_team", parent_id=trust
    )
    selbu = add(
        client, coordinator, name="Selbu kommune", kind="municipality", municipality_code=MERAKER
    )
    listed = client.get(URL, headers=coordinator).json()
    assert [o["id"] for o in listed] == [trust, team, selbu]
    read = client.get(f"{URL}/{team}", headers=coordinator).json()
    assert read == {
        "id": team,
        "name": "St. Olavs ambulant team",
        "kind": "specialist_team",
        "municipality_code": None,
        "parent_id": trust,
    }
    with Session(db) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.resource_type == "organisation")
            .order_by(col(AuditEntry.id))
        ).all()
    assert [(e.action, e.resource_id) for e in entries] == [
        ("create", str(trust)),
        ("create", str(team)),
        ("create", str(selbu)),
    ]


def test_bad_organisations_are_refused_naming_the_field(
    client: TestClient, coordinator: Headers
) -> None:
    """An unknown kind, parent or municipality, or a name taken already: 422 on that field; an
    unknown id is 404."""
    assert_invalid(
        client.post(URL, json={"name": "X", "kind": "club"}, headers=coordinator), "kind"
    )
    body = {"name": "Team", "kind": "specialist_team", "parent_id": 999}
    assert_invalid(client.post(URL, json=body, headers=coordinator), "parent_id")
    body = {"name": "Y", "kind": "municipality", "municipality_code": "9999"}
    assert_invalid(client.post(URL, json=body, headers=coordinator), "municipality_code")
    add(client, coordinator, name="Selbu kommune", kind="municipality")
    again = {"name": "Selbu kommune", "kind": "municipality"}
    assert_invalid(client.post(URL, json=again, headers=coordinator), "name")
    assert client.get(f"{URL}/4242", headers=coordinator).status_code == 404


def test_only_planners_of_every_municipality_add_organisations(
    client: TestClient, headers_for: Callable[..., Headers]
) -> None:
    """A coordinator of one municipality reads organisations but may not add one (403); an
    auditor may do neither."""
    local = headers_for(Role.COORDINATOR, municipalities=[STJORDAL])
    assert client.get(URL, headers=local).status_code == 200
    body = {"name": "St. Olavs hospital", "kind": "hospital_trust"}
    assert client.post(URL, json=body, headers=local).status_code == 403
    auditor = headers_for(Role.AUDITOR)
    assert client.get(URL, headers=auditor).status_code == 403
    assert client.post(URL, json=body, headers=headers_for(Role.ADMIN)).status_code == 201


def test_staff_visits_and_care_plans_name_organisations(
    client: TestClient, coordinator: Headers
) -> None:
    """Staff carry their organisation; a joint visit and a care plan name one per part; an
    unknown organisation or a list of the wrong length is refused naming its field."""
    team = add(client, coordinator, name="Team", kind="specialist_team")
    selbu = add(client, coordinator, name="Selbu", kind="municipality", municipality_code=MERAKER)
    staff = created(
        client.post("/api/v1/staff", json=make_staff(organisation_id=team), headers=coordinator)
    )
    assert staff["organisation_id"] == team
    bad_staff = make_staff(organisation_id=999)
    assert_invalid(
        client.post("/api/v1/staff", json=bad_staff, headers=coordinator), "organisation_id"
    )
    patient = created(client.post("/api/v1/patients", json=make_patient(), headers=coordinator))
    joint = make_visit(patient["id"], staff_count=2, part_organisation_ids=[team, selbu])
    visit = created(client.post("/api/v1/visits", json=joint, headers=coordinator))
    assert visit["part_organisation_ids"] == [team, selbu]
    single = make_visit(patient["id"], organisation_id=selbu)
    assert (
        created(client.post("/api/v1/visits", json=single, headers=coordinator))["organisation_id"]
        == selbu
    )
    unknown = make_visit(patient["id"], staff_count=2, part_organisation_ids=[team, 999])
    assert_invalid(
        client.post("/api/v1/visits", json=unknown, headers=coordinator), "part_organisation_ids"
    )
    short = make_visit(patient["id"], staff_count=2, part_organisation_ids=[team])
    response = client.post("/api/v1/visits", json=short, headers=coordinator)
    assert response.status_code == 422
    assert "part_organisation_ids needs one entry per staff member" in response.json()["detail"]
    plan = make_care_plan(patient["id"], staff_count=2, part_organisation_ids=[team, None])
    stored = created(client.post("/api/v1/care-plans", json=plan, headers=coordinator))
    assert stored["part_organisation_ids"] == [team, None]
    both = make_care_plan(patient["id"], organisation_id=team, part_organisation_ids=[team])
    response = client.post("/api/v1/care-plans", json=both, headers=coordinator)
    assert response.status_code == 422
    assert "not both" in response.json()["detail"]
