"""What a replan and a recommendation request say, and what they answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from ambulant.models import VisitRequestCreate
from ambulant.models.ranges import FORBID_EXTRA, Id
from ambulant.planning.views import PlanSummary
from ambulant.replanning.diff import PlanDiff, VisitChange
from ambulant.timeutil import OSLO, WallClock


class StaffUnavailable(BaseModel):
    model_config = FORBID_EXTRA

    staff_id: Id
    from_at: WallClock = Field(description="Unavailable from then for the rest of the day.")
    reason: str = Field(default="", max_length=200)


class RunningLate(BaseModel):
    model_config = FORBID_EXTRA

    visit_id: Id
    expected_end_at: WallClock = Field(description="When the running visit will now end.")


class ReplanRequest(BaseModel):
    """Any mix of changes; an empty request replans from the reports alone."""

    model_config = FORBID_EXTRA

    based_on_version: int | None = Field(
        default=None, ge=1, description="The version the caller looked at (or send If-Match)."
    )
    at: WallClock | None = Field(
        default=None, description="The moment to replan from (default: now)."
    )
    new_visits: list[VisitRequestCreate] = Field(default_factory=list, max_length=20)
    cancelled_visit_ids: list[Id] = Field(default_factory=list, max_length=200)
    unavailable: list[StaffUnavailable] = Field(default_factory=list, max_length=50)
    running_late: list[RunningLate] = Field(default_factory=list, max_length=50)
    publish: bool = Field(
        default=False, description="Publish the new version at once if it is ready in time."
    )


class ReplanAnswer(BaseModel):
    plan: PlanSummary
    based_on_plan_id: int
    based_on_version: int
    error: str | None = None
    diff: PlanDiff | None = None
    """Present once the new version is solved."""
    published: bool = False
    warnings: list[str] = Field(default_factory=list)


class RecommendationRequest(VisitRequestCreate):
    """A visit as it would be requested, plus how many options to show."""

    k: int = Field(default=3, ge=1, le=10)
    at: WallClock | None = Field(
        default=None, description="The moment to recommend from (default: now)."
    )


class Option(BaseModel):
    """One way to fit the visit in: who, when, at what cost, and what else would move."""

    rank: int
    staff_ids: list[int]
    staff_names: list[str]
    start_at: dt.datetime
    added_travel_s: int
    shifted_visit_ids: list[int]
    dropped_visit_ids: list[int]
    cost_delta: int
    feasible: bool

    @computed_field(  # type: ignore[prop-decorator]
        description="The option in words for a coordinator, e.g. 'Ann at 11:00, saves 147 min "
        "drive, 2 shifted, drops visit 12'."
    )
    @property
    def summary(self) -> str:
        who = " and ".join(
            name or f"staff {staff_id}"
            for staff_id, name in zip(self.staff_ids, self.staff_names, strict=False)
        )
        if not self.feasible:
            return f"{who}: does not fit"
        parts = [
            f"{who} at {self.start_at.astimezone(OSLO):%H:%M}",
            drive_change(self.added_travel_s),
            f"{len(self.shifted_visit_ids)} shifted",
        ]
        if self.dropped_visit_ids:
            ids = ", ".join(map(str, self.dropped_visit_ids))
            many = len(self.dropped_visit_ids) > 1
            parts.append(f"drops visit{'s' if many else ''} {ids}")
        return ", ".join(parts)


def drive_change(seconds: int) -> str:
    """A change in driving as a person reads it: "+12 min drive", or "saves 147 min drive" when
    the option drives less (the visit it drops was further away than the new one), never
    "+-147". Minutes are rounded to the nearest the same way on both sides of zero (floor
    division would make -61 s "2 min")."""
    minutes = round(abs(seconds) / 60)
    if minutes == 0:
        return "no added drive"
    return f"+{minutes} min drive" if seconds > 0 else f"saves {minutes} min drive"


class Recommendations(BaseModel):
    plan_id: int
    version: int
    at: dt.datetime
    options: list[Option]
    reason: str | None = None
    """Why there are no options, when there are none."""
    elapsed_s: float


# What `hand_moves` refuses first, said in the OpenAPI document: staff_id or staff_ids, not both.
NOT_BOTH_STAFF_SCHEMA: dict[str, Any] = {
    "not": {
        "required": ["staff_id", "staff_ids"],
        "properties": {"staff_id": {"type": "integer"}, "staff_ids": {"type": "array"}},
    }
}


class MoveRequest(BaseModel):
    """A visit moved by hand: to other staff, to another time, or both. A joint visit names its
    staff in `staff_ids` (one per part, in part order); a visit for one names `staff_id`. Without
    staff the visit stays with whoever has it; without `start_at` it keeps its start if the new
    route allows (else as soon as it does)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=NOT_BOTH_STAFF_SCHEMA)

    visit_id: Id
    staff_id: Id | None = None
    staff_ids: list[Id] | None = Field(default=None, min_length=1, max_length=2)
    start_at: WallClock | None = Field(
        default=None, description="The new start; without an offset, Oslo time."
    )

    @model_validator(mode="after")
    def _not_both(self) -> MoveRequest:
        # Refused before the plan is read, as the document's `not` says.
        if self.staff_id is not None and self.staff_ids is not None:
            raise ValueError(
                "staff_ids or staff_id, not both: a joint visit's staff go in staff_ids"
            )
        return self


class MoveViolation(BaseModel):
    """A rule the move would break, in the words a coordinator reads."""

    rule: str
    """The validator's rule (solver.validator), e.g. `time_window`, `skills`, `refused`."""
    message: str
    visit_id: int | None = None
    staff_id: int | None = None


class MoveCheck(BaseModel):
    """What the move would do, nothing stored: whether it keeps every rule, which it breaks, and
    every visit whose staff or start it changes (the moved one and those re-timed after it)."""

    plan_id: int
    version: int
    valid: bool
    violations: list[MoveViolation]
    changes: list[VisitChange]
    existing_violations: int = 0
    """Rules the stored plan already breaks (e.g. a visit reported late), not blamed on the
    move."""


class MoveAnswer(BaseModel):
    plan: PlanSummary
    based_on_plan_id: int
    based_on_version: int
    changes: list[VisitChange]
    diff: PlanDiff
