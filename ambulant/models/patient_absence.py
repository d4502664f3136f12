"""A patient away from home for a while (a hospital stay, a stay with family): no care plan
visits on those days."""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationInfo, field_validator
from sqlmodel import Field, SQLModel

from ambulant.models.ranges import FORBID_EXTRA
from ambulant.timeutil import Day


class PatientAbsenceBase(SQLModel):
    first_day: Day = Field(description="The first Oslo date without visits.")
    last_day: Day = Field(description="The last Oslo date without visits (included).")
    reason: str = Field(default="", max_length=200, description="e.g. 'hospital stay'")


class PatientAbsence(PatientAbsenceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)


class PatientAbsenceCreate(PatientAbsenceBase):
    model_config = FORBID_EXTRA

    @field_validator("last_day")
    @classmethod
    def _not_before_first(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        first = info.data.get("first_day")
        if first is not None and v < first:
            raise ValueError("last_day must not be before first_day")
        return v


class PatientAbsencePublic(PatientAbsenceBase):
    id: int
    patient_id: int
