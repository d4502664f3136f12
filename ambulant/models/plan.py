"""Plans: one solve of one day for one scope, with its routes, stops and what was left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index
from sqlmodel import JSON, AutoString, Field, SQLModel

from ambulant.models.vocabulary import PlanStatus
from ambulant.timeutil import AwareDateTime, now


class Plan(SQLModel, table=True):
    # The versions of a day and scope, and its published one: what a nurse's schedule, the
    # current plan and the next version number look up (docs/operations.md, "PostgreSQL").
    __table_args__ = (Index("ix_plan_date_scope_status", "date", "scope", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    date: dt.date
    scope: str = Field(default="all", max_length=40, description="'all' or a municipality code.")
    version: int = Field(default=1, ge=1)
    based_on_id: int | None = Field(default=None, foreign_key="plan.id")
    status: PlanStatus = Field(default=PlanStatus.QUEUED, index=True, sa_type=AutoString)
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    published_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    travel_provider: str = Field(default="", max_length=40)
    travel_estimated: bool = Field(
        default=False, description="True when any leg is a straight-line estimate, not a road."
    )
    parameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    solver_stats: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    kpis: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    objective: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    diff: dict[str, Any] | None = Field(
        default=None,
        sa_type=JSON,
        description="A replan's changes against its base, computed once by the worker.",
    )
    error: str | None = Field(default=None, max_length=2000)
    worker: str | None = Field(
        default=None, max_length=200, description="host:pid of the worker that last ran its job."
    )
    attempts: int = Field(default=0, description="How often a worker has started its job.")
    progress: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="While it solves: the best plan so far (objective, visits placed), written "
        "by the worker about once a second.",
    )


class PlanRoute(SQLModel, table=True):
    """A staff member's day in a plan: when they leave and return, and the drive in total."""

    # A plan's routes, and one staff member's route in it (a nurse's schedule).
    __table_args__ = (Index("ix_planroute_plan_id_staff_id", "plan_id", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    staff_id: int = Field(foreign_key="staff.id", index=True)
    departure_at: dt.datetime = Field(sa_type=AwareDateTime)
    return_at: dt.datetime = Field(sa_type=AwareDateTime)
    travel_s: int = 0
    return_travel_s: int = 0
    distance_m: int = 0
    overtime_s: int = 0


class PlanStop(SQLModel, table=True):
    """A visit (or a break: kind 'break', no visit; or a fixed appointment: kind 'appointment')
    in a staff member's route, in order."""

    # A plan's stops, and one staff member's stops in it in order (a nurse's schedule).
    __table_args__ = (
        Index("ix_planstop_plan_id_staff_id_sequence", "plan_id", "staff_id", "sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    staff_id: int = Field(foreign_key="staff.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visitrequest.id", index=True)
    # No foreign key: a meeting cancelled after planning may be deleted, and the plan keeps the
    # time it held (as the audit trail keeps ids of rows that are gone).
    appointment_id: int | None = Field(default=None, index=True)
    kind: str = Field(default="visit", max_length=12)
    sequence: int
    part: int = 0
    arrival_at: dt.datetime = Field(sa_type=AwareDateTime)
    start_at: dt.datetime = Field(sa_type=AwareDateTime)
    end_at: dt.datetime = Field(sa_type=AwareDateTime)
    travel_s: int = Field(default=0, description="Drive from the previous location.")
    distance_m: int = Field(default=0, description="Road distance from the previous location.")


class UnassignedVisit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    visit_id: int = Field(foreign_key="visitrequest.id")
    reason: str = Field(max_length=40)
    detail: str = Field(default="", max_length=1000)
    closest_staff_id: int | None = Field(default=None, foreign_key="staff.id")
