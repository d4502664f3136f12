"""Which plan of a day is current, and refusing changes based on an older one (optimistic
concurrency: the caller says which version they looked at; a mismatch is a 409 naming the current
version, so they can look again)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session, col, select

from ambulant.errors import Conflict
from ambulant.models import Plan, PlanStatus

IN_PROGRESS = (PlanStatus.QUEUED, PlanStatus.SOLVING)


class VersionConflict(Conflict):
    """The request is based on a version that is no longer current."""

    def __init__(self, message: str, *, current: Plan | None) -> None:
        super().__init__(message, field="version")
        self.current_plan_id = current.id if current is not None else None
        self.current_version = current.version if current is not None else None


def lock_day(session: Session, *, day: dt.date, scope: str) -> None:
    """Takes the day's versions for this transaction: a second writer (another coordinator
    publishing another draft of the day) waits here until the first commits, and then reads what
    it committed. Call it before reading what the change depends on.

    PostgreSQL: a row lock on every plan of the day (SELECT ... FOR UPDATE). SQLite has no row
    locks: an UPDATE takes the database's write lock, waiting (busy_timeout) for the other
    writer; its driver opens the transaction at the first write, so nothing read before this
    was read from an older snapshot."""
    of_the_day = (col(Plan.date) == day, col(Plan.scope) == scope)
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Plan).where(*of_the_day).values(status=Plan.status))
    else:
        session.exec(select(Plan.id).where(*of_the_day).with_for_update()).all()
    session.expire_all()  # what this session read before the lock may have changed since


def current_plan(session: Session, *, day: dt.date, scope: str) -> Plan | None:
    """The plan staff follow: the newest published one; before any is published, the newest
    draft."""
    published = session.exec(
        select(Plan)
        .where(Plan.date == day, Plan.scope == scope, Plan.status == PlanStatus.PUBLISHED)
        .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
    ).first()
    if published is not None:
        return published
    return session.exec(
        select(Plan)
        .where(Plan.date == day, Plan.scope == scope, Plan.status == PlanStatus.DRAFT)
        .order_by(col(Plan.version).desc())
    ).first()


def require_current(session: Session, plan: Plan, *, based_on_version: int | None) -> None:
    """Refuses a change to `plan` unless it is the current plan (and the version the caller saw),
    and no replan of it is already under way."""
    current = current_plan(session, day=plan.date, scope=plan.scope)
    if current is None or current.id != plan.id:
        raise VersionConflict(
            f"plan {plan.id} (version {plan.version}) is not the current plan of its day",
            current=current,
        )
    if based_on_version is not None and based_on_version != plan.version:
        raise VersionConflict(
            f"you saw version {based_on_version}; the current version is {plan.version}",
            current=current,
        )
    running = session.exec(
        select(Plan).where(Plan.based_on_id == plan.id, col(Plan.status).in_(IN_PROGRESS))
    ).first()
    if running is not None:
        raise VersionConflict(
            f"a replan of version {plan.version} is under way (plan {running.id}); "
            "wait for it and replan on top of it",
            current=current,
        )


def next_version(session: Session, *, day: dt.date, scope: str) -> int:
    newest = session.exec(
        select(Plan.version)
        .where(Plan.date == day, Plan.scope == scope)
        .order_by(col(Plan.version).desc())
    ).first()
    return (newest or 0) + 1


# A version that is, or will be, a plan of the day: a failed one is no version to build on.
LIVE = (PlanStatus.DRAFT, PlanStatus.PUBLISHED, *IN_PROGRESS)


def require_newest(session: Session, plan: Plan, *, based_on_version: int | None) -> None:
    """Refuses a change by hand to `plan` unless it is the newest version of its day and scope
    (published or a draft; one queued or being solved counts as newer) and the version the
    caller saw. Unlike a replan, a draft may be changed again before it is published, so that a
    coordinator can make several moves and publish once."""
    newest = session.exec(
        select(Plan)
        .where(Plan.date == plan.date, Plan.scope == plan.scope, col(Plan.status).in_(LIVE))
        .order_by(col(Plan.version).desc())
    ).first()
    if newest is None or newest.id != plan.id:
        newer = f"version {newest.version} is" if newest is not None else "others are"
        raise VersionConflict(
            f"plan {plan.id} (version {plan.version}) is not the newest version of its day; "
            f"{newer}",
            current=newest,
        )
    if based_on_version is not None and based_on_version != plan.version:
        raise VersionConflict(
            f"you saw version {based_on_version}; the newest version is {plan.version}",
            current=plan,
        )
