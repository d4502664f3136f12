""" "Your day changed": a nurse acknowledges the day she saw, and a coordinator sees who has.

An acknowledgement names the schedule's ETag, the hash of exactly what the nurse sees, so it is
of her day as it is and not of a plan: a later version that leaves her day alone keeps it valid,
one that changes it makes it stale. She may acknowledge only the day as it is now (an older ETag
is a 409: she has not seen the change yet). Who is expected to is who publishing the plan told:
the staff whose day differs from the version it replaced (`affected_staff`).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from ambulant.auth import access
from ambulant.auth.principal import Principal
from ambulant.errors import Conflict, NotFound
from ambulant.models import (
    Plan,
    PlanAcknowledgements,
    PlanStatus,
    ScheduleAcknowledgement,
    Staff,
    StaffAcknowledgement,
)
from ambulant.notify.etag import schedule_etag
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.replanning.diff import affected_staff

ACKNOWLEDGEABLE = (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)


def normalise_etag(etag: str) -> str:
    """The ETag as the schedule's header has it: quoted, without a weak prefix."""
    bare = etag.strip().removeprefix("W/").strip('"')
    return f'"{bare}"'


def acknowledge(
    session: Session, *, staff_id: int, day: dt.date, etag: str, user_id: int | None
) -> tuple[ScheduleAcknowledgement, bool]:
    """Stores that the staff member saw her day of `day` as `etag`; returns it and whether it is
    new (sending the same acknowledgement again changes nothing)."""
    schedule = staff_schedule(session, staff_id=staff_id, day=day)
    current = schedule_etag(schedule)
    seen = normalise_etag(etag)
    if seen != current:
        raise Conflict(
            f"etag: your day of {day.isoformat()} has changed since {seen}; read it again",
            field="etag",
        )
    existing = session.exec(
        select(ScheduleAcknowledgement).where(
            ScheduleAcknowledgement.staff_id == staff_id,
            ScheduleAcknowledgement.date == day,
            ScheduleAcknowledgement.etag == current,
        )
    ).first()
    if existing is not None:
        return existing, False
    acknowledgement = ScheduleAcknowledgement(
        staff_id=staff_id,
        date=day,
        etag=current,
        plan_id=schedule.plan_id,
        plan_version=schedule.plan_version,
        user_id=user_id,
    )
    session.add(acknowledgement)
    session.flush()
    return acknowledgement, True


def staff_acknowledgements(
    session: Session, *, staff_id: int, day: dt.date
) -> list[ScheduleAcknowledgement]:
    """The staff member's acknowledgements of `day`, newest first."""
    return list(
        session.exec(
            select(ScheduleAcknowledgement)
            .where(
                ScheduleAcknowledgement.staff_id == staff_id, ScheduleAcknowledgement.date == day
            )
            .order_by(
                col(ScheduleAcknowledgement.acknowledged_at).desc(),
                col(ScheduleAcknowledgement.id).desc(),
            )
        )
    )


def replaced_plan(session: Session, plan: Plan) -> Plan | None:
    """The version staff followed before `plan` was published: the newest one of its day and
    scope published earlier."""
    if plan.published_at is None:
        return None
    return session.exec(
        select(Plan)
        .where(
            Plan.date == plan.date,
            Plan.scope == plan.scope,
            col(Plan.published_at).is_not(None),
            col(Plan.published_at) < plan.published_at,
            col(Plan.id) != plan.id,
        )
        .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
    ).first()


def plan_acknowledgements(
    session: Session, *, plan: Plan, principal: Principal
) -> PlanAcknowledgements:
    """Per staff member whose day `plan` changed (those the caller may see), whether she has
    acknowledged her day as it is now."""
    if plan.status not in ACKNOWLEDGEABLE or plan.id is None:
        raise Conflict(
            f"plan {plan.id} is {plan.status}; only a published plan is acknowledged",
            field="status",
        )
    expected = affected_staff(session, old_plan=replaced_plan(session, plan), new_plan=plan)
    rows = []
    for staff_id in expected:
        staff = session.get(Staff, staff_id)
        if staff is None or not access.staff_visible(principal, staff):
            continue
        rows.append(_staff_acknowledgement(session, staff, plan.date))
    return PlanAcknowledgements(
        plan_id=plan.id,
        date=plan.date,
        scope=plan.scope,
        version=plan.version,
        expected=len(rows),
        acknowledged=sum(r.current for r in rows),
        staff=rows,
    )


def _staff_acknowledgement(session: Session, staff: Staff, day: dt.date) -> StaffAcknowledgement:
    assert staff.id is not None
    try:
        current_etag: str | None = schedule_etag(
            staff_schedule(session, staff_id=staff.id, day=day)
        )
    except NotFound:
        current_etag = None  # taken off the day with no shift left: nothing to read or confirm
    acknowledgements = staff_acknowledgements(session, staff_id=staff.id, day=day)
    matching = [a for a in acknowledgements if a.etag == current_etag]
    shown = matching[0] if matching else (acknowledgements[0] if acknowledgements else None)
    return StaffAcknowledgement(
        staff_id=staff.id,
        staff_name=staff.name,
        acknowledged_at=shown.acknowledged_at if shown else None,
        etag=shown.etag if shown else None,
        plan_version=shown.plan_version if shown else None,
        current_etag=current_etag,
        current=bool(matching),
    )
