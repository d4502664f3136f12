"""/api/v1/staff/{id}/schedule/acknowledgements and /api/v1/plans/{id}/acknowledgements: a nurse
acknowledges her day as she saw it (its ETag); a coordinator sees who of the staff whose day a
plan changed has acknowledged her day as it is now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.models import AuditEntry, Plan, PlanStatus, Role
from tests.api.builders import Headers, assert_hidden, assert_invalid
from tests.api.roster import Rostered, republish_with_anns_visit_later

STAFF = "/api/v1/staff"


@pytest.fixture
def ann(rostered: Rostered, headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.NURSE, rostered.ann, subject="ann")


def todays_plan(db: Engine, rostered: Rostered) -> int:
    with Session(db) as session:
        plan = session.exec(
            select(Plan).where(Plan.date == rostered.today, Plan.status == PlanStatus.PUBLISHED)
        ).one()
    assert plan.id is not None
    return plan.id


def read_etag(client: TestClient, staff_id: int, headers: Headers) -> str:
    response = client.get(f"{STAFF}/{staff_id}/schedule", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def ack(client: TestClient, staff_id: int, headers: Headers, **body: Any) -> Any:
    return client.post(f"{STAFF}/{staff_id}/schedule/acknowledgements", json=body, headers=headers)


def test_a_nurse_acknowledges_her_day_once(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """The ETag she read is acknowledged (201, with the plan's version); sending it again is
    200 with the same acknowledgement and writes no second row or audit entry."""
    etag = read_etag(client, rostered.ann, ann)
    first = ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=etag)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["etag"] == etag and body["plan_version"] == 1 and body["staff_id"] == rostered.ann
    again = ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=etag.strip('"'))
    assert again.status_code == 200 and again.json() == body
    with Session(db) as session:
        audited = session.exec(
            select(AuditEntry).where(AuditEntry.resource_type == "schedule_acknowledgement")
        ).all()
    assert len(audited) == 1
    listed = client.get(
        f"{STAFF}/{rostered.ann}/schedule/acknowledgements",
        params={"date": rostered.today.isoformat()},
        headers=ann,
    )
    assert listed.status_code == 200 and listed.json() == [body]


def test_the_coordinator_sees_who_has_acknowledged_the_current_day(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers, coordinator: Headers
) -> None:
    """On the first version both nurses are expected and Ann has acknowledged. Version 2 moves
    only Ann's visit: only she is expected, her acknowledgement is stale (current false, still
    dated), her old ETag is refused (409), and the new one makes her current again."""
    old_etag = read_etag(client, rostered.ann, ann)
    ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=old_etag)
    first = client.get(
        f"/api/v1/plans/{todays_plan(db, rostered)}/acknowledgements", headers=coordinator
    )
    assert first.status_code == 200, first.text
    rows = {r["staff_id"]: r for r in first.json()["staff"]}
    assert set(rows) == {rostered.ann, rostered.bob} and first.json()["acknowledged"] == 1
    assert rows[rostered.ann]["current"] and rows[rostered.ann]["etag"] == old_etag
    assert not rows[rostered.bob]["current"] and rows[rostered.bob]["acknowledged_at"] is None

    v2 = republish_with_anns_visit_later(db, rostered)
    url = f"/api/v1/plans/{v2}/acknowledgements"
    (row,) = client.get(url, headers=coordinator).json()["staff"]
    assert row["staff_id"] == rostered.ann and row["staff_name"] == "Ann"
    assert not row["current"] and row["etag"] == old_etag and row["acknowledged_at"] is not None

    stale = ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=old_etag)
    assert stale.status_code == 409 and stale.json()["field"] == "etag"
    new_etag = read_etag(client, rostered.ann, ann)
    assert new_etag != old_etag and row["current_etag"] == new_etag
    renewed = ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=new_etag)
    assert renewed.status_code == 201 and renewed.json()["plan_version"] == 2
    summary = client.get(url, headers=coordinator).json()
    assert summary["acknowledged"] == summary["expected"] == 1 and summary["staff"][0]["current"]


def test_only_the_nurse_herself_acknowledges(
    client: TestClient,
    rostered: Rostered,
    ann: Headers,
    coordinator: Headers,
    headers_for: Callable[..., Headers],
) -> None:
    """Another nurse is answered as for staff that does not exist (404); a coordinator, who may
    see Ann, is refused (403)."""
    etag = read_etag(client, rostered.ann, ann)
    body = {"date": rostered.today.isoformat(), "etag": etag}
    bob = headers_for(Role.NURSE, rostered.bob, subject="bob")
    assert_hidden(
        client,
        STAFF + "/{}/schedule/acknowledgements",
        rostered.ann,
        headers=bob,
        method="POST",
        json=body,
    )
    assert ack(client, rostered.ann, coordinator, **body).status_code == 403
    assert_hidden(client, STAFF + "/{}/schedule/acknowledgements", rostered.ann, headers=bob)
    mine = client.get(f"{STAFF}/{rostered.ann}/schedule/acknowledgements", headers=coordinator)
    assert mine.status_code == 200 and mine.json() == []


def test_bad_acknowledgements_are_422_naming_the_field(
    client: TestClient, rostered: Rostered, ann: Headers
) -> None:
    """A date that is not one, a missing or too long ETag, an unknown field: 422 naming it; a
    day without a published schedule is 404."""
    etag = read_etag(client, rostered.ann, ann)
    assert_invalid(ack(client, rostered.ann, ann, date="tomorrow", etag=etag), "date")
    assert_invalid(ack(client, rostered.ann, ann, date=rostered.today.isoformat()), "etag")
    long = "x" * 41
    assert_invalid(
        ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=long), "etag"
    )
    extra = ack(client, rostered.ann, ann, date=rostered.today.isoformat(), etag=etag, plan=1)
    assert_invalid(extra, "plan")
    far = (rostered.today + dt.timedelta(days=30)).isoformat()
    assert ack(client, rostered.ann, ann, date=far, etag=etag).status_code == 404


def test_a_draft_plan_has_no_acknowledgements(
    client: TestClient, db: Engine, rostered: Rostered, coordinator: Headers
) -> None:
    """Nobody has been told of a draft: 409 naming its status; an unknown plan is 404."""
    with Session(db) as session:
        draft = Plan(date=rostered.today, status=PlanStatus.DRAFT)
        session.add(draft)
        session.commit()
        session.refresh(draft)
    response = client.get(f"/api/v1/plans/{draft.id}/acknowledgements", headers=coordinator)
    assert response.status_code == 409 and response.json()["field"] == "status"
    assert (
        client.get("/api/v1/plans/98765/acknowledgements", headers=coordinator).status_code == 404
    )
