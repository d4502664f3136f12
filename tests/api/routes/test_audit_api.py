"""The audit trail through the API: every read or write of patient data leaves one entry per
patient shown; auditors filter it and report per patient; nothing can change it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import AuditEntry, Role
from ambulant.timeutil import now
from tests.api.builders import Headers, created, make_patient, make_visit
from tests.api.roster import Rostered

PATIENTS = "/api/v1/patients"


def entries(db: Engine) -> list[AuditEntry]:
    with Session(db) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def shape(entry: AuditEntry) -> tuple[str, str, str, str | None, int | None]:
    return (entry.subject, entry.action, entry.resource_type, entry.resource_id, entry.patient_id)


@pytest.fixture
def auditor(headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.AUDITOR, subject="auditor")


def test_writes_and_reads_of_a_patient_leave_one_entry_each(
    client: TestClient, db: Engine, headers_for: Callable[..., Headers]
) -> None:
    """Create, read, list, change and delete a patient: one entry each, naming the caller, the
    action, the patient and the client address."""
    kari = headers_for(Role.COORDINATOR, subject="kari")
    patient = created(client.post(PATIENTS, json=make_patient(), headers=kari))["id"]
    client.get(f"{PATIENTS}/{patient}", headers=kari)
    client.get(PATIENTS, headers=kari)
    client.patch(f"{PATIENTS}/{patient}", json={"notes": "Dog in the yard"}, headers=kari)
    client.delete(f"{PATIENTS}/{patient}", headers=kari)
    pid = str(patient)
    assert [shape(e) for e in entries(db)] == [
        ("kari", "create", "patient", pid, patient),
        ("kari", "read", "patient", pid, patient),
        ("kari", "read", "patient", pid, patient),
        ("kari", "update", "patient", pid, patient),
        ("kari", "delete", "patient", pid, patient),
    ]
    assert {(e.role, e.client) for e in entries(db)} == {("coordinator", "testclient")}


def test_a_refused_write_leaves_no_entry(
    client: TestClient, db: Engine, coordinator: Headers
) -> None:
    """The entry is in the write's transaction: deleting a patient who still has a visit is
    409, and neither the deletion nor an entry for it is stored."""
    patient = created(client.post(PATIENTS, json=make_patient(), headers=coordinator))["id"]
    created(client.post("/api/v1/visits", json=make_visit(patient), headers=coordinator))
    before = len(entries(db))
    assert client.delete(f"{PATIENTS}/{patient}", headers=coordinator).status_code == 409
    assert len(entries(db)) == before
    assert client.get(f"{PATIENTS}/{patient}", headers=coordinator).status_code == 200


def test_a_nurse_reading_her_schedule_leaves_an_entry_per_patient_on_it(
    client: TestClient, db: Engine, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """Ann's schedule today shows one patient: one schedule entry names that patient."""
    nurse = headers_for(Role.NURSE, rostered.ann, subject="ann")
    assert client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=nurse).status_code == 200
    assert [shape(e) for e in entries(db)] == [
        ("ann", "read", "schedule", str(rostered.ann), rostered.ann_today)
    ]


def test_auditors_filter_by_patient_user_and_time(
    client: TestClient,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    auditor: Headers,
) -> None:
    """By patient, by user id and by a time window; the auditor's own reading is logged too."""
    ann = headers_for(Role.NURSE, rostered.ann, subject="ann")
    kari = headers_for(Role.COORDINATOR, subject="kari")
    client.get(f"{PATIENTS}/{rostered.ann_today}", headers=ann)
    client.get(f"{PATIENTS}/{rostered.bob_today}", headers=kari)

    def read(**params: Any) -> list[dict[str, Any]]:
        response = client.get("/api/v1/audit", params=params, headers=auditor)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    by_patient = read(patient_id=rostered.ann_today)
    assert [(e["subject"], e["action"]) for e in by_patient] == [("ann", "read")]
    ann_id = by_patient[0]["user_id"]
    assert {e["patient_id"] for e in read(user_id=ann_id)} == {rostered.ann_today}
    later = (now() + dt.timedelta(minutes=5)).isoformat()
    assert read(since=later) == []
    everything = read(until=later, limit=500)
    subjects = [e["subject"] for e in everything]
    assert {"ann", "kari", "auditor"} <= set(subjects)  # earlier filtered reads are logged
    assert client.get("/api/v1/audit", params={"limit": 0}, headers=auditor).status_code == 422


def test_the_patient_report_says_who_looked_and_why(
    client: TestClient,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    auditor: Headers,
) -> None:
    """Ann read her patient, then Bob opened the record by emergency access with a reason:
    the report lists both, Bob's reason included, most recent first."""
    ann = headers_for(Role.NURSE, rostered.ann, subject="ann")
    bob = headers_for(Role.NURSE, rostered.bob, subject="bob")
    client.get(f"{PATIENTS}/{rostered.ann_today}", headers=ann)
    reason = "Ann is ill; the patient called about insulin"
    response = client.post(
        f"{PATIENTS}/{rostered.ann_today}/emergency-access", json={"reason": reason}, headers=bob
    )
    assert response.status_code == 200
    report = client.get(f"/api/v1/audit/patients/{rostered.ann_today}", headers=auditor).json()
    assert report["accesses"] == 2
    assert [(u["subject"], u["actions"]) for u in report["users"]] == [
        ("bob", ["emergency_read"]),
        ("ann", ["read"]),
    ]
    assert report["users"][0]["purposes"] == [reason]


def test_there_is_no_way_to_change_the_trail(
    client: TestClient, rostered: Rostered, auditor: Headers, coordinator: Headers
) -> None:
    """No route updates or deletes entries, for an auditor or anyone else."""
    client.get(f"{PATIENTS}/{rostered.ann_today}", headers=coordinator)
    entry = client.get("/api/v1/audit", headers=auditor).json()["items"][0]["id"]
    for method in ("PATCH", "PUT", "DELETE"):
        for headers in (auditor, coordinator):
            response = client.request(method, f"/api/v1/audit/{entry}", headers=headers, json={})
            assert response.status_code in (404, 405), (method, response.status_code)
        assert client.request(method, "/api/v1/audit", headers=auditor).status_code == 405


def test_emergency_access_is_for_nurses_where_they_work_with_a_reason(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    coordinator: Headers,
) -> None:
    """A Stjørdal nurse may open a Stjørdal patient off her schedule with a reason; without a
    real reason 422; a patient in Meråker is 404 like a missing one; coordinators are 403."""
    nurse = headers_for(Role.NURSE, rostered.bob, subject="bob")
    url = f"{PATIENTS}/{{}}/emergency-access"
    short = client.post(url.format(rostered.ann_later), json={"reason": "x"}, headers=nurse)
    assert short.status_code == 422 and short.json()["field"] == "reason"
    meraker = created(
        client.post(PATIENTS, json=make_patient(municipality_code="5034"), headers=coordinator)
    )["id"]
    body = {"reason": "the patient called the base"}
    hidden = client.post(url.format(meraker), json=body, headers=nurse)
    missing = client.post(url.format(987654), json=body, headers=nurse)
    assert hidden.status_code == missing.status_code == 404
    assert client.post(url.format(rostered.ann_later), json=body, headers=nurse).status_code == 200
    denied = client.post(url.format(rostered.ann_later), json=body, headers=coordinator)
    assert denied.status_code == 403
    (emergency,) = [e for e in entries(db) if e.action == "emergency_read"]
    assert (emergency.subject, emergency.purpose) == ("bob", body["reason"])
