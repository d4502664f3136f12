"""solve(problem, params) -> Result: construction, ruin and recreate, then OR-Tools.

1. A greedy insertion builds a feasible plan, joint visits and dependencies included; or, when
   replanning, the given plan is kept where it still fits and the rest inserted.
2. Ruin and recreate (most of the time budget) gets as many visits in as it can.
3. OR-Tools' routing local search, warm-started from that plan, polishes the routes.
The better plan by objective is kept, topped up with whatever still fits, explained, and checked
by the independent validator; a plan that fails validation is never returned.
"""

from __future__ import annotations

import logging
import random
import time

from solver.construction import complete, construct, fill
from solver.extract import plan_from_sequences, to_routes, unkept_appointments
from solver.lns import ruin_and_recreate
from solver.monitor import Monitor
from solver.objective import breakdown, kpis
from solver.plan import Plan
from solver.portfolio import run_portfolio
from solver.problem import Parameters, Problem
from solver.reasons import explain
from solver.result import Reason, Result, SearchStats, Unassigned, UnkeptAppointment
from solver.search import improve
from solver.tasks import Tasks
from solver.validator import validate
from solver.warm import warm_plan

log = logging.getLogger(__name__)

# Share of the time limit for ruin and recreate; OR-Tools gets the rest.
LNS_SHARE = 0.95
MIN_ORTOOLS_S = 0.5
# The least a settled search's plan is polished for.
SETTLED_POLISH_S = 1.0


def solve(
    problem: Problem,
    params: Parameters = Parameters(),
    initial: Result | None = None,
    monitor: Monitor | None = None,
) -> Result:
    """The best plan found within `params.time_limit_s` (plus a little for the final checks).
    Never raises on a valid Problem: what cannot be planned is listed with its reason.

    `initial` (a replan): start from this plan - its routes restricted to the staff and visits
    still in the problem - insert what it lacks, then improve. It need not be valid for this
    problem; what no longer fits is taken out and planned again.

    `params.workers` > 1 runs that many searches in parallel (see solver.portfolio).

    `monitor` (this process's search) hears of the best plan between iterations and may stop
    the search early: the best plan so far is then returned with status "stopped"."""
    if params.workers > 1:
        return run_portfolio(solve, problem, params, initial, monitor)
    started = time.monotonic()
    try:
        return _solve(problem, params, started, initial, monitor)
    except Exception:  # a bug: the caller (a worker) still gets a valid, if empty, plan
        log.exception("solver failed; returning a plan with every visit unassigned")
        unassigned = tuple(
            Unassigned(v.id, Reason.NO_ROOM, "the solver failed; see the log")
            for v in problem.visits
        )
        unkept = tuple(
            UnkeptAppointment(s.id, a.id, "solver_failed", "the solver failed; see the log")
            for s in problem.staff
            for a in s.appointments
        )
        return Result(
            routes=(),
            unassigned=unassigned,
            status="error",
            wall_time_s=time.monotonic() - started,
            unkept_appointments=unkept,
        )


def _solve(
    problem: Problem,
    params: Parameters,
    started: float,
    initial: Result | None,
    monitor: Monitor | None,
) -> Result:
    deadline = started + params.time_limit_s
    tasks = Tasks(problem, params.weights)
    if initial is None:
        plan = construct(tasks, params.weights, params.seed)
    else:
        plan = warm_plan(tasks, params.weights, initial)
        complete(plan, params.seed)
    rng = random.Random(params.seed)
    searching_from = time.monotonic()
    plan, stats = ruin_and_recreate(
        plan,
        started + LNS_SHARE * params.time_limit_s,
        rng,
        params.max_iterations,
        params.stop_when_settled,
        monitor,
    )
    searched = plan.snapshot()
    if params.stop_when_settled:
        # A search that settled early has said the plan will hardly get better; guided local
        # search never ends by itself, so without a bound it would spend the rest of the time
        # limit (a small day would answer at the limit, not in a second). It gets as long again
        # as the search took, and never less than a second.
        searched_for = time.monotonic() - searching_from
        deadline = min(deadline, time.monotonic() + max(SETTLED_POLISH_S, searched_for))
    stopped = monitor is not None and monitor.stopped
    if not stopped:
        plan = _polish_with_ortools(tasks, plan, params, deadline, monitor) or plan
        stopped = monitor is not None and monitor.stopped
    fill(plan)
    status = "stopped" if stopped else "ok"
    result = _result(problem, params, plan, started, status, stats)
    violations = validate(problem, result)
    if violations:
        # A bug, never expected: say so loudly and fall back to a plan that is valid.
        log.error("solver plan failed validation: %s", violations[:5])
        fallback = Plan(tasks, params.weights, overtime=True)
        fallback.restore(searched)
        result = _result(problem, params, fallback, started, "fallback", stats)
        if validate(problem, result):
            result = _result(problem, params, Plan(tasks, params.weights), started, "fallback")
    return result


def _polish_with_ortools(
    tasks: Tasks, plan: Plan, params: Parameters, deadline: float, monitor: Monitor | None
) -> Plan | None:
    remaining = deadline - time.monotonic()
    if remaining < MIN_ORTOOLS_S or not any(r.used for r in plan.routes):
        return None
    try:
        found = improve(tasks, plan, params, remaining, monitor)
    except Exception:  # OR-Tools is a means, not a requirement: keep the plan we have
        log.exception("OR-Tools local search failed")
        return None
    if found is None:
        return None
    polished = plan_from_sequences(tasks, params.weights, *found)
    log.debug(
        "OR-Tools polish: %s -> %s", plan.cost(), None if polished is None else polished.cost()
    )
    if polished is None or polished.cost() >= plan.cost():
        return None
    return polished


def _result(
    problem: Problem,
    params: Parameters,
    plan: Plan,
    started: float,
    status: str = "ok",
    stats: SearchStats = SearchStats(),
) -> Result:
    routes = to_routes(plan)
    unplanned = plan.unplanned()
    unassigned = tuple(explain(plan, unplanned))
    terms = breakdown(problem, params.weights, routes, unassigned)
    return Result(
        routes=routes,
        unassigned=unassigned,
        objective=sum(terms.values()),
        breakdown=terms,
        kpis=kpis(problem, routes, unassigned, params.weights.move_tolerance_s),
        status=status,
        wall_time_s=time.monotonic() - started,
        unkept_appointments=unkept_appointments(plan.tasks),
        stats=stats,
    )
