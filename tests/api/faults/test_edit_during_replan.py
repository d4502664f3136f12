"""A coordinator edits a visit while a replan of its day is being solved: the solve reads the
visit as it was, so the edit is refused (409) until the solve is done, and then it is taken."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import PlanStatus, VisitRequest
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import ReplanRequest
from tests.api.builders import Headers
from tests.builders import TinyRegion, make_patient, make_staff, make_visit
from tests.replanning.day import COORDINATOR, solved_plan


@pytest.mark.slow
def test_an_edit_during_a_replan_waits_for_it(
    client: TestClient, db: Engine, settings: Settings, region: TinyRegion, coordinator: Headers
) -> None:
    with Session(db) as session:
        make_staff(session, region)
        for _ in range(2):
            make_visit(session, region, make_patient(session, region))
        session.commit()
    plan_id = solved_plan(db, settings, day=region.day)
    with Session(db) as session:
        visit = session.exec(select(VisitRequest).where(VisitRequest.date == region.day)).first()
        assert visit is not None and visit.id is not None
        visit_id, duration = visit.id, visit.duration_minutes
        replan = request_replan(
            session, plan_id=plan_id, request=ReplanRequest(), principal=COORDINATOR
        )
        session.commit()
        assert replan.id is not None
        replan_id = replan.id

    edit = {"duration_minutes": duration + 15}
    refused = client.patch(f"/api/v1/visits/{visit_id}", json=edit, headers=coordinator)
    assert refused.status_code == 409, refused.text
    assert f"plan {replan_id}" in refused.json()["detail"]
    with Session(db) as session:
        stored = session.get(VisitRequest, visit_id)
        assert stored is not None and stored.duration_minutes == duration

    solved = run_job(db, plan_id=replan_id, settings=settings)
    assert solved.status == PlanStatus.DRAFT, solved.error
    taken = client.patch(f"/api/v1/visits/{visit_id}", json=edit, headers=coordinator)
    assert taken.status_code == 200, taken.text
    assert taken.json()["duration_minutes"] == duration + 15
