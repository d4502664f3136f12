"""/api/v1/bases (POST) and /api/v1/users: admins add bases and users with their scopes; bad
input is a 422 naming the field, a duplicate a 409, anyone else a 403; each change audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.models import AuditEntry, Role
from tests.api.builders import Headers, assert_invalid, created, make_staff
from tests.builders import MERAKER, STJORDAL


@pytest.fixture
def admin(headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.ADMIN, subject="admin")


def audited(db: Engine, resource_type: str) -> list[tuple[str, str, str | None]]:
    with Session(db) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.resource_type == resource_type)
        ).all()
    return [(e.subject, e.action, e.resource_id) for e in entries]


def test_admins_add_bases(
    client: TestClient, admin: Headers, coordinator: Headers, db: Engine
) -> None:
    """A new base in Meråker is stored, listed and audited; the same name there again is a
    409 on name, an unknown municipality a 422 on municipality_code; a coordinator is 403."""
    body = {"name": "Meråker helsetun", "municipality_code": MERAKER, "lat": 63.41, "lon": 11.74}
    base = created(client.post("/api/v1/bases", json=body, headers=admin))
    assert base | {"id": 0} == body | {"id": 0, "kind": "home_care", "organisation_id": None}
    listed = client.get("/api/v1/bases", headers=coordinator).json()
    assert base in listed
    again = client.post("/api/v1/bases", json=body, headers=admin)
    assert again.status_code == 409 and again.json()["field"] == "name", again.text
    unknown = body | {"name": "Elsewhere", "municipality_code": "9999"}
    assert_invalid(client.post("/api/v1/bases", json=unknown, headers=admin), "municipality_code")
    assert_invalid(client.post("/api/v1/bases", json=body | {"lat": 91}, headers=admin), "lat")
    refused = client.post("/api/v1/bases", json=body | {"name": "B"}, headers=coordinator)
    assert refused.status_code == 403
    assert audited(db, "base") == [("admin", "create", str(base["id"]))]


def test_admins_add_and_list_users(
    client: TestClient, admin: Headers, coordinator: Headers, db: Engine
) -> None:
    """A Stjørdal coordinator and a nurse are added with their scopes and listed; a subject
    taken is 409, a nurse without staff_id or a coordinator of an unknown municipality 422;
    a coordinator may neither list nor add users."""
    staff = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))["id"]
    kari = {"subject": "kari", "role": "coordinator", "municipalities": [STJORDAL]}
    user = created(client.post("/api/v1/users", json=kari, headers=admin))
    assert (user["role"], user["municipalities"], user["all_municipalities"], user["active"]) == (
        "coordinator",
        [STJORDAL],
        False,
        True,
    )
    nurse = created(
        client.post(
            "/api/v1/users",
            json={"subject": "ola", "role": "nurse", "staff_id": staff},
            headers=admin,
        )
    )
    assert nurse["staff_id"] == staff and nurse["municipalities"] == []
    subjects = [u["subject"] for u in client.get("/api/v1/users", headers=admin).json()]
    assert {"kari", "ola", "admin"} <= set(subjects)

    taken = client.post("/api/v1/users", json=kari | {"role": "auditor"}, headers=admin)
    assert taken.status_code == 409 and taken.json()["field"] == "subject", taken.text
    no_staff = {"subject": "per", "role": "nurse"}
    assert_invalid(client.post("/api/v1/users", json=no_staff, headers=admin), "staff_id")
    elsewhere = kari | {"subject": "siri", "municipalities": ["9999"]}
    assert_invalid(client.post("/api/v1/users", json=elsewhere, headers=admin), "municipalities")
    assert_invalid(
        client.post("/api/v1/users", json=kari | {"subject": "x", "role": "boss"}, headers=admin),
        "role",
    )
    assert client.get("/api/v1/users", headers=coordinator).status_code == 403
    refused = client.post("/api/v1/users", json=kari | {"subject": "eve"}, headers=coordinator)
    assert refused.status_code == 403
    assert [a for _, a, _ in audited(db, "user") if a == "create"] == ["create", "create"]
