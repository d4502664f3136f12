"""A care plan's visit on one day: the visit request one window of the plan asks for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from ambulant.errors import InvalidInput
from ambulant.models import CarePlan, VisitRequestCreate
from ambulant.timeutil import local


def window_length(plan: CarePlan) -> dt.timedelta:
    """The plan's window, as wall-clock time on one day (the same every day)."""
    day = dt.date(2000, 1, 3)
    return dt.datetime.combine(day, plan.window_end) - dt.datetime.combine(day, plan.window_start)


def planned_visit(plan: CarePlan, *, start: dt.datetime, slot: int = 0) -> dict[str, Any]:
    """The values of the visit request `plan` asks for in the window starting at `start` (naive
    Oslo wall-clock time), validated like API input. The window ends `window_length` of
    wall-clock time later; both ends become instants by RFC 5545's rule for the clock changes.
    Values, not a row: generation compares most of them with a stored visit and makes few rows."""
    day = start.date()
    end = start + window_length(plan)
    start_at, end_at = local(day, start.time()), local(end.date(), end.time())
    if end_at - start_at < dt.timedelta(minutes=plan.duration_minutes):
        # The window began in the hour the spring change skips, so its start moved an hour
        # later (RFC 5545) and its wall-clock end no longer leaves room: it keeps its length.
        end_at = start_at + window_length(plan)
    try:
        create = VisitRequestCreate(
            patient_id=plan.patient_id,
            care_plan_id=plan.id,
            description=plan.description,
            window_start=start_at,
            window_end=end_at,
            duration_minutes=plan.duration_minutes,
            skills=plan.skills,
            second_staff_skills=plan.second_staff_skills if plan.staff_count > 1 else [],
            staff_count=plan.staff_count,
            priority=plan.priority,
            required_skill_level=plan.required_skill_level,
            series=plan.series,
            organisation_id=plan.organisation_id,
            part_organisation_ids=plan.part_organisation_ids if plan.staff_count > 1 else [],
        )
    except ValidationError as error:
        raise InvalidInput(
            f"care plan {plan.id} gives an invalid visit on {day}: {error.errors()[0]['msg']}",
            field="care_plan_id",
        ) from error
    return {**create.model_dump(), "date": day, "care_plan_slot": slot}
