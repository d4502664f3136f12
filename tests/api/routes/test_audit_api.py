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

from ambulant.auth.users import deactivate_user, ensure_user
from ambulant.config import Settings
from ambulant.models import AuditEntry, Role, User
from ambulant.timeutil import now
from tests.api.builders import Headers, assert_hidden, created, make_patient, make_visit
from tests.api.roster import Rostered
from tests.auth.forge import forge_token, valid_claims

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
    (emergency,) = [
        e for e in entries(db) if e.action == "emergency_read" and e.outcome == "allowed"
    ]
    assert (emergency.subject, emergency.purpose) == ("bob", body["reason"])
    # The two refusals are in the trail too, with no reason copied (it opened nothing).
    refused = [e for e in entries(db) if e.outcome == "denied"]
    assert [(*shape(e)[1:], e.role, e.purpose) for e in refused] == [
        ("emergency_read", "patient", str(meraker), meraker, "nurse", None),
        (
            "emergency_read",
            "patient",
            str(rostered.ann_later),
            rostered.ann_later,
            "coordinator",
            None,
        ),
    ]


def test_a_nurse_refused_another_nurses_schedule_is_in_the_trail(
    client: TestClient, db: Engine, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """Ann asks for Bob's schedule: 404 exactly as for a staff id nobody has, and one entry says
    she tried and was denied, though her request's transaction rolled back. The id nobody has
    is no attempt on anyone's data and leaves nothing."""
    ann = headers_for(Role.NURSE, rostered.ann, subject="ann")
    assert_hidden(client, "/api/v1/staff/{}/schedule", rostered.bob, headers=ann)
    (entry,) = entries(db)
    assert shape(entry) == ("ann", "read", "staff", str(rostered.bob), None)
    assert (entry.outcome, entry.role, entry.client) == ("denied", "nurse", "testclient")
    assert entry.user_id == user_id(db, "ann")


def test_a_nurse_refused_a_patient_is_in_the_patients_report(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
    auditor: Headers,
) -> None:
    """Ann asks for Bob's patient (404, as for a patient nobody has) and to change it (403:
    planners only): two denied entries naming the patient, and the patient's report counts them
    apart from real accesses."""
    ann = headers_for(Role.NURSE, rostered.ann, subject="ann")
    patient = rostered.bob_today
    assert_hidden(client, PATIENTS + "/{}", patient, headers=ann)
    changed = client.patch(f"{PATIENTS}/{patient}", json={"notes": "x"}, headers=ann)
    assert changed.status_code == 403
    assert [(*shape(e), e.outcome) for e in entries(db)] == [
        ("ann", "read", "patient", str(patient), patient, "denied"),
        ("ann", "update", "patient", str(patient), patient, "denied"),
    ]
    report = client.get(f"/api/v1/audit/patients/{patient}", headers=auditor).json()
    assert (report["accesses"], report["denied"]) == (0, 2)
    (ann_line,) = report["users"]
    assert (ann_line["subject"], ann_line["accesses"], ann_line["denied"]) == ("ann", 0, 2)
    assert ann_line["actions"] == []
    listed = client.get("/api/v1/audit", params={"patient_id": patient}, headers=auditor).json()
    assert {(e["subject"], e["outcome"]) for e in listed["items"]} == {
        ("ann", "denied"),
        ("auditor", "allowed"),  # the auditor's reading of the report
    }


def test_a_refused_role_is_in_the_trail(
    client: TestClient, db: Engine, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """A nurse asking to publish a plan is 403 (planners only): the entry names what the path
    names, the plans collection and the id."""
    ann = headers_for(Role.NURSE, rostered.ann, subject="ann")
    assert client.post("/api/v1/plans/1/publish", headers=ann).status_code == 403
    (entry,) = entries(db)
    assert (*shape(entry), entry.outcome) == ("ann", "create", "plan", "1", None, "denied")


def user_id(db: Engine, subject: str) -> int | None:
    with Session(db) as session:
        user = session.exec(select(User).where(User.subject == subject)).one()
        return user.id


def test_a_deactivated_user_trying_to_read_is_in_the_trail(
    client: TestClient, settings: Settings, db: Engine, rostered: Rostered
) -> None:
    """A valid token for a user who has left: 403, and an entry under the token's subject with
    no role (she has none in ambulant any more)."""
    with Session(db) as session:
        ensure_user(session, subject="leaver", role=Role.NURSE, staff_id=rostered.ann)
        deactivate_user(session, subject="leaver")
        session.commit()
    token = forge_token(settings, claims=valid_claims(settings, sub="leaver"))
    url = f"{PATIENTS}/{rostered.ann_today}"
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    (entry,) = entries(db)
    assert (*shape(entry), entry.role, entry.outcome) == (
        "leaver",
        "read",
        "patient",
        str(rostered.ann_today),
        rostered.ann_today,
        "none",
        "denied",
    )
