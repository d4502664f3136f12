"""Staff and their shifts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationInfo, field_validator, model_validator
from sqlmodel import JSON, AutoString, Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from ambulant.models.ranges import FORBID_EXTRA, Id
from ambulant.models.vocabulary import MAX_SKILL_LEVEL, Discipline, Skill, StartFrom, Team
from ambulant.timeutil import OSLO, AwareDateTime, WallClock


class StaffBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    # Enums are stored as their string values: a new value needs no database migration.
    discipline: Discipline = Field(sa_type=AutoString)
    team: Team = Field(default=Team.HOME_NURSING, sa_type=AutoString)
    skills: list[Skill] = Field(default_factory=list, sa_type=JSON)
    municipality_code: str = Field(
        foreign_key="municipality.code", max_length=8, description="Employing municipality."
    )
    serves: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Municipality codes this person may work in; empty means all.",
    )
    start_from: StartFrom = Field(default=StartFrom.BASE, sa_type=AutoString)
    base_id: Id | None = Field(default=None, foreign_key="base.id")
    home_lat: float | None = Field(default=None, ge=-90, le=90)
    home_lon: float | None = Field(default=None, ge=-180, le=180)
    skill_level: int = Field(
        default=0,
        ge=0,
        le=MAX_SKILL_LEVEL,
        sa_column_kwargs={"server_default": "0"},
        description="How qualified: 0 not graded, 1 assistant, 2 nurse or therapist, "
        "3 specialist. A visit needing more is not theirs; one needing less is over-qualified "
        "work (a soft cost).",
    )
    organisation_id: Id | None = Field(
        default=None,
        foreign_key="organisation.id",
        index=True,
        description="The organisation employing them (a municipality, a hospital trust's "
        "specialist team); a visit may need staff of a given organisation.",
    )


class Staff(StaffBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


# What `StaffCreate._start_location` enforces, said in the OpenAPI document: a day starts at a
# base (the default) or at home, and the place it starts from must be given.
START_LOCATION_SCHEMA: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"start_from": {"const": StartFrom.BASE.value}}},
            "then": {"required": ["base_id"], "properties": {"base_id": {"type": "integer"}}},
        },
        {
            "if": {
                "properties": {"start_from": {"const": StartFrom.HOME.value}},
                "required": ["start_from"],
            },
            "then": {
                "required": ["home_lat", "home_lon"],
                "properties": {"home_lat": {"type": "number"}, "home_lon": {"type": "number"}},
            },
        },
    ]
}


class StaffCreate(StaffBase):
    model_config = SQLModelConfig(**FORBID_EXTRA, json_schema_extra=START_LOCATION_SCHEMA)

    @model_validator(mode="after")
    def _start_location(self) -> StaffCreate:
        if self.start_from == StartFrom.BASE and self.base_id is None:
            raise ValueError("base_id is required when start_from is 'base'")
        if self.start_from == StartFrom.HOME and (self.home_lat is None or self.home_lon is None):
            raise ValueError("home_lat and home_lon are required when start_from is 'home'")
        return self


class StaffUpdate(SQLModel):
    model_config = FORBID_EXTRA

    name: str | None = Field(default=None, min_length=1, max_length=200)
    discipline: Discipline | None = None
    team: Team | None = None
    skills: list[Skill] | None = None
    municipality_code: str | None = None
    serves: list[str] | None = None
    start_from: StartFrom | None = None
    base_id: Id | None = None
    home_lat: float | None = Field(default=None, ge=-90, le=90)
    home_lon: float | None = Field(default=None, ge=-180, le=180)
    skill_level: int | None = Field(default=None, ge=0, le=MAX_SKILL_LEVEL)
    organisation_id: Id | None = None


class StaffPublic(StaffBase):
    id: int


class ShiftBase(SQLModel):
    staff_id: Id = Field(foreign_key="staff.id", index=True)
    start_at: dt.datetime = Field(sa_type=AwareDateTime)
    end_at: dt.datetime = Field(sa_type=AwareDateTime)
    break_minutes: int = Field(default=30, ge=0, le=180)
    break_earliest: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    break_latest: dt.datetime | None = Field(
        default=None, sa_type=AwareDateTime, description="The break must end by then."
    )


class Shift(ShiftBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    date: dt.date = Field(index=True, description="Local (Oslo) date the shift starts on.")


class ShiftCreate(ShiftBase):
    model_config = FORBID_EXTRA

    # Times a person types (naive is Oslo), in the years ambulant plans, as the document says.
    start_at: WallClock
    end_at: WallClock
    break_earliest: WallClock | None = None
    break_latest: WallClock | None = Field(default=None, description="The break must end by then.")

    @field_validator("end_at")
    @classmethod
    def _end_after_start(cls, v: dt.datetime, info: ValidationInfo) -> dt.datetime:
        start = info.data.get("start_at")
        if start is not None and v <= start:
            raise ValueError("end_at must be after start_at")
        if start is not None and v - start > dt.timedelta(hours=16):
            raise ValueError("end_at is more than 16 hours after start_at")
        return v

    @model_validator(mode="after")
    def _break_inside(self) -> ShiftCreate:
        if self.break_minutes == 0:
            return self
        earliest = self.break_earliest or self.start_at
        latest = self.break_latest or self.end_at
        if earliest < self.start_at or latest > self.end_at:
            raise ValueError("break_earliest and break_latest must lie inside the shift")
        if (latest - earliest) < dt.timedelta(minutes=self.break_minutes):
            raise ValueError("break_minutes does not fit between break_earliest and break_latest")
        return self

    @property
    def local_date(self) -> dt.date:
        return self.start_at.astimezone(OSLO).date()


class ShiftUpdate(SQLModel):
    model_config = FORBID_EXTRA

    start_at: WallClock | None = None
    end_at: WallClock | None = None
    break_minutes: int | None = Field(default=None, ge=0, le=180)
    break_earliest: WallClock | None = None
    break_latest: WallClock | None = None


class ShiftPublic(ShiftBase):
    id: int
    date: dt.date
