"""Two coordinators publish two drafts of the same day at the same moment: exactly one wins,
the other gets a 409 naming the version now current, and nothing is half-published (one
published plan, the loser still a whole draft)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Plan, PlanStatus, PlanStop, Role
from ambulant.planning.plans import request_plan
from tests.api.builders import Headers
from tests.builders import TinyRegion, make_patient, make_staff, make_visit


def draft(db: Engine, settings: Settings, day: dt.date) -> int:
    with Session(db) as session:
        plan = request_plan(session, day=day)
        session.commit()
        assert plan.id is not None
        plan_id = plan.id
    solved = run_job(
        db, plan_id=plan_id, settings=settings.model_copy(update={"solve_time_limit_s": 0.5})
    )
    assert solved.status == PlanStatus.DRAFT, solved.error
    return plan_id


def stops_of(db: Engine, plan_id: int) -> int:
    with Session(db) as session:
        return len(session.exec(select(PlanStop).where(PlanStop.plan_id == plan_id)).all())


@pytest.mark.slow
def test_two_coordinators_publishing_at_once_one_wins_the_other_gets_409(
    client: TestClient,
    db: Engine,
    settings: Settings,
    region: TinyRegion,
    headers_for: Callable[..., Headers],
) -> None:
    with Session(db) as session:
        make_staff(session, region)
        make_staff(session, region)
        for _ in range(4):
            make_visit(session, region, make_patient(session, region))
        session.commit()
    drafts = [draft(db, settings, region.day), draft(db, settings, region.day)]
    stops_before = {plan_id: stops_of(db, plan_id) for plan_id in drafts}
    coordinators = [headers_for(Role.COORDINATOR, subject=f"coordinator-{n}") for n in range(2)]

    # Widen the window: each publish pauses as it writes the plans' new status, so without
    # the day's lock both would have read "nothing published" before either commits.
    app_engine: Engine = client.app.state.engine  # type: ignore[attr-defined]

    def slow_status_write(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE PLAN SET STATUS"):
            time.sleep(0.3)

    start = threading.Barrier(2)
    answers: dict[int, Any] = {}

    def publish(n: int) -> None:
        start.wait()
        answers[drafts[n]] = client.post(
            f"/api/v1/plans/{drafts[n]}/publish", headers=coordinators[n]
        )

    event.listen(app_engine, "before_cursor_execute", slow_status_write)
    try:
        threads = [threading.Thread(target=publish, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(app_engine, "before_cursor_execute", slow_status_write)

    statuses = sorted(a.status_code for a in answers.values())
    assert statuses == [200, 409], [a.text for a in answers.values()]
    winner = next(p for p, a in answers.items() if a.status_code == 200)
    loser = next(p for p, a in answers.items() if a.status_code == 409)
    refused = answers[loser]
    assert refused.json()["current_plan_id"] == winner
    assert refused.headers["etag"] == f'"{answers[winner].json()["version"]}"'
    with Session(db) as session:
        plans = {p.id: p for p in session.exec(select(Plan).where(Plan.date == region.day))}
    assert [p.id for p in plans.values() if p.status == PlanStatus.PUBLISHED] == [winner]
    assert plans[loser].status == PlanStatus.DRAFT and plans[loser].published_at is None
    assert {plan_id: stops_of(db, plan_id) for plan_id in drafts} == stops_before
