"""A nurse's acknowledgement that she has seen her day as changed by a published plan.

What she acknowledges is the content she saw, named by the schedule's ETag: a later version that
leaves her day as it was keeps the same ETag, so her acknowledgement still stands for it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ambulant.models.ranges import FORBID_EXTRA
from ambulant.timeutil import AwareDateTime, Day, now

ETAG_MAX_LENGTH = 40


class ScheduleAcknowledgement(SQLModel, table=True):
    __tablename__ = "schedule_acknowledgement"
    __table_args__ = (UniqueConstraint("staff_id", "date", "etag"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    date: dt.date = Field(index=True)
    etag: str = Field(max_length=ETAG_MAX_LENGTH)
    # The plan that made the day she saw (the first one, if later versions kept it unchanged).
    plan_id: int = Field(foreign_key="plan.id", index=True)
    plan_version: int
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    acknowledged_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)


class AcknowledgementCreate(SQLModel):
    model_config = FORBID_EXTRA

    date: Day
    etag: str = Field(
        min_length=1,
        max_length=ETAG_MAX_LENGTH,
        description="The schedule's ETag as read (quotes optional).",
    )


class AcknowledgementPublic(SQLModel):
    staff_id: int
    date: dt.date
    etag: str
    plan_id: int
    plan_version: int
    acknowledged_at: dt.datetime


class StaffAcknowledgement(SQLModel):
    """One staff member whose day a plan changed, and whether she has seen it as it is now."""

    staff_id: int
    staff_name: str
    acknowledged_at: dt.datetime | None
    """When she acknowledged (the current day if she has, else her latest acknowledgement)."""
    etag: str | None
    """The ETag she acknowledged."""
    plan_version: int | None
    """The plan version of the day she acknowledged."""
    current_etag: str | None
    """Her schedule's ETag now (None: she has no published day to read)."""
    current: bool
    """She has acknowledged her day as it is now."""


class PlanAcknowledgements(SQLModel):
    plan_id: int
    date: dt.date
    scope: str
    version: int
    expected: int
    """Staff whose day this plan changed (and whom the caller may see)."""
    acknowledged: int
    """Of them, those who acknowledged their current day."""
    staff: list[StaffAcknowledgement]
