"""Patients and their standing care plans."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import ValidationInfo, WithJsonSchema, field_validator, model_validator
from sqlmodel import JSON, AutoString, Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from ambulant.models.day_list import DayList
from ambulant.models.organisation import PART_ORGANISATIONS_SCHEMA, check_part_organisations
from ambulant.models.ranges import FORBID_EXTRA, Id
from ambulant.models.recurrence import check_rule, weekdays_rule
from ambulant.models.vocabulary import MAX_SKILL_LEVEL, SERIES_MAX_LENGTH, Priority, Skill
from ambulant.timeutil import Day

RRULE_MAX_LENGTH = 500


class PatientBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=8, index=True)
    notes: str = Field(default="", max_length=4000)
    preferred_staff: list[Id] = Field(default_factory=list, sa_type=JSON)
    refused_staff: list[Id] = Field(default_factory=list, sa_type=JSON)


class Patient(PatientBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


# What `PatientCreate._both_or_neither` enforces, said in the OpenAPI document: a point is a pair.
BOTH_OR_NEITHER_SCHEMA: dict[str, Any] = {
    "allOf": [
        {
            "if": {"required": [one], "properties": {one: {"type": "number"}}},
            "then": {"required": [other], "properties": {other: {"type": "number"}}},
        }
        for one, other in (("lat", "lon"), ("lon", "lat"))
    ]
}


class PatientCreate(PatientBase):
    """Coordinates may be left out: the address is then geocoded (the local address register by
    default, so a patient's address does not leave the system)."""

    model_config = SQLModelConfig(**FORBID_EXTRA, json_schema_extra=BOTH_OR_NEITHER_SCHEMA)

    lat: float | None = Field(default=None, ge=-90, le=90)  # type: ignore[assignment]
    lon: float | None = Field(default=None, ge=-180, le=180)  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _explicit_coordinates(cls, data: Any) -> Any:
        # A default is not validated; an explicit None is, so the check below sees half a pair.
        if isinstance(data, dict) and ("lat" in data) != ("lon" in data):
            return {"lat": None, "lon": None} | data
        return data

    @field_validator("lon")
    @classmethod
    def _both_or_neither(cls, v: float | None, info: ValidationInfo) -> float | None:
        lat = info.data.get("lat")
        if (v is None) != (lat is None):
            missing = "lon" if v is None else "lat"
            raise ValueError(f"give both lat and lon, or neither ({missing} is missing)")
        return v

    @field_validator("refused_staff")
    @classmethod
    def _not_both(cls, v: list[int], info: ValidationInfo) -> list[int]:
        both = set(v) & set(info.data.get("preferred_staff", []))
        if both:
            raise ValueError(f"staff {sorted(both)} cannot be both preferred and refused")
        return v


class PatientUpdate(SQLModel):
    model_config = FORBID_EXTRA

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    municipality_code: str | None = None
    notes: str | None = Field(default=None, max_length=4000)
    preferred_staff: list[Id] | None = None
    refused_staff: list[Id] | None = None


class PatientPublic(PatientBase):
    id: int


class CarePlanBase(SQLModel):
    """A standing pattern of visits: each occurrence of `recurrence` (an RFC 5545 RRULE on Oslo
    wall-clock time) yields one visit request (docs/planning.md, "Care plans")."""

    patient_id: Id = Field(foreign_key="patient.id", index=True)
    description: str = Field(default="", max_length=500)
    window_start: dt.time
    window_end: dt.time
    duration_minutes: int = Field(ge=1, le=600)
    skills: list[Skill] = Field(default_factory=list, sa_type=JSON)
    second_staff_skills: list[Skill] = Field(
        default_factory=list,
        sa_type=JSON,
        description="For joint visits: what the second staff member brings.",
    )
    staff_count: int = Field(default=1, ge=1, le=2)
    priority: Priority = Field(default=Priority.NORMAL, sa_type=AutoString)
    valid_from: Day | None = None
    valid_to: Day | None = None
    exdates: list[Day] = Field(
        default_factory=list,
        sa_type=DayList,
        description="Days without this plan's visits (EXDATE), e.g. public holidays.",
    )
    required_skill_level: int = Field(
        default=0,
        ge=0,
        le=MAX_SKILL_LEVEL,
        sa_column_kwargs={"server_default": "0"},
        description="The least staff skill_level that may do its visits (0: anyone).",
    )
    series: str | None = Field(
        default=None,
        min_length=1,
        max_length=SERIES_MAX_LENGTH,
        description="The patient's care plans with the same series give visits one staff member "
        "does on each day (e.g. morning and evening medication).",
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


def _wall_clock_time(v: dt.time | None) -> dt.time | None:
    """A care plan's times are Oslo wall-clock times, the same on every day whatever its UTC
    offset (summer or winter): a time with an offset cannot say which day's offset it meant."""
    if v is not None and v.tzinfo is not None:
        raise ValueError("a care plan's times are Oslo wall-clock times, without an offset")
    return v


_RECURRENCE_HELP = (
    "When: an RFC 5545 RRULE whose DTSTART is valid_from at window_start, e.g. "
    "FREQ=WEEKLY;BYDAY=MO,WE,FR; FREQ=WEEKLY;INTERVAL=2;BYDAY=TU (every second week, counted "
    "from valid_from); FREQ=DAILY;BYHOUR=8,20 (two windows a day, each as long as "
    "window_start-window_end); ...;UNTIL=20270630 or ...;COUNT=10 to end it."
)

# What `_wall_clock_time` enforces, said in the OpenAPI document: a time of day without an offset
# (pydantic's own `format: time` would allow one). A client sees the rule the 422 enforces.
WALL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"
WallTime = Annotated[
    dt.time, WithJsonSchema({"type": "string", "pattern": WALL_TIME_PATTERN, "example": "08:30"})
]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]


class CarePlan(CarePlanBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    recurrence: str = Field(max_length=RRULE_MAX_LENGTH)


CARE_PLAN_PARTS_SCHEMA: dict[str, Any] = {"allOf": PART_ORGANISATIONS_SCHEMA}


class CarePlanCreate(CarePlanBase):
    model_config = SQLModelConfig(**FORBID_EXTRA, json_schema_extra=CARE_PLAN_PARTS_SCHEMA)

    window_start: WallTime
    window_end: WallTime
    weekdays: list[Weekday] | None = Field(
        default=None,
        min_length=1,
        exclude=True,
        description="The older form, instead of recurrence: these weekdays (0 = Monday) every "
        "week; stored as the rule FREQ=WEEKLY;BYDAY=....",
    )
    # After the window, the validity and weekdays, so its check sees them (pydantic's order).
    recurrence: str | None = Field(
        default=None,
        max_length=RRULE_MAX_LENGTH,
        description=_RECURRENCE_HELP,
    )

    @model_validator(mode="before")
    @classmethod
    def _check_missing_rule(cls, data: Any) -> Any:
        # A default is not validated; an explicit None is, so weekdays alone become the rule.
        if isinstance(data, dict) and "recurrence" not in data:
            return data | {"recurrence": None}
        return data

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and (not v or any(d < 0 or d > 6 for d in v)):
            raise ValueError("weekdays must be 0 (Monday) to 6 (Sunday), at least one")
        return v

    @field_validator("exdates")
    @classmethod
    def _exdates(cls, v: list[dt.date]) -> list[dt.date]:
        return sorted(set(v))

    @field_validator("window_start", "window_end")
    @classmethod
    def _no_offset(cls, v: dt.time) -> dt.time | None:
        return _wall_clock_time(v)

    @field_validator("window_end")
    @classmethod
    def _end_after_start(cls, v: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("window_start")
        if start is not None and v <= start:
            raise ValueError("window_end must be after window_start")
        return v

    @field_validator("duration_minutes")
    @classmethod
    def _fits(cls, v: int, info: ValidationInfo) -> int:
        start, end = info.data.get("window_start"), info.data.get("window_end")
        if start is not None and end is not None:
            window = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            if v > window:
                raise ValueError(f"duration_minutes ({v}) is longer than the window ({window})")
        return v

    @model_validator(mode="after")
    def _organisations(self) -> CarePlanCreate:
        check_part_organisations(self.organisation_id, self.part_organisation_ids, self.staff_count)
        return self

    @field_validator("recurrence")
    @classmethod
    def _rule(cls, v: str | None, info: ValidationInfo) -> str | None:
        weekdays = info.data.get("weekdays")
        if v is not None and weekdays is not None:
            raise ValueError("give recurrence or weekdays, not both")
        if v is None and weekdays is not None:
            return weekdays_rule(weekdays)
        if v is None:
            raise ValueError("give recurrence (an RRULE such as FREQ=WEEKLY;BYDAY=MO) or weekdays")
        start, end = info.data.get("window_start"), info.data.get("window_end")
        if start is None or end is None:
            return v  # the window's own error is the one to report
        length = dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
        return check_rule(
            v, valid_from=info.data.get("valid_from"), window_start=start, window_length=length
        )


class CarePlanUpdate(SQLModel):
    model_config = FORBID_EXTRA

    description: str | None = None
    recurrence: str | None = Field(default=None, max_length=RRULE_MAX_LENGTH)
    exdates: list[Day] | None = None
    weekdays: list[Weekday] | None = Field(default=None, min_length=1, exclude=True)
    window_start: WallTime | None = None
    window_end: WallTime | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    skills: list[Skill] | None = None
    second_staff_skills: list[Skill] | None = None
    staff_count: int | None = Field(default=None, ge=1, le=2)
    priority: Priority | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    required_skill_level: int | None = Field(default=None, ge=0, le=MAX_SKILL_LEVEL)
    series: str | None = Field(default=None, min_length=1, max_length=SERIES_MAX_LENGTH)
    organisation_id: Id | None = None
    part_organisation_ids: list[Id | None] | None = None

    @field_validator("window_start", "window_end")
    @classmethod
    def _no_offset(cls, v: dt.time | None) -> dt.time | None:
        return _wall_clock_time(v)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and (not v or any(d < 0 or d > 6 for d in v)):
            raise ValueError("weekdays must be 0 (Monday) to 6 (Sunday), at least one")
        return v

    @model_validator(mode="after")
    def _weekdays_as_rule(self) -> CarePlanUpdate:
        # The older form becomes the rule it means, so that only the rule is stored.
        if self.weekdays is not None:
            if self.recurrence is not None:
                raise ValueError("give recurrence or weekdays, not both")
            self.recurrence = weekdays_rule(self.weekdays)
            self.weekdays = None
        return self


class CarePlanPublic(CarePlanBase):
    id: int
    recurrence: str = Field(description=_RECURRENCE_HELP)
    # Stored without an offset: `format: time` (RFC 3339) would call every answer invalid.
    window_start: WallTime
    window_end: WallTime
