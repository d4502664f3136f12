"""/api/v1/me/calendar-links and /api/v1/staff/{id}/schedule.ics: a nurse's secret link opens her
own published days as iCalendar events, carrying less than the schedule shows, until revoked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Event
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.auth.users import deactivate_user, ensure_user
from ambulant.calendar.links import MAX_ACTIVE_LINKS, hash_secret
from ambulant.models import AuditEntry, AuditOutcome, CalendarLink, Patient, Role, User
from tests.api.builders import Headers, assert_invalid, created
from tests.api.roster import Rostered, republish_with_anns_visit_later

pytestmark = pytest.mark.one_database

LINKS = "/api/v1/me/calendar-links"


@pytest.fixture
def ann(rostered: Rostered, headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.NURSE, rostered.ann, subject="ann")


@pytest.fixture
def bob(rostered: Rostered, headers_for: Callable[..., Headers]) -> Headers:
    return headers_for(Role.NURSE, rostered.bob, subject="bob")


def feed_path(link: dict[str, str]) -> tuple[str, str]:
    """The feed's path and token from a created link's URL."""
    url = urlsplit(link["url"])
    return url.path, parse_qs(url.query)["token"][0]


def events(body: bytes) -> list[Event]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_a_nurse_subscribes_to_her_today_and_tomorrow(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """The link's URL serves text/calendar with one event per visit today and tomorrow (not the
    day after), in UTC, with the patient's initials and address and no name, notes or id."""
    link = created(client.post(LINKS, json={"label": "iPhone"}, headers=ann))
    path, token = feed_path(link)
    assert path == f"/api/v1/staff/{rostered.ann}/schedule.ics"
    assert link["webcal_url"].startswith("webcal://") and link["label"] == "iPhone"

    response = client.get(path, params={"token": token})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    found = events(response.content)
    with Session(db) as session:
        patients = {
            p.id: p
            for p in session.exec(
                select(Patient).where(
                    col(Patient.id).in_([rostered.ann_today, rostered.ann_tomorrow])
                )
            )
        }
    assert len(found) == 2
    days = sorted(e.decoded("dtstart").date() for e in found)
    assert days == [rostered.today, rostered.today + dt.timedelta(days=1)]
    text = response.content.decode()
    for event in found:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.utcoffset() == dt.timedelta(0) and end - start == dt.timedelta(minutes=30)
        assert str(event["summary"]).startswith("Medication - P. ")
        assert str(event["uid"]).startswith(f"staff-{rostered.ann}-visit-")
        assert int(event["sequence"]) == 1 and "last-modified" in event
    assert {str(e["location"]) for e in found} == {p.address for p in patients.values()}
    assert not any(p.name in text for p in patients.values())
    assert "Key box" not in text and "geo:" not in text


def test_the_feed_is_stable_so_calendars_update_rather_than_duplicate(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """Two reads of an unchanged day give the same bytes (events, UIDs, stamps) and ETag; a
    calendar sending that ETag gets a 304, which shows nothing and writes no audit entry."""
    path, token = feed_path(created(client.post(LINKS, headers=ann)))
    first = client.get(path, params={"token": token})
    second = client.get(path, params={"token": token})
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    with Session(db) as session:
        before = len(session.exec(select(AuditEntry)).all())
    unchanged = client.get(
        path, params={"token": token}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert unchanged.status_code == 304 and not unchanged.content
    with Session(db) as session:
        assert len(session.exec(select(AuditEntry)).all()) == before


def test_a_new_version_updates_the_event_it_moves(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """Version 2 moves Ann's visit today an hour: the same UID, an hour later, SEQUENCE up by
    one, LAST-MODIFIED later; tomorrow's event is as it was."""
    path, token = feed_path(created(client.post(LINKS, headers=ann)))
    before = {str(e["uid"]): e for e in events(client.get(path, params={"token": token}).content)}
    republish_with_anns_visit_later(db, rostered)
    after = {str(e["uid"]): e for e in events(client.get(path, params={"token": token}).content)}
    assert set(after) == set(before)
    (moved,) = [
        uid for uid in after if after[uid].decoded("dtstart") != before[uid].decoded("dtstart")
    ]
    assert after[moved].decoded("dtstart") - before[moved].decoded("dtstart") == dt.timedelta(
        hours=1
    )
    assert int(after[moved]["sequence"]) == int(before[moved]["sequence"]) + 1 == 2
    assert after[moved].decoded("last-modified") > before[moved].decoded("last-modified")
    (kept,) = set(after) - {moved}
    assert after[kept].to_ical() == before[kept].to_ical()


def test_only_a_hash_of_the_secret_is_stored_and_lists_show_no_secret(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers, bob: Headers
) -> None:
    """The table holds the SHA-256 of the token, not the token; a nurse lists her own links
    only, without secret or URL."""
    link = created(client.post(LINKS, json={"label": "Work phone"}, headers=ann))
    _, token = feed_path(link)
    with Session(db) as session:
        stored = session.exec(select(CalendarLink)).one()
    assert stored.secret_hash == hash_secret(token) and token not in stored.secret_hash
    listed = client.get(LINKS, headers=ann).json()
    assert listed == [{"id": link["id"], "label": "Work phone", "created_at": link["created_at"]}]
    assert client.get(LINKS, headers=bob).json() == []


def test_a_revoked_or_unknown_link_is_the_same_404(
    client: TestClient, rostered: Rostered, ann: Headers, bob: Headers
) -> None:
    """After DELETE the link's feed is 404 with exactly the body of a made-up token; another
    nurse cannot revoke it (404), and revoking it again changes nothing."""
    link = created(client.post(LINKS, headers=ann))
    path, token = feed_path(link)
    assert client.delete(f"{LINKS}/{link['id']}", headers=bob).status_code == 404
    assert client.get(path, params={"token": token}).status_code == 200
    assert client.delete(f"{LINKS}/{link['id']}", headers=ann).status_code == 204
    assert client.delete(f"{LINKS}/{link['id']}", headers=ann).status_code == 204
    revoked = client.get(path, params={"token": token})
    unknown = client.get(path, params={"token": "x" * 43})
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.json() == unknown.json() == {"detail": "calendar feed not found", "field": None}
    assert client.get(LINKS, headers=ann).json() == []


def test_a_link_opens_its_owners_day_only(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """Ann's token on Bob's feed is the same 404 as an unknown token, and the refused attempt
    is in the audit trail under Ann."""
    _, token = feed_path(created(client.post(LINKS, headers=ann)))
    response = client.get(f"/api/v1/staff/{rostered.bob}/schedule.ics", params={"token": token})
    assert response.status_code == 404
    assert response.json()["detail"] == "calendar feed not found"
    with Session(db) as session:
        denied = session.exec(
            select(AuditEntry).where(AuditEntry.outcome == AuditOutcome.DENIED)
        ).all()
    assert [(e.subject, e.resource_type, e.resource_id) for e in denied] == [
        ("ann", "schedule_feed", str(rostered.bob))
    ]


def test_a_deactivated_nurses_links_stop_working(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """Deactivating the user closes her feed (404); reactivating her opens it again."""
    path, token = feed_path(created(client.post(LINKS, headers=ann)))
    with Session(db) as session:
        deactivate_user(session, subject="ann")
        session.commit()
    assert client.get(path, params={"token": token}).status_code == 404
    with Session(db) as session:
        ensure_user(session, subject="ann", role=Role.NURSE, staff_id=rostered.ann)
        session.commit()
    assert client.get(path, params={"token": token}).status_code == 200


def test_every_feed_read_is_audited_per_patient(
    client: TestClient, db: Engine, rostered: Rostered, ann: Headers
) -> None:
    """A read writes one entry per patient it showed, under the link's owner, as a schedule
    read does."""
    path, token = feed_path(created(client.post(LINKS, headers=ann)))
    client.get(path, params={"token": token})
    with Session(db) as session:
        reads = session.exec(
            select(AuditEntry).where(AuditEntry.resource_type == "schedule_feed")
        ).all()
    assert sorted((e.subject, e.action, e.patient_id) for e in reads) == [
        ("ann", "read", rostered.ann_today),
        ("ann", "read", rostered.ann_tomorrow),
    ]


def test_an_admin_revokes_every_link_of_a_user(
    client: TestClient,
    db: Engine,
    rostered: Rostered,
    ann: Headers,
    coordinator: Headers,
    headers_for: Callable[..., Headers],
) -> None:
    """DELETE /users/{id}/calendar-links closes all her feeds; it is for admins only (403 for a
    coordinator), and an unknown user is 404."""
    paths = [feed_path(created(client.post(LINKS, headers=ann))) for _ in range(2)]
    with Session(db) as session:
        user = session.exec(select(User).where(User.subject == "ann")).one()
    admin = headers_for(Role.ADMIN, subject="admin")
    url = f"/api/v1/users/{user.id}/calendar-links"
    assert client.delete(url, headers=coordinator).status_code == 403
    assert client.delete("/api/v1/users/98765/calendar-links", headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 204
    for path, token in paths:
        assert client.get(path, params={"token": token}).status_code == 404


def test_links_are_for_nurses_and_bounded(
    client: TestClient, rostered: Rostered, ann: Headers, coordinator: Headers
) -> None:
    """A coordinator has no schedule to subscribe to (403); a nurse has at most a few active
    links (409 past that); a bad label or token is 422 naming it."""
    assert client.post(LINKS, headers=coordinator).status_code == 403
    for _ in range(MAX_ACTIVE_LINKS):
        created(client.post(LINKS, headers=ann))
    assert client.post(LINKS, headers=ann).status_code == 409
    assert_invalid(client.post(LINKS, json={"label": "x" * 81}, headers=ann), "label")
    feed = f"/api/v1/staff/{rostered.ann}/schedule.ics"
    assert_invalid(client.get(feed, params={"token": "short"}), "token")
    assert_invalid(client.get(feed), "token")
