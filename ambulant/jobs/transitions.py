"""A plan job's moves from state to state, each written from the state it expects to leave
(compare-and-set): `UPDATE plan SET status = new WHERE id = … AND status IN (expected)`.

A writer that comes late — a second worker finishing a job that was delivered twice, a worker
that finishes after a coordinator cancelled, a failure callback for a job already done — finds
the plan in another state, changes nothing and is told so (False). Two writers at once are
ordered by the database: PostgreSQL's row lock, SQLite's single writer; the second then sees the
first's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import CursorResult, Engine, update
from sqlmodel import Session, col, select

from ambulant.models import Plan, PlanStatus
from ambulant.timeutil import now

PENDING = (PlanStatus.QUEUED, PlanStatus.SOLVING)


def move(
    session: Session,
    plan_id: int,
    *,
    expected: Iterable[PlanStatus],
    to: PlanStatus,
    **values: Any,
) -> bool:
    """Sets the plan's status to `to` (and `values`) if it is in one of the `expected` states;
    True if it was. Runs in the caller's transaction (not committed)."""
    statement = (
        update(Plan)
        .where(col(Plan.id) == plan_id, col(Plan.status).in_(list(expected)))
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount == 1


def claim(engine: Engine, plan_id: int, *, worker: str) -> bool:
    """A worker takes the plan's job: queued → solving (or solving → solving, when the job of a
    worker that died is run again). False when the plan is finished or cancelled already."""
    with Session(engine) as session:
        claimed = move(
            session,
            plan_id,
            expected=PENDING,
            to=PlanStatus.SOLVING,
            started_at=now(),
            finished_at=None,
            worker=worker,
            attempts=col(Plan.attempts) + 1,
            progress={},
        )
        session.commit()
        return claimed


def record_progress(engine: Engine, plan_id: int, progress: dict[str, Any]) -> bool:
    """Writes the best plan so far into a plan that is solving; False when it is not solving
    any more (cancelled, or finished by another worker): the search can stop."""
    with Session(engine) as session:
        written = move(
            session,
            plan_id,
            expected=[PlanStatus.SOLVING],
            to=PlanStatus.SOLVING,
            progress=progress,
        )
        session.commit()
        return written


def still_solving(engine: Engine, plan_id: int) -> bool:
    """Whether the plan is still solving: a worker's search stops once it is not."""
    with Session(engine) as session:
        status = session.exec(select(Plan.status).where(col(Plan.id) == plan_id)).first()
        return status == PlanStatus.SOLVING
