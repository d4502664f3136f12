"""Care plans become visit requests: each plan active on a day yields that day's visit."""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError
from sqlmodel import Session, col, or_, select

from ambulant.errors import InvalidInput
from ambulant.models import CarePlan, VisitRequest, VisitRequestCreate
from ambulant.timeutil import local


def active_care_plans(session: Session, *, day: dt.date) -> list[CarePlan]:
    """Plans valid on `day` whose weekdays include it, in id order."""
    statement = (
        select(CarePlan)
        .where(or_(col(CarePlan.valid_from).is_(None), col(CarePlan.valid_from) <= day))
        .where(or_(col(CarePlan.valid_to).is_(None), col(CarePlan.valid_to) >= day))
        .order_by(col(CarePlan.id))
    )
    # weekdays is a JSON list; filtering it in SQL would differ between SQLite and PostgreSQL.
    return [plan for plan in session.exec(statement) if day.weekday() in plan.weekdays]


def generate_visit_requests(session: Session, *, day: dt.date) -> list[VisitRequest]:
    """Create the day's visit requests from active care plans; returns only the new ones.

    Idempotent: a plan that already has a request on `day` is skipped, so a second call creates
    nothing. Flushes (the new rows have ids) but does not commit.
    """
    plans = active_care_plans(session, day=day)
    done = set(
        session.exec(
            select(VisitRequest.care_plan_id)
            .where(VisitRequest.date == day)
            .where(col(VisitRequest.care_plan_id).is_not(None))
        ).all()
    )
    created = [visit_from_plan(plan, day=day) for plan in plans if plan.id not in done]
    session.add_all(created)
    session.flush()
    return created


def visit_from_plan(plan: CarePlan, *, day: dt.date) -> VisitRequest:
    """The visit request `plan` asks for on `day`, validated like API input."""
    try:
        create = VisitRequestCreate(
            patient_id=plan.patient_id,
            care_plan_id=plan.id,
            description=plan.description,
            window_start=local(day, plan.window_start),
            window_end=local(day, plan.window_end),
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
    return VisitRequest.model_validate({**create.model_dump(), "date": day})
