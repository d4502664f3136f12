"""Visit status from the field: a nurse reports en route, started, done, not home or cancelled.

A phone retries when the network drops; send an Idempotency-Key and a retry is applied once
(the first answer is 201, a repeat 200 with the same report).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Response
from pydantic import BaseModel, Field

from ambulant.auth import access, policy
from ambulant.execution.status_reports import StatusReport, record_status
from ambulant.models import Patient, VisitRequest, VisitStatus, VisitStatusReport
from ambulant.models.ranges import FORBID_EXTRA, Id
from ambulant.notify import announce, visit_status_event
from ambulant.timeutil import Instant
from api.deps import PathId, PrincipalDep, SessionDep, SettingsDep
from api.security import limit_field_requests

router = APIRouter(prefix="/visits", tags=["visit status"])


class StatusBody(BaseModel):
    model_config = FORBID_EXTRA

    status: VisitStatus
    at: Instant = Field(description="When it happened, with its UTC offset (as a phone knows it).")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    staff_id: Id | None = Field(default=None, description="Coordinators: on whose behalf.")
    expected_end_at: Instant | None = Field(
        default=None, description="A started visit that will run late: when it will end."
    )


class StatusPublic(BaseModel):
    id: int
    visit_id: int
    staff_id: int | None
    status: VisitStatus
    at: dt.datetime
    lat: float | None
    lon: float | None
    expected_end_at: dt.datetime | None
    received_at: dt.datetime
    reported_by: str


@router.post(
    "/{visit_id}/status",
    status_code=201,
    response_model=StatusPublic,
    dependencies=[Depends(limit_field_requests)],
    responses={
        200: {"description": "A repeat of a report already stored (same Idempotency-Key)."},
        429: {"description": "Too many requests from this caller; see Retry-After."},
    },
)
def report_status(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    background: BackgroundTasks,
    visit_id: PathId,
    body: StatusBody,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> VisitStatusReport:
    if policy.is_planner(principal):
        access.visible_visit(session, principal, visit_id, manage=True)
    report, created = record_status(
        session,
        visit_id=visit_id,
        report=StatusReport(
            status=body.status,
            at=body.at,
            lat=body.lat,
            lon=body.lon,
            staff_id=body.staff_id,
            expected_end_at=body.expected_end_at,
        ),
        principal=principal,
        idempotency_key=idempotency_key,
        clock_skew=dt.timedelta(seconds=settings.status_clock_skew_s),
    )
    if not created:
        response.status_code = 200
        return report
    visit = session.get(VisitRequest, visit_id)
    patient = session.get(Patient, visit.patient_id) if visit else None
    scope = patient.municipality_code if patient else policy.ALL_SCOPE
    background.add_task(announce, settings, [visit_status_event(report, scope)])
    return report
