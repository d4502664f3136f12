"""Publishing a version and saying who must hear of it.

A replan's draft may be published only while the version it was based on is still the one staff
follow (a draft changed by hand: while no later version than its base has been published), and
only if no report since its solve (or the move) contradicts it (a visit it moved has been started
by someone else, a visit it keeps has been cancelled): otherwise it is a 409, and the coordinator
replans on top of what happened. A whole-day draft may be published while no other version
has been published since it was requested.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from ambulant.errors import Conflict
from ambulant.execution.state import COMMITTED
from ambulant.models import Plan, PlanStop, VisitStatus, VisitStatusReport
from ambulant.notify.events import Event, plan_published_events
from ambulant.planning.plans import get_plan, publish_plan
from ambulant.replanning.diff import affected_staff
from ambulant.replanning.versions import VersionConflict, current_plan, lock_day
from ambulant.timeutil import as_aware


def publish_version(session: Session, *, plan_id: int) -> tuple[Plan, list[Event]]:
    """Publishes draft `plan_id`; returns it and the events announcing it (send them after the
    commit). Two coordinators publishing drafts of one day at once are served one after the
    other (`lock_day`): the first wins, the second finds its draft overtaken (409)."""
    plan = get_plan(session, plan_id=plan_id)
    lock_day(session, day=plan.date, scope=plan.scope)
    previous = current_plan(session, day=plan.date, scope=plan.scope)
    if previous is not None and previous.status != "published":
        previous = None  # nothing published yet: the current plan is only a draft
    if "replan" in plan.parameters:
        if previous is not None and previous.id != plan.based_on_id:
            raise VersionConflict(
                f"plan {plan_id} replans version {plan.parameters['replan']['based_on_version']}, "
                f"but version {previous.version} has been published since; replan again",
                current=previous,
            )
        _refuse_if_overtaken(session, plan)
    elif "move" in plan.parameters:
        based_on = int(plan.parameters["move"]["based_on_version"])
        if previous is not None and previous.version > based_on:
            raise VersionConflict(
                f"plan {plan_id} moves a visit in version {based_on}, but version "
                f"{previous.version} has been published since; move it again there",
                current=previous,
            )
        _refuse_if_overtaken(session, plan)
    elif (
        previous is not None
        and previous.published_at is not None
        and as_aware(previous.published_at) > as_aware(plan.created_at)
    ):
        # A whole-day draft made before another version was published was chosen without
        # knowing it: publishing it would silently throw away what the other coordinator chose.
        raise VersionConflict(
            f"version {previous.version} of this day was published after plan {plan_id} was "
            "made; look at it, and plan the day again if it should change",
            current=previous,
        )
    published = publish_plan(session, plan_id=plan_id)
    affected = affected_staff(session, old_plan=previous, new_plan=published)
    return published, plan_published_events(published, affected)


def _refuse_if_overtaken(session: Session, plan: Plan) -> None:
    watermark = int(plan.solver_stats.get("report_watermark", 0))
    newer = session.exec(
        select(VisitStatusReport)
        .where(VisitStatusReport.date == plan.date, col(VisitStatusReport.id) > watermark)
        .order_by(col(VisitStatusReport.id))
    ).all()
    if not newer:
        return
    staff_of: dict[int, set[int]] = {}
    for stop in session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan.id, col(PlanStop.visit_id).is_not(None))
    ):
        assert stop.visit_id is not None
        staff_of.setdefault(stop.visit_id, set()).add(stop.staff_id)
    for report in newer:
        planned = staff_of.get(report.visit_id, set())
        if report.status == VisitStatus.CANCELLED and planned:
            raise Conflict(
                f"visit {report.visit_id} was cancelled after this version was made; replan again",
                field="version",
            )
        moved_away = report.staff_id is not None and report.staff_id not in planned
        if report.status in COMMITTED and moved_away:
            raise Conflict(
                f"visit {report.visit_id} was reported {report.status} by staff "
                f"{report.staff_id} after this version was made; replan again",
                field="version",
            )
