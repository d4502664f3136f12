"""Fixed appointments in a staff member's day: a team meeting, clinic hours at the medical centre.

The route must reach the place in time and stay for the whole of it; visits are planned around
it. The place is a base (the district medical centre) or a point with an address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationInfo, field_validator, model_validator
from sqlmodel import Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from ambulant.models.ranges import FORBID_EXTRA, Id
from ambulant.timeutil import OSLO, AwareDateTime, WallClock

# Longer than this is not an appointment inside a working day but a day off the road.
MAX_APPOINTMENT = dt.timedelta(hours=12)


class AppointmentBase(SQLModel):
    staff_id: Id = Field(foreign_key="staff.id", index=True)
    title: str = Field(min_length=1, max_length=200)
    start_at: dt.datetime = Field(sa_type=AwareDateTime)
    end_at: dt.datetime = Field(sa_type=AwareDateTime)
    base_id: Id | None = Field(
        default=None, foreign_key="base.id", description="Held at this base (e.g. the DMS)."
    )
    address: str = Field(default="", max_length=300, description="Where, for people to read.")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Appointment(AppointmentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    date: dt.date = Field(index=True, description="Local (Oslo) date it starts on.")


# What `AppointmentCreate._one_place` enforces, said in the OpenAPI document.
ONE_PLACE_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "required": ["base_id"],
            "properties": {
                "base_id": {"type": "integer"},
                "lat": {"type": "null"},
                "lon": {"type": "null"},
            },
        },
        {
            "required": ["lat", "lon"],
            "properties": {
                "lat": {"type": "number"},
                "lon": {"type": "number"},
                "base_id": {"type": "null"},
            },
        },
    ]
}


class AppointmentCreate(AppointmentBase):
    """At a base (`base_id`) or at a point (`lat`, `lon`, and `address` for people), not both."""

    model_config = SQLModelConfig(**FORBID_EXTRA, json_schema_extra=ONE_PLACE_SCHEMA)

    title: str = Field(min_length=1, max_length=200, schema_extra={"pattern": r"\S"})
    start_at: WallClock
    end_at: WallClock

    @field_validator("title")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("title must not be blank")
        return v

    @field_validator("end_at")
    @classmethod
    def _end_after_start(cls, v: dt.datetime, info: ValidationInfo) -> dt.datetime:
        start = info.data.get("start_at")
        if start is not None and v <= start:
            raise ValueError("end_at must be after start_at")
        if start is not None and v - start > MAX_APPOINTMENT:
            raise ValueError("end_at is more than 12 hours after start_at")
        if start is not None and v.astimezone(OSLO).date() != start.astimezone(OSLO).date():
            raise ValueError("end_at must be on the same day as start_at")
        return v

    @model_validator(mode="after")
    def _one_place(self) -> AppointmentCreate:
        point = self.lat is not None or self.lon is not None
        if self.base_id is not None and point:
            raise ValueError("give base_id or lat and lon, not both")
        if self.base_id is None and (self.lat is None or self.lon is None):
            raise ValueError("base_id is required unless lat and lon give the place")
        return self

    @property
    def local_date(self) -> dt.date:
        return self.start_at.astimezone(OSLO).date()


class AppointmentUpdate(SQLModel):
    model_config = FORBID_EXTRA

    staff_id: Id | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    start_at: WallClock | None = None
    end_at: WallClock | None = None
    base_id: Id | None = None
    address: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class AppointmentPublic(AppointmentBase):
    id: int
    date: dt.date
