"""Solving the rest of a day that has begun: the body of a replan job (the job lifecycle in
`ambulant.jobs` owns the plan's status and the transaction).

Reports keep arriving while the solver works. After each solve the job looks for reports newer
than the ones it started from; if there are any it solves again on top of them (a few times at
most), so the stored version never contradicts a report it could have seen.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import Engine
from sqlmodel import Session, select

import solver
from ambulant.config import Settings
from ambulant.errors import Conflict
from ambulant.execution.state import newest_report_id
from ambulant.models import Plan, PlanRoute
from ambulant.replanning.diff import plan_diff
from ambulant.replanning.merge import merge_rest_of_day
from ambulant.replanning.solve import ReplanOutcome, solve_replan
from ambulant.replanning.versions import current_plan
from ambulant.travel import TravelTimes
from ambulant.travel.factory import travel_times_from_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def solve_rest_of_day(
    session: Session,
    engine: Engine,
    plan: Plan,
    settings: Settings,
    travel: TravelTimes | None = None,
    monitor: solver.Monitor | None = None,
) -> ReplanOutcome:
    """Solves the replan described by `plan.parameters` and writes it into `plan`, with its diff
    against the base (flushed, not committed). `monitor` watches the search; once it has
    stopped the search, no further attempt is made."""
    assert plan.based_on_id is not None
    base = session.get(Plan, plan.based_on_id)
    if base is None:
        raise LookupError(f"plan {plan.based_on_id} not found")
    at = dt.datetime.fromisoformat(plan.parameters["replan"]["at"])
    travel = travel or travel_times_from_settings(settings, engine=engine)
    started = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        outcome = solve_replan(
            session, base=base, at=at, settings=settings, travel=travel, monitor=monitor
        )
        if outcome.violations:
            raise solver.PlanInvalid(outcome.violations)
        if monitor is not None and monitor.stopped:
            break
        # A fresh session sees what was committed while this one solved.
        with Session(engine) as fresh:
            newest = newest_report_id(fresh, day=base.date)
        if newest == outcome.state.report_watermark:
            break
        if attempts == MAX_ATTEMPTS:
            outcome.replan.notes.append(
                "reports kept arriving while solving; this version includes reports up to "
                f"id {outcome.state.report_watermark}"
            )
            break
        log.info("replan %s: new reports arrived while solving; solving again", plan.id)
        session.rollback()
    current = current_plan(session, day=base.date, scope=base.scope)
    if current is None or current.id != base.id:
        version = current.version if current else None
        raise Conflict(f"version {base.version} was replaced by version {version} meanwhile")

    base_routes = list(session.exec(select(PlanRoute).where(PlanRoute.plan_id == base.id)))
    merge_rest_of_day(
        session,
        plan=plan,
        base_stops=outcome.base_stops,
        base_routes=base_routes,
        built=outcome.built,
        rp=outcome.replan,
        state=outcome.state,
        result=outcome.result,
    )
    assert plan.id is not None
    diff = plan_diff(session, plan_id=plan.id, tolerance_min=settings.replan_move_tolerance_min)
    plan.diff = diff.model_dump(mode="json")
    result = outcome.result
    planned = sum(len(r.stops) for r in result.routes)
    plan.kpis = {
        **dict(result.kpis),
        "frozen_visits": len(outcome.replan.frozen_visit_ids),
        "cancelled_visits": len(outcome.replan.cancelled_visit_ids),
        "replanned_visit_parts": planned,
        "unassigned_visits": len(result.unassigned) + len(outcome.replan.left_out),
        "reassigned_visits": diff.reassigned_visits,
        "retimed_visits": diff.retimed_visits,
        "moved_beyond_tolerance": diff.moved_beyond_tolerance,
        "affected_staff": len(diff.affected_staff_ids),
    }
    plan.objective = {"total": result.objective, **result.breakdown}
    plan.travel_provider = outcome.built.matrix.provider
    plan.travel_estimated = outcome.built.matrix.estimated
    plan.solver_stats = {
        "status": result.status,
        "wall_time_s": round(result.wall_time_s, 3),
        "replan_time_s": round(time.perf_counter() - started, 3),
        "attempts": attempts,
        "report_watermark": outcome.state.report_watermark,
        "staff": len(outcome.replan.problem.staff),
        "visits": len(outcome.replan.problem.visits),
        "timings_s": outcome.timings_s,
        "warnings": outcome.built.warnings + outcome.built.matrix.notes + outcome.replan.notes,
    }
    session.add(plan)
    session.flush()
    return outcome
