"""Solving a whole day: build the problem from the day's data, solve it, check it with the
independent validator and write it into the queued plan (the job lifecycle in `ambulant.jobs`
owns the plan's status and the transaction).

The solver holds the GIL for its whole run, so this never runs in the API's process.
"""

from __future__ import annotations

import time
from dataclasses import replace

from sqlalchemy import Engine
from sqlmodel import Session

import solver
from ambulant.config import Settings
from ambulant.models import Plan
from ambulant.planning.continuity_kpis import continuity_kpis
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.store import store_solution
from ambulant.planning.weights import plan_weights, weights_record
from ambulant.planning.workload_kpis import workload_kpis
from ambulant.travel.factory import travel_times_from_settings


def solve_day(
    session: Session,
    engine: Engine,
    plan: Plan,
    settings: Settings,
    monitor: solver.Monitor | None = None,
) -> None:
    """Solves day plan `plan` and writes routes, stops, unassigned visits, KPIs and statistics
    into it (flushed, not committed); raises when the solve fails or its result is invalid.
    `monitor` watches the search (progress, and a stop on request)."""
    params = solver.Parameters(
        time_limit_s=settings.solve_time_limit_s,
        seed=settings.solve_seed,
        weights=plan_weights(settings, plan.parameters.get("weights")),
    )
    if settings.solve_max_iterations is not None:
        # The same work whatever the clock: no guided local search (it runs until the time
        # limit), and no early stop (it would still be the same, but say so plainly).
        params = replace(
            params,
            max_iterations=settings.solve_max_iterations,
            guided_local_search=False,
            stop_when_settled=False,
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
    result = solver.solve(built.problem, params, monitor=monitor)
    if result.status == "error":
        # Its unassigned reasons would not be true; a coordinator must not see them.
        raise RuntimeError("the solver failed on this day; see the worker's log")
    violations = solver.validate(built.problem, result)
    if violations:
        raise solver.PlanInvalid(violations)
    store_solution(session, plan, built, result)
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
    working = {int(r.staff_id): r.working_s for r in result.routes}
    plan.kpis = {
        **result.kpis,
        **continuity_kpis(built, result),
        **workload_kpis(working, built.staff),
    }
    plan.objective = {"total": result.objective, **result.breakdown}
    plan.travel_provider = built.matrix.provider
    plan.travel_estimated = built.matrix.estimated
