"""Visit requests: one patient, one day, a time window to be visited in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationInfo, field_validator, model_validator
from sqlalchemy import Index
from sqlmodel import JSON, AutoString, Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from ambulant.models.organisation import PART_ORGANISATIONS_SCHEMA, check_part_organisations
from ambulant.models.ranges import FORBID_EXTRA, MAX_LAG_MINUTES, Id
from ambulant.models.vocabulary import (
    MAX_SKILL_LEVEL,
    SERIES_MAX_LENGTH,
    DependencyAnchor,
    DependencyStaff,
    Priority,
    Skill,
)
from ambulant.timeutil import OSLO, AwareDateTime, WallClock


class VisitRequestBase(SQLModel):
    """The visit must start and end inside [window_start, window_end]."""

    patient_id: Id = Field(foreign_key="patient.id", index=True)
    care_plan_id: Id | None = Field(default=None, foreign_key="careplan.id")
    description: str = Field(default="", max_length=500)
    window_start: dt.datetime = Field(sa_type=AwareDateTime)
    window_end: dt.datetime = Field(sa_type=AwareDateTime)
    duration_minutes: int = Field(ge=1, le=600)
    skills: list[Skill] = Field(default_factory=list, sa_type=JSON)
    second_staff_skills: list[Skill] = Field(default_factory=list, sa_type=JSON)
    staff_count: int = Field(default=1, ge=1, le=2)
    priority: Priority = Field(default=Priority.NORMAL, sa_type=AutoString)
    pinned_staff_id: Id | None = Field(default=None, foreign_key="staff.id")
    depends_on_id: Id | None = Field(
        default=None,
        foreign_key="visitrequest.id",
        description="This visit starts between min_lag and max_lag minutes after that one starts "
        "(or ends: dependency_anchor), by staff as dependency_staff says.",
    )
    min_lag_minutes: int = Field(default=0, ge=0, le=MAX_LAG_MINUTES)
    max_lag_minutes: int | None = Field(default=None, ge=0, le=MAX_LAG_MINUTES)
    dependency_anchor: DependencyAnchor = Field(
        default=DependencyAnchor.START,
        sa_type=AutoString,
        max_length=10,
        sa_column_kwargs={"server_default": DependencyAnchor.START.value},
        description="Whether the lag counts from the start or the end of the depends_on visit.",
    )
    dependency_staff: DependencyStaff = Field(
        default=DependencyStaff.ANY,
        sa_type=AutoString,
        max_length=10,
        sa_column_kwargs={"server_default": DependencyStaff.ANY.value},
        description="'same': the depends_on visit's staff member does this one too; "
        "'different': someone else does; 'any': either.",
    )
    required_skill_level: int = Field(
        default=0,
        ge=0,
        le=MAX_SKILL_LEVEL,
        sa_column_kwargs={"server_default": "0"},
        description="The least staff skill_level that may do it (0: anyone).",
    )
    series: str | None = Field(
        default=None,
        min_length=1,
        max_length=SERIES_MAX_LENGTH,
        description="Visits of one patient on one day with the same series are all done by one "
        "staff member (e.g. 'medication' for the morning and the evening dose).",
    )
    organisation_id: Id | None = Field(
        default=None,
        foreign_key="organisation.id",
        description="Staff of this organisation do it (every part), e.g. a hospital trust's "
        "specialist team.",
    )
    part_organisation_ids: list[Id | None] = Field(
        default_factory=list,
        sa_type=JSON,
        description="For a joint visit: per staff member (part 1, part 2) the organisation they "
        "come from, null for any; e.g. a specialist of the hospital's ambulant team with a "
        "municipal nurse. Give this or organisation_id.",
    )


class VisitRequest(VisitRequestBase, table=True):
    # One generated visit per care plan, day and window: two generations at once cannot both
    # make it (hand-made visits have no slot, and NULLs never collide).
    __table_args__ = (
        Index(
            "uq_visitrequest_care_plan_slot",
            "care_plan_id",
            "date",
            "care_plan_slot",
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    date: dt.date = Field(index=True, description="Local (Oslo) date of the window start.")
    # Which of its care plan's windows that day this visit is (0 = the day's first), for visits
    # the care plan generated; None for a visit made by hand, which generation never touches.
    care_plan_slot: int | None = Field(default=None)


# What `VisitRequestCreate._lags` enforces of its parts, said in the OpenAPI document.
VISIT_PARTS_SCHEMA: dict[str, Any] = {
    "allOf": [
        *PART_ORGANISATIONS_SCHEMA,
        {
            "if": {"properties": {"staff_count": {"const": 1}}},
            "then": {"properties": {"second_staff_skills": {"maxItems": 0}}},
        },
    ]
}


class VisitRequestCreate(VisitRequestBase):
    model_config = SQLModelConfig(**FORBID_EXTRA, json_schema_extra=VISIT_PARTS_SCHEMA)

    # A time a person types (naive is Oslo), in the years ambulant plans: the type says so in the
    # OpenAPI document too.
    window_start: WallClock
    window_end: WallClock

    @field_validator("window_end")
    @classmethod
    def _end_after_start(cls, v: dt.datetime, info: ValidationInfo) -> dt.datetime:
        start = info.data.get("window_start")
        if start is not None and v <= start:
            raise ValueError("window_end must be after window_start")
        if start is not None and v.astimezone(OSLO).date() != start.astimezone(OSLO).date():
            raise ValueError("window_end must be on the same day as window_start")
        return v

    @field_validator("duration_minutes")
    @classmethod
    def _fits(cls, v: int, info: ValidationInfo) -> int:
        start, end = info.data.get("window_start"), info.data.get("window_end")
        if start is not None and end is not None:
            window = int((end - start).total_seconds() // 60)
            if v > window:
                raise ValueError(f"duration_minutes ({v}) is longer than the window ({window})")
        return v

    @model_validator(mode="after")
    def _lags(self) -> VisitRequestCreate:
        if self.max_lag_minutes is not None and self.max_lag_minutes < self.min_lag_minutes:
            raise ValueError("max_lag_minutes must not be below min_lag_minutes")
        if self.staff_count == 1 and self.second_staff_skills:
            raise ValueError("second_staff_skills needs staff_count 2")
        check_part_organisations(self.organisation_id, self.part_organisation_ids, self.staff_count)
        return self

    @property
    def local_date(self) -> dt.date:
        return self.window_start.astimezone(OSLO).date()


class VisitRequestUpdate(SQLModel):
    model_config = FORBID_EXTRA

    description: str | None = None
    window_start: WallClock | None = None
    window_end: WallClock | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    skills: list[Skill] | None = None
    second_staff_skills: list[Skill] | None = None
    staff_count: int | None = Field(default=None, ge=1, le=2)
    priority: Priority | None = None
    pinned_staff_id: Id | None = None
    depends_on_id: Id | None = None
    min_lag_minutes: int | None = Field(default=None, ge=0, le=MAX_LAG_MINUTES)
    max_lag_minutes: int | None = Field(default=None, ge=0, le=MAX_LAG_MINUTES)
    dependency_anchor: DependencyAnchor | None = None
    dependency_staff: DependencyStaff | None = None
    required_skill_level: int | None = Field(default=None, ge=0, le=MAX_SKILL_LEVEL)
    series: str | None = Field(default=None, min_length=1, max_length=SERIES_MAX_LENGTH)
    organisation_id: Id | None = None
    part_organisation_ids: list[Id | None] | None = None


class VisitRequestPublic(VisitRequestBase):
    id: int
    date: dt.date
