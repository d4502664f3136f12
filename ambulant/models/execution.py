"""The day as it happens: what nurses report about their visits, where they are, who dropped out.

Reports are facts kept forever (who said what, when); the state of a plan at a moment is computed
from them (`ambulant.execution.state`), never stored, so a late report cannot be lost.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from ambulant.timeutil import AwareDateTime, now


class VisitStatus(StrEnum):
    EN_ROUTE = "en_route"
    STARTED = "started"
    DONE = "done"
    NOT_HOME = "not_home"
    CANCELLED = "cancelled"


class VisitStatusReport(SQLModel, table=True):
    """One report about one visit. `idempotency_key` (per reporter) makes a retried POST apply
    once. A coordinator saying a visit runs late stores `started` with `expected_end_at`."""

    __table_args__ = (
        UniqueConstraint("reported_by", "idempotency_key", name="uq_report_idempotency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visitrequest.id", index=True)
    date: dt.date = Field(index=True, description="The visit's local date.")
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    status: VisitStatus = Field(sa_type=AutoString, max_length=20)
    at: dt.datetime = Field(sa_type=AwareDateTime, description="When it happened.")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    expected_end_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    reported_by: str = Field(max_length=200, description="The token subject of the reporter.")
    reporter_role: str = Field(max_length=20)
    received_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
    idempotency_key: str | None = Field(default=None, max_length=200)


class StaffPosition(SQLModel, table=True):
    """Where a staff member was at a moment (from a status report, or a phone's own ping)."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    date: dt.date = Field(index=True)
    at: dt.datetime = Field(sa_type=AwareDateTime)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    report_id: int | None = Field(default=None, foreign_key="visitstatusreport.id")


class StaffAbsence(SQLModel, table=True):
    """A staff member unavailable from `from_at` (sick, car trouble) for the rest of the day."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    date: dt.date = Field(index=True)
    from_at: dt.datetime = Field(sa_type=AwareDateTime)
    reason: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
