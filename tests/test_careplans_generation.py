"""Generation from care plans is idempotent and careful: a second run changes nothing; a changed
care plan updates its future, unsettled visits, adds and removes as it now says, and leaves done,
published, begun and hand-made visits as they are."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.errors import Conflict
from ambulant.models import (
    CarePlan,
    CarePlanCreate,
    Plan,
    PlanStatus,
    PlanStop,
    VisitRequest,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.registry.care_plan_generation import generate
from ambulant.timeutil import OSLO
from tests.builders import MERAKER, TinyRegion, add, make_patient, make_region, make_staff

MONDAY = dt.date(2026, 11, 2)
SUNDAY = MONDAY + dt.timedelta(days=6)
# "Now" for these runs: Tuesday 10:00, so Monday's and Tuesday's 08:00 windows have begun; the
# first run of each test is the week before, when all of it lay ahead.
TUESDAY_1000 = dt.datetime(2026, 11, 3, 10, 0, tzinfo=OSLO)
WEEK_BEFORE = dt.datetime(2026, 10, 26, 12, 0, tzinfo=OSLO)


def make_plan(session: Session, patient_id: int, **overrides: Any) -> CarePlan:
    values: dict[str, Any] = {
        "patient_id": patient_id,
        "description": "Medication",
        "recurrence": "FREQ=DAILY",
        "window_start": dt.time(8, 0),
        "window_end": dt.time(9, 0),
        "duration_minutes": 15,
        "skills": ["medication"],
    } | overrides
    plan: CarePlan = add(session, CarePlan.model_validate(CarePlanCreate(**values).model_dump()))
    return plan


def run(session: Session, at: dt.datetime = TUESDAY_1000, **kwargs: Any) -> dict[str, int]:
    result = generate(session, first=MONDAY, last=SUNDAY, at=at, **kwargs)
    session.commit()
    return result.counts().model_dump()


def visit_on(session: Session, plan: CarePlan, day: dt.date, slot: int = 0) -> VisitRequest:
    return session.exec(
        select(VisitRequest).where(
            VisitRequest.care_plan_id == plan.id,
            VisitRequest.date == day,
            VisitRequest.care_plan_slot == slot,
        )
    ).one()


@pytest.fixture
def region(session: Session) -> TinyRegion:
    return make_region(session, day=MONDAY)


def test_a_second_run_changes_nothing(session: Session, region: TinyRegion) -> None:
    """A week of a daily plan: seven created, then seven unchanged and nothing else; as of
    Tuesday 10:00 the windows already over are not made."""
    make_plan(session, make_patient(session, region).id or 0)
    assert run(session, WEEK_BEFORE) == {
        "created": 7,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "kept": 0,
    }
    assert run(session) == {"created": 0, "updated": 0, "removed": 0, "unchanged": 7, "kept": 0}
    assert len(session.exec(select(VisitRequest)).all()) == 7
    make_plan(session, make_patient(session, region).id or 0)
    # Monday's and Tuesday's 08:00-09:00 are over at Tuesday 10:00: Wednesday to Sunday only.
    assert run(session)["created"] == 5


def test_a_changed_plan_updates_only_unsettled_visits(session: Session, region: TinyRegion) -> None:
    """The plan moves to 09:00-10:00 and gains an evening window; Friday is a holiday.

    Monday and Tuesday have begun (kept), Wednesday is done (kept), Thursday is on the
    published plan (kept); Saturday and Sunday move (updated) and get their evening window
    (created for Tuesday to Sunday but Friday: five), Friday goes (removed); the hand-made visit
    stays as it was."""
    patient = make_patient(session, region)
    staff = make_staff(session, region)
    plan = make_plan(session, patient.id or 0)
    run(session, WEEK_BEFORE)
    wednesday, thursday, friday = (MONDAY + dt.timedelta(days=n) for n in (2, 3, 4))
    done = visit_on(session, plan, wednesday)
    add(
        session,
        VisitStatusReport(
            visit_id=done.id or 0,
            date=wednesday,
            staff_id=staff.id,
            status=VisitStatus.DONE,
            at=dt.datetime(2026, 11, 4, 8, 20, tzinfo=OSLO),
            reported_by="nurse",
            reporter_role="nurse",
        ),
    )
    published = add(session, Plan(date=thursday, status=PlanStatus.PUBLISHED))
    on_plan = visit_on(session, plan, thursday)
    at = dt.datetime(2026, 11, 5, 8, 0, tzinfo=OSLO)
    add(
        session,
        PlanStop(
            plan_id=published.id,
            staff_id=staff.id or 0,
            visit_id=on_plan.id,
            sequence=0,
            arrival_at=at,
            start_at=at,
            end_at=at + dt.timedelta(minutes=15),
        ),
    )
    by_hand = add(
        session,
        VisitRequest(
            patient_id=patient.id or 0,
            care_plan_id=plan.id,
            window_start=dt.datetime(2026, 11, 7, 8, 0, tzinfo=OSLO),
            window_end=dt.datetime(2026, 11, 7, 9, 0, tzinfo=OSLO),
            duration_minutes=30,
            date=dt.date(2026, 11, 7),
        ),
    )
    plan.recurrence = "FREQ=DAILY;BYHOUR=9,18"
    plan.window_start, plan.window_end = dt.time(9, 0), dt.time(10, 0)
    plan.exdates = [friday]
    session.add(plan)
    session.commit()

    assert run(session) == {"created": 5, "updated": 2, "removed": 1, "unchanged": 0, "kept": 4}
    for day in (MONDAY, MONDAY + dt.timedelta(days=1), wednesday, thursday):
        assert f"{visit_on(session, plan, day).window_start:%H:%M}" == "08:00", day
    for day in (MONDAY + dt.timedelta(days=5), SUNDAY):
        assert f"{visit_on(session, plan, day).window_start:%H:%M}" == "09:00"
        assert f"{visit_on(session, plan, day, slot=1).window_start:%H:%M}" == "18:00"
    friday_visits = session.exec(select(VisitRequest).where(VisitRequest.date == friday)).all()
    assert friday_visits == []
    session.refresh(by_hand)
    assert (by_hand.care_plan_slot, by_hand.duration_minutes) == (None, 30)
    assert run(session) == {"created": 0, "updated": 0, "removed": 0, "unchanged": 7, "kept": 4}


def test_a_visit_on_a_draft_is_updated_but_not_removed(
    session: Session, region: TinyRegion
) -> None:
    """A draft plan still lists Saturday's visit: a holiday on Saturday keeps it (kept), since
    removing it would take a stop from under the draft."""
    staff = make_staff(session, region)
    plan = make_plan(session, make_patient(session, region).id or 0)
    run(session, WEEK_BEFORE)
    saturday = MONDAY + dt.timedelta(days=5)
    draft = add(session, Plan(date=saturday, status=PlanStatus.DRAFT))
    visit = visit_on(session, plan, saturday)
    add(
        session,
        PlanStop(
            plan_id=draft.id,
            staff_id=staff.id or 0,
            visit_id=visit.id,
            sequence=0,
            arrival_at=visit.window_start,
            start_at=visit.window_start,
            end_at=visit.window_end,
        ),
    )
    plan.exdates = [saturday]
    session.add(plan)
    session.commit()
    assert run(session) == {"created": 0, "updated": 0, "removed": 0, "unchanged": 6, "kept": 1}
    assert session.get(VisitRequest, visit.id) is not None


def test_a_scope_generates_only_its_municipality(session: Session, region: TinyRegion) -> None:
    """Scope Meråker: only the Meråker patient's plan yields visits."""
    make_plan(session, make_patient(session, region).id or 0)
    meraker = make_plan(session, make_patient(session, region, municipality_code=MERAKER).id or 0)
    assert run(session, WEEK_BEFORE, municipalities={MERAKER})["created"] == 7
    plan_ids = session.exec(select(col(VisitRequest.care_plan_id)).distinct()).all()
    assert plan_ids == [meraker.id]


def test_two_generations_at_once_make_each_visit_once(
    session: Session, region: TinyRegion, engine: Engine
) -> None:
    """A second generation that read the week before the first one committed cannot make its
    visits again: PostgreSQL refuses the duplicates (unique care plan, day and slot) and the
    second run is a 409 (SQLite lets one writer at a time, and refuses the second outright);
    the week has each visit once, and a third run finds them all made."""
    make_plan(session, make_patient(session, region).id or 0)
    session.commit()
    first = Session(engine)
    generate(first, first=MONDAY, last=SUNDAY, at=WEEK_BEFORE)  # written, not yet committed
    outcome: list[Exception] = []

    def second() -> None:
        with Session(engine) as other:
            try:
                generate(other, first=MONDAY, last=SUNDAY, at=WEEK_BEFORE)
                other.commit()
            except Exception as error:  # what the second one meets is the point of the test
                outcome.append(error)

    racing = threading.Thread(target=second)
    racing.start()
    time.sleep(0.5)  # the second run has read the week and waits to write
    first.commit()
    first.close()
    racing.join(timeout=60)
    assert len(outcome) == 1, outcome
    if engine.dialect.name == "postgresql":
        assert isinstance(outcome[0], Conflict) and "at the same moment" in str(outcome[0])
    session.expire_all()
    assert len(session.exec(select(VisitRequest)).all()) == 7
    assert run(session, WEEK_BEFORE)["unchanged"] == 7
