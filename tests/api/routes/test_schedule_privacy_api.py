"""Privacy by date: a nurse reads her schedule with her patients' details today and on her next
working day, past days without notes, and later days not at all (403, audited); coordinators
read every day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.models import AuditEntry, AuditOutcome, Role, Shift
from ambulant.timeutil import local, today
from api.main import create_app
from tests.api.builders import Headers
from tests.api.roster import publish
from tests.builders import TinyRegion, make_patient, make_staff, make_visit

pytestmark = pytest.mark.dates


@dataclass
class Week:
    ann: int
    days: list[dt.date]
    """Yesterday, today, tomorrow and the day after, each a published day for Ann."""


@pytest.fixture
def week(db: Engine, region: TinyRegion) -> Week:
    days = [today() + dt.timedelta(days=n) for n in range(-1, 3)]
    regions = [TinyRegion(day=d, base=region.base) for d in days]
    with Session(db, expire_on_commit=False) as session:
        ann = make_staff(session, regions[0], name="Ann")
        assert ann.id is not None
        for r in regions[1:]:
            session.add(
                Shift(
                    staff_id=ann.id,
                    date=r.day,
                    start_at=local(r.day, dt.time(7, 30)),
                    end_at=local(r.day, dt.time(15, 0)),
                )
            )
        for r in regions:
            patient = make_patient(session, r, notes="Key box by the door.")
            publish(session, r.day, [(ann, [make_visit(session, r, patient)])])
        session.commit()
    return Week(ann=ann.id, days=days)


def read(
    client: TestClient, week: Week, day: dt.date, headers: Headers
) -> tuple[int, dict[str, Any]]:
    response = client.get(
        f"/api/v1/staff/{week.ann}/schedule", params={"date": day.isoformat()}, headers=headers
    )
    return response.status_code, response.json()


def test_a_nurse_reads_her_days_by_date(
    client: TestClient, week: Week, headers_for: Callable[..., Headers], db: Engine
) -> None:
    """Today and tomorrow in full; yesterday with names and addresses but no notes; the day
    after tomorrow 403 with the last open day in the message, and the refusal audited."""
    nurse = headers_for(Role.NURSE, week.ann, subject="ann")
    yesterday, now_day, tomorrow, after = week.days
    for day in (now_day, tomorrow):
        status, body = read(client, week, day, nurse)
        assert status == 200, body
        [stop] = [s for s in body["stops"] if s["kind"] == "visit"]
        assert stop["notes"] == "Key box by the door." and stop["patient_name"] and stop["address"]
    status, body = read(client, week, yesterday, nurse)
    assert status == 200, body
    [stop] = [s for s in body["stops"] if s["kind"] == "visit"]
    assert stop["notes"] is None and stop["patient_name"] and stop["address"]

    status, body = read(client, week, after, nurse)
    assert status == 403, body
    assert body["field"] == "date" and tomorrow.isoformat() in body["detail"]
    with Session(db) as session:
        denied = session.exec(
            select(AuditEntry).where(AuditEntry.outcome == AuditOutcome.DENIED)
        ).all()
    assert [(e.subject, e.resource_type, e.resource_id, e.action) for e in denied] == [
        ("ann", "schedule", str(week.ann), "read")
    ]


def test_coordinators_read_every_day_in_full(
    client: TestClient, week: Week, coordinator: Headers
) -> None:
    """The day after tomorrow and yesterday, notes included: planning needs them."""
    for day in (week.days[0], week.days[3]):
        status, body = read(client, week, day, coordinator)
        assert status == 200, body
        assert [s["notes"] for s in body["stops"] if s["kind"] == "visit"] == [
            "Key box by the door."
        ]


@pytest.fixture
def two_days_ahead(settings: Settings, region: TinyRegion) -> Iterator[TestClient]:
    settings = settings.model_copy(update={"schedule_days_ahead": 2})
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_setting_opens_more_working_days(
    two_days_ahead: TestClient, week: Week, headers_for: Callable[..., Headers]
) -> None:
    """With AMBULANT_SCHEDULE_DAYS_AHEAD=2 the day after tomorrow opens too, notes included."""
    status, body = read(two_days_ahead, week, week.days[3], headers_for(Role.NURSE, week.ann))
    assert status == 200, body
    assert [s["notes"] for s in body["stops"] if s["kind"] == "visit"] == ["Key box by the door."]
