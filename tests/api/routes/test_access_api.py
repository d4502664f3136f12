"""Who may call what: tokens are checked on every route but health and JWKS; nurses see only
their own record, their own schedule and the patients on it today and tomorrow. What a caller
may not see is 404, answered exactly as for an id nobody has."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.auth.users import deactivate_user, ensure_user
from ambulant.config import Settings
from ambulant.models import Role, Shift, Staff, VisitRequest
from ambulant.timeutil import local
from tests.api.builders import Headers, assert_hidden
from tests.api.roster import Rostered
from tests.auth.forge import UNSET, forge_token, other_key, valid_claims
from tests.builders import TinyRegion, make_staff


@pytest.fixture
def nurse(rostered: Rostered, headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.NURSE, rostered.ann)


def test_nurse_reads_own_record_but_no_one_elses(
    client: TestClient, rostered: Rostered, nurse: Headers
) -> None:
    """Own staff record 200; another's is 404 like a staff id that does not exist, so nurses
    cannot probe which ids exist."""
    assert client.get(f"/api/v1/staff/{rostered.ann}", headers=nurse).json()["name"] == "Ann"
    assert_hidden(client, "/api/v1/staff/{}", rostered.bob, headers=nurse)


def test_nurse_reads_own_schedule_only(
    client: TestClient, rostered: Rostered, nurse: Headers
) -> None:
    """Own schedule (today by default) 200 with the published stop; another nurse's schedule is
    404 exactly as for a staff member who does not exist."""
    schedule = client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=nurse)
    assert schedule.status_code == 200, schedule.text
    body = schedule.json()
    assert body["date"] == rostered.today.isoformat()
    assert [s["patient_id"] for s in body["stops"]] == [rostered.ann_today]
    assert_hidden(client, "/api/v1/staff/{}/schedule", rostered.bob, headers=nurse)


def test_own_schedule_on_a_day_without_a_published_plan_is_404(
    client: TestClient, rostered: Rostered, nurse: Headers
) -> None:
    """Nothing published that day: 404, not an empty day."""
    far = (rostered.today + dt.timedelta(days=30)).isoformat()
    response = client.get(
        f"/api/v1/staff/{rostered.ann}/schedule", params={"date": far}, headers=nurse
    )
    assert response.status_code == 404


def test_a_nurse_on_shift_with_no_visits_reads_an_empty_day(
    client: TestClient,
    db: Engine,
    region: TinyRegion,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
) -> None:
    """Cid has a shift today but no route in the published plan: 200 with her shift and break
    and no visits. On a day with a plan but no shift of hers, and on a day with her shift but
    no plan, 404 says which is missing."""
    today = TinyRegion(day=rostered.today, base=region.base)
    later = rostered.today + dt.timedelta(days=30)
    with Session(db, expire_on_commit=False) as session:
        cid = make_staff(session, today, name="Cid")
        make_staff_shift(session, TinyRegion(day=later, base=region.base), cid)
        session.commit()
    assert cid.id is not None
    nurse = headers_for(Role.NURSE, cid.id)
    url = f"/api/v1/staff/{cid.id}/schedule"

    response = client.get(url, headers=nurse)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["staff_name"] == "Cid" and body["date"] == rostered.today.isoformat()
    assert dt.datetime.fromisoformat(body["departure_at"]) == local(rostered.today, dt.time(7, 30))
    assert dt.datetime.fromisoformat(body["return_at"]) == local(rostered.today, dt.time(15))
    assert body["travel_s"] == 0 and body["distance_m"] == 0
    assert [(s["kind"], s["start_at"], s["end_at"]) for s in body["stops"]] == [
        (
            "break",
            local(rostered.today, dt.time(11)).isoformat(),
            local(rostered.today, dt.time(11, 30)).isoformat(),
        )
    ]
    # The empty day has an ETag like any other, so the phone can ask again cheaply.
    again = client.get(url, headers=nurse | {"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    tomorrow = (rostered.today + dt.timedelta(days=1)).isoformat()
    no_shift = client.get(url, params={"date": tomorrow}, headers=nurse)
    assert no_shift.status_code == 404
    assert no_shift.json()["field"] == "date"
    assert no_shift.json()["detail"] == f"date: staff {cid.id} has no shift on {tomorrow}"
    no_plan = client.get(url, params={"date": later.isoformat()}, headers=nurse)
    assert no_plan.status_code == 404
    assert no_plan.json()["detail"] == f"date: no published plan for staff {cid.id} on {later}"


def make_staff_shift(session: Session, day: TinyRegion, staff: Staff) -> None:
    """A second shift for `staff`, on `day.day`, with the builders' usual hours."""
    session.add(
        Shift(
            staff_id=staff.id,
            date=day.day,
            start_at=local(day.day, dt.time(7, 30)),
            end_at=local(day.day, dt.time(15)),
        )
    )
    session.flush()


def test_nurse_reads_patients_on_own_schedule_today_and_tomorrow_only(
    client: TestClient, rostered: Rostered, nurse: Headers
) -> None:
    """Today's and tomorrow's patients 200; the day after and another nurse's patient are 404
    exactly like an id that does not exist."""
    for patient in (rostered.ann_today, rostered.ann_tomorrow):
        assert client.get(f"/api/v1/patients/{patient}", headers=nurse).status_code == 200
    for patient in (rostered.ann_later, rostered.bob_today):
        assert_hidden(client, "/api/v1/patients/{}", patient, headers=nurse)


def test_nurse_reads_the_visits_on_own_schedule_only(
    client: TestClient, db: Engine, rostered: Rostered, nurse: Headers
) -> None:
    """A visit on the nurse's published day today is readable; another nurse's visit and one
    two days ahead are 404 like a missing one."""
    with Session(db) as session:
        visits = {v.patient_id: v.id for v in session.exec(select(VisitRequest)).all()}
    mine = client.get(f"/api/v1/visits/{visits[rostered.ann_today]}", headers=nurse)
    assert mine.status_code == 200 and mine.json()["patient_id"] == rostered.ann_today
    for patient in (rostered.bob_today, rostered.ann_later):
        assert_hidden(client, "/api/v1/visits/{}", visits[patient], headers=nurse)


PLANNER_ONLY = [
    ("GET", "/api/v1/staff"),
    ("POST", "/api/v1/staff"),
    ("PATCH", "/api/v1/staff/{ann}"),
    ("DELETE", "/api/v1/staff/{ann}"),
    ("GET", "/api/v1/patients"),
    ("POST", "/api/v1/patients"),
    ("DELETE", "/api/v1/patients/{ann_today}"),
    ("GET", "/api/v1/shifts"),
    ("GET", "/api/v1/care-plans"),
    ("GET", "/api/v1/visits"),
    ("POST", "/api/v1/visits"),
    ("GET", "/api/v1/municipalities"),
    ("GET", "/api/v1/plans"),
    ("POST", "/api/v1/plans"),
    ("GET", "/api/v1/plans/1"),
    ("POST", "/api/v1/plans/1/publish"),
]


def test_nurse_is_refused_everything_else(
    client: TestClient, rostered: Rostered, nurse: Headers
) -> None:
    """Listing, creating, changing, deleting and planning are 403 for a nurse, before the body
    is even looked at."""
    for method, path in PLANNER_ONLY:
        url = path.format(ann=rostered.ann, ann_today=rostered.ann_today)
        response = client.request(method, url, headers=nurse, json={})
        assert response.status_code == 403, (method, url, response.text)
    assert client.get(f"/api/v1/staff/{rostered.ann}", headers=nurse).status_code == 200


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_planners_may_read_everyone(
    client: TestClient, rostered: Rostered, headers_for: Callable[..., Headers], role: Role
) -> None:
    """Coordinators and admins read any schedule and any patient and reach every route."""
    headers = headers_for(role)
    assert client.get(f"/api/v1/staff/{rostered.bob}/schedule", headers=headers).status_code == 200
    assert client.get(f"/api/v1/patients/{rostered.ann_later}", headers=headers).status_code == 200
    for method, path in PLANNER_ONLY:
        url = path.format(ann=rostered.ann, ann_today=rostered.ann_today)
        response = client.request(method, url, headers=headers, json={})
        assert response.status_code not in (401, 403), (method, url, response.text)


def bad_tokens(settings: Settings) -> dict[str, str]:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return {
        "bad signature": forge_token(settings, key=other_key()),
        "expired": forge_token(
            settings,
            claims=valid_claims(
                settings,
                exp=past,
                iat=past - dt.timedelta(hours=1),
                nbf=past - dt.timedelta(hours=1),
            ),
        ),
        "not yet valid": forge_token(settings, claims=valid_claims(settings, nbf=later)),
        "wrong audience": forge_token(settings, claims=valid_claims(settings, aud="someone-else")),
        "wrong issuer": forge_token(
            settings, claims=valid_claims(settings, iss="https://evil.example")
        ),
        "wrong typ": forge_token(settings, headers={"typ": "JWT"}),
        "no typ": forge_token(settings, headers={"typ": UNSET}),
        "no exp": forge_token(settings, claims=valid_claims(settings, exp=UNSET)),
        "garbage": "not-a-jwt",
    }


def test_every_bad_token_is_401_with_a_bearer_challenge(
    client: TestClient,
    settings: Settings,
    rostered: Rostered,
    headers_for: Callable[..., Headers],
) -> None:
    """No token, or a token failing any check, is 401 with WWW-Authenticate: Bearer."""
    headers_for(Role.COORDINATOR, subject="test-user")  # the subject forged tokens name
    url = f"/api/v1/staff/{rostered.ann}"
    for scheme in (None, "Basic dXNlcjpwYXNz"):
        response = client.get(url, headers={"Authorization": scheme} if scheme else {})
        assert response.status_code == 401, scheme
        assert response.headers["WWW-Authenticate"] == "Bearer"
    for name, token in bad_tokens(settings).items():
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"', name
    good = forge_token(settings)
    assert client.get(url, headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_a_valid_token_of_someone_who_is_not_a_user_is_403(
    client: TestClient, settings: Settings, db: Engine, rostered: Rostered
) -> None:
    """Signed in but unknown to ambulant, or deactivated: 403, with no hint of any data."""
    stranger = forge_token(settings, claims=valid_claims(settings, sub="nobody-here"))
    response = client.get(f"/api/v1/staff/{rostered.ann}", headers=bearer(stranger))
    assert response.status_code == 403
    assert "not a user of ambulant" in response.json()["detail"]
    with Session(db) as session:
        ensure_user(session, subject="leaver", role=Role.NURSE, staff_id=rostered.ann)
        deactivate_user(session, subject="leaver")
        session.commit()
    leaver = forge_token(settings, claims=valid_claims(settings, sub="leaver"))
    response = client.get(f"/api/v1/staff/{rostered.ann}", headers=bearer(leaver))
    assert response.status_code == 403


def test_roles_come_from_the_user_table_not_the_token(
    client: TestClient, settings: Settings, db: Engine, rostered: Rostered
) -> None:
    """A nurse's token claiming role admin and another staff id is still that nurse."""
    with Session(db) as session:
        ensure_user(session, subject="ann", role=Role.NURSE, staff_id=rostered.ann)
        session.commit()
    claims = valid_claims(settings, sub="ann", role="admin", staff_id=rostered.bob)
    headers = bearer(forge_token(settings, claims=claims))
    assert client.get("/api/v1/staff", headers=headers).status_code == 403
    assert client.get(f"/api/v1/staff/{rostered.bob}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/staff/{rostered.ann}", headers=headers).status_code == 200


def test_a_user_found_by_hpr_number_when_the_subject_is_new(
    client: TestClient, settings: Settings, db: Engine, rostered: Rostered
) -> None:
    """HelseID's subject differs per client; the HPR number claim finds the same person."""
    with Session(db) as session:
        ensure_user(
            session, subject="old-sub", role=Role.NURSE, staff_id=rostered.ann, hpr_number="9144"
        )
        session.commit()
    claims = valid_claims(settings, sub="new-sub", **{settings.oidc_hpr_claim: "9144"})
    response = client.get(
        f"/api/v1/staff/{rostered.ann}", headers=bearer(forge_token(settings, claims=claims))
    )
    assert response.status_code == 200
    wrong = valid_claims(settings, sub="new-sub", **{settings.oidc_hpr_claim: "1111"})
    response = client.get(
        f"/api/v1/staff/{rostered.ann}", headers=bearer(forge_token(settings, claims=wrong))
    )
    assert response.status_code == 403


def test_auditors_read_the_audit_trail_and_nothing_else(
    client: TestClient, rostered: Rostered, headers_for: Callable[..., Headers], nurse: Headers
) -> None:
    """An auditor gets 403 on every planning route and on a patient; nurses and coordinators
    get 403 on the audit trail."""
    auditor = headers_for(Role.AUDITOR, subject="auditor")
    assert client.get("/api/v1/audit", headers=auditor).status_code == 200
    for method, path in PLANNER_ONLY:
        url = path.format(ann=rostered.ann, ann_today=rostered.ann_today)
        response = client.request(method, url, headers=auditor, json={})
        assert response.status_code == 403, (method, url, response.text)
    assert_hidden(client, "/api/v1/patients/{}", rostered.ann_today, headers=auditor)
    assert_hidden(client, "/api/v1/staff/{}/schedule", rostered.ann, headers=auditor)
    for headers in (nurse, headers_for(Role.COORDINATOR), headers_for(Role.ADMIN)):
        assert client.get("/api/v1/audit", headers=headers).status_code == 403
        report = client.get(f"/api/v1/audit/patients/{rostered.ann_today}", headers=headers)
        assert report.status_code == 403


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def test_unauthenticated_comes_before_validation(client: TestClient) -> None:
    """A request with neither token nor a valid body learns only that it must authenticate."""
    response = client.post("/api/v1/staff", json={"name": ""})
    assert response.status_code == 401
