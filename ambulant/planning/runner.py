"""Solving a queued plan: the job a worker process runs.

The solver holds the GIL for its whole run, so this never runs in the API's process; it opens
its own database connection from the settings it is handed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import Session, col

import solver
from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.models import Plan, PlanRoute, PlanStatus, PlanStop, UnassignedVisit
from ambulant.planning.problem_builder import BuiltProblem, build_problem
from ambulant.planning.weights import plan_weights, weights_record
from ambulant.timeutil import from_day_seconds, now
from ambulant.travel import TravelMatrix
from ambulant.travel.factory import travel_times_from_settings

log = logging.getLogger(__name__)


def run_plan_job(settings_data: dict[str, Any], plan_id: int) -> str:
    """Entry point for job queues: plain, picklable arguments only."""
    settings = Settings.model_validate(settings_data)
    engine = engine_for(settings.database_url)
    return run_plan(engine, plan_id=plan_id, settings=settings).status


def run_plan(engine: Engine, *, plan_id: int, settings: Settings) -> Plan:
    """Solve plan `plan_id` and store the result; any failure leaves the plan FAILED, never half
    written: routes, stops and unassigned visits are stored in one transaction with the status."""
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise LookupError(f"plan {plan_id} not found")
        if plan.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
            return plan  # already done: a job queue may deliver a job twice
        if "replan" in plan.parameters:
            # A replan rides the same queues; its solve starts from the plan it replaces.
            from ambulant.replanning.runner import run_replan

            return run_replan(engine, plan_id=plan_id, settings=settings)
        plan.status = PlanStatus.SOLVING
        plan.started_at = now()
        session.add(plan)
        session.commit()

        try:
            params = solver.Parameters(
                time_limit_s=settings.solve_time_limit_s,
                seed=settings.solve_seed,
                weights=plan_weights(settings, plan.parameters.get("weights")),
            )
            started = time.perf_counter()
            built = build_problem(
                session,
                day=plan.date,
                scope=plan.scope,
                travel=travel_times_from_settings(settings, engine=engine),
                settings=settings,
            )
            matrix_s = time.perf_counter() - started
            result = solver.solve(built.problem, params)
            if result.status == "error":
                # Its unassigned reasons would not be true; a coordinator must not see them.
                raise RuntimeError("the solver failed on this day; see the worker's log")
            violations = solver.validate(built.problem, result)
            if violations:
                raise solver.PlanInvalid(violations)
            _store_result(session, plan, built, result)
            plan.parameters = {
                "time_limit_s": params.time_limit_s,
                "seed": params.seed,
                "weights": weights_record(params.weights),
            }
            plan.solver_stats = {
                "status": result.status,
                "wall_time_s": round(result.wall_time_s, 3),
                "matrix_time_s": round(matrix_s, 3),
                "locations": len(built.points),
                "staff": len(built.problem.staff),
                "visits": len(built.problem.visits),
                "warnings": built.warnings + built.matrix.notes,
                "travel_estimated": built.matrix.estimated,
                "unkept_appointments": [
                    {
                        "staff_id": int(u.staff_id),
                        "appointment_id": int(u.appointment_id),
                        "reason": u.reason,
                        "detail": u.detail,
                    }
                    for u in result.unkept_appointments
                ],
            }
            plan.kpis = dict(result.kpis)
            plan.objective = {"total": result.objective, **result.breakdown}
            plan.travel_provider = built.matrix.provider
            plan.travel_estimated = built.matrix.estimated
            plan.status = PlanStatus.DRAFT
        except Exception as error:
            session.rollback()
            log.exception("plan %s failed", plan_id)
            plan = session.get(Plan, plan_id) or plan
            plan.status = PlanStatus.FAILED
            plan.error = f"{error.__class__.__name__}: {error}"[:2000]
        plan.finished_at = now()
        session.add(plan)
        session.commit()
        return plan


def worker_lost(engine: Engine, *, plan_id: int, retries_left: int) -> None:
    """The worker solving the plan died (killed, or its machine lost): the plan is queued again
    for the retry, or failed with the reason once no retry is left. A plan that was finished
    meanwhile is left as it is."""
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        if plan is None or plan.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
            return
        if retries_left > 0:
            plan.status = PlanStatus.QUEUED
            log.warning("plan %s: its worker died; solving it again", plan_id)
        else:
            plan.status = PlanStatus.FAILED
            plan.error = "the worker solving this plan stopped and no retry is left; plan it again"
            plan.finished_at = now()
        session.add(plan)
        session.commit()


def _store_result(session: Session, plan: Plan, built: BuiltProblem, result: solver.Result) -> None:
    assert plan.id is not None
    # A retried job starts from a clean slate rather than adding a second copy of the routes.
    session.exec(delete(PlanStop).where(col(PlanStop.plan_id) == plan.id))
    session.exec(delete(PlanRoute).where(col(PlanRoute.plan_id) == plan.id))
    session.exec(delete(UnassignedVisit).where(col(UnassignedVisit.plan_id) == plan.id))
    day = built.day
    for route in result.routes:
        staff_id = int(route.staff_id)
        walk, back_m = route_walk(built.problem, built.matrix, route)
        overtime = max(0, route.return_s - built.problem.staff_member(route.staff_id).shift_end_s)
        session.add(
            PlanRoute(
                plan_id=plan.id,
                staff_id=staff_id,
                departure_at=from_day_seconds(day, route.departure_s),
                return_at=from_day_seconds(day, route.return_s),
                travel_s=route.travel_s,
                return_travel_s=route.return_travel_s,
                distance_m=sum(m for _, m in walk) + back_m,
                overtime_s=overtime,
            )
        )
        items = [
            (item.start_s, visited_stop(plan.id, staff_id, day, item, distance_m))
            for item, distance_m in walk
        ]
        for brk in route.breaks:
            start = from_day_seconds(day, brk.start_s)
            items.append(
                (
                    brk.start_s,
                    PlanStop(
                        plan_id=plan.id,
                        staff_id=staff_id,
                        kind="break",
                        sequence=0,
                        arrival_at=start,
                        start_at=start,
                        end_at=from_day_seconds(day, brk.end_s),
                    ),
                )
            )
        items.sort(key=lambda item: (item[0], item[1].kind != "break"))
        for sequence, (_, plan_stop) in enumerate(items, start=1):
            plan_stop.sequence = sequence
            session.add(plan_stop)
    for u in result.unassigned:
        session.add(
            UnassignedVisit(
                plan_id=plan.id,
                visit_id=int(u.visit_id),
                reason=str(u.reason),
                detail=u.detail,
                closest_staff_id=int(u.closest_staff) if u.closest_staff else None,
            )
        )
    session.flush()


Visited = solver.Stop | solver.AppointmentKept


def route_walk(
    problem: solver.Problem, matrix: TravelMatrix, route: solver.Route
) -> tuple[list[tuple[Visited, int]], int]:
    """The route's visits and fixed appointments in the order driven, each with the road metres
    from the place before; and the metres back to the end location."""
    staff = problem.staff_member(route.staff_id)
    held_at = {a.id: a.location for a in staff.appointments}
    places: list[tuple[int, int, int, Visited]] = [
        (s.start_s, s.arrival_s, problem.visit(s.visit_id).location, s) for s in route.stops
    ]
    places += [(a.start_s, a.arrival_s, held_at[a.appointment_id], a) for a in route.appointments]
    places.sort(key=lambda place: (place[0], place[1]))
    distances = matrix.distances_m
    walk: list[tuple[Visited, int]] = []
    here = staff.start_location
    for _, _, there, item in places:
        walk.append((item, distances[here][there]))
        here = there
    return walk, distances[here][staff.end_location]


def visited_stop(
    plan_id: int, staff_id: int, day: dt.date, item: Visited, distance_m: int
) -> PlanStop:
    """The stored stop of a visit part or a kept appointment (`sequence` set by the caller)."""
    stop = PlanStop(
        plan_id=plan_id,
        staff_id=staff_id,
        kind="appointment",
        sequence=0,
        arrival_at=from_day_seconds(day, item.arrival_s),
        start_at=from_day_seconds(day, item.start_s),
        end_at=from_day_seconds(day, item.end_s),
        travel_s=item.travel_s,
        distance_m=distance_m,
    )
    if isinstance(item, solver.Stop):
        stop.kind, stop.visit_id, stop.part = "visit", int(item.visit_id), item.part
    else:
        stop.appointment_id = int(item.appointment_id)
    return stop
