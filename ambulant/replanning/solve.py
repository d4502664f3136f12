"""One replan: the state of the current plan now, the rest of the day as a problem, a short
solve that starts from the current plan, and an independent check of what it returns."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session, col, select

import solver
from ambulant.config import Settings
from ambulant.execution.absences import absences_on
from ambulant.execution.state import PlanState, plan_state
from ambulant.models import Patient, Plan, PlanStop, VisitRequest
from ambulant.planning.problem_builder import BuiltProblem, build_problem
from ambulant.planning.store import solver_stop
from ambulant.planning.weights import plan_weights, stored_overrides
from ambulant.replanning.problem import ReplanProblem, placements_of, replan_problem
from ambulant.travel import Point, TravelTimes


@dataclass
class ReplanOutcome:
    state: PlanState
    built: BuiltProblem
    replan: ReplanProblem
    result: solver.Result
    base_stops: list[PlanStop]
    violations: list[solver.Violation]
    timings_s: dict[str, float] = field(default_factory=dict)


def disruption_weights(
    settings: Settings, base_parameters: Mapping[str, Any] | None = None
) -> solver.Weights:
    """The weights the base plan was solved with (its per-plan overrides kept; the settings'
    AMBULANT_WEIGHT_* for the rest), with the cost of moving what was planned."""
    return replace(
        plan_weights(settings, stored_overrides(base_parameters)),
        reassign_per_visit=settings.replan_reassign_cost,
        # Cost units are per second; the setting is per minute, as a coordinator thinks of it.
        move_per_s=max(0, round(settings.replan_move_cost_per_min / 60)),
        move_tolerance_s=settings.replan_move_tolerance_min * 60,
    )


def prepare_replan(
    session: Session,
    *,
    base: Plan,
    at: dt.datetime,
    settings: Settings,
    travel: TravelTimes,
    extra_visits: list[tuple[VisitRequest, Patient]] | None = None,
) -> tuple[PlanState, BuiltProblem, ReplanProblem, list[PlanStop]]:
    """Everything up to the solve: the state at `at` and the rest of the day as a problem."""
    assert base.id is not None
    state = plan_state(session, plan=base, at=at)
    located = {s: p.location for s, p in state.staff.items() if p.location is not None}
    order = sorted(located)
    built = build_problem(
        session,
        day=base.date,
        scope=base.scope,
        travel=travel,
        settings=settings,
        extra_points=[Point(*located[s]) for s in order],
        extra_visits=extra_visits or [],
    )
    base_stops = list(
        session.exec(
            select(PlanStop).where(PlanStop.plan_id == base.id).order_by(col(PlanStop.sequence))
        )
    )
    rp = replan_problem(
        built,
        state=state,
        placements=placements_of(base_stops, base.date),
        absences=absences_on(session, day=base.date),
        positions={staff_id: i for i, staff_id in enumerate(order)},
    )
    return state, built, rp, base_stops


def solve_replan(
    session: Session,
    *,
    base: Plan,
    at: dt.datetime,
    settings: Settings,
    travel: TravelTimes,
    time_limit_s: float | None = None,
    monitor: solver.Monitor | None = None,
) -> ReplanOutcome:
    started = time.perf_counter()
    state, built, rp, base_stops = prepare_replan(
        session, base=base, at=at, settings=settings, travel=travel
    )
    prepared = time.perf_counter()
    params = solver.Parameters(
        time_limit_s=time_limit_s or settings.replan_time_limit_s,
        seed=settings.solve_seed,
        weights=disruption_weights(settings, base.parameters),
    )
    initial = warm_start(rp, base_stops, base.date)
    result = solver.solve(rp.problem, params, initial=initial, monitor=monitor)
    solved = time.perf_counter()
    violations = solver.validate(rp.problem, result)
    return ReplanOutcome(
        state=state,
        built=built,
        replan=rp,
        result=result,
        base_stops=base_stops,
        violations=violations,
        timings_s={
            "prepare": round(prepared - started, 3),
            "solve": round(solved - prepared, 3),
            "validate": round(time.perf_counter() - solved, 3),
        },
    )


def warm_start(rp: ReplanProblem, base_stops: list[PlanStop], day: dt.date) -> solver.Result:
    """The plan being replaced, cut down to the staff and visits still in the problem: the
    solver starts from it, so what need not move stays put."""
    in_problem = {v.id for v in rp.problem.visits}
    routes = []
    for member in rp.problem.staff:
        stops = tuple(
            solver_stop(s, day)
            for s in base_stops
            if s.staff_id == int(member.id) and str(s.visit_id) in in_problem
        )
        routes.append(
            solver.Route(
                staff_id=member.id,
                departure_s=member.shift_start_s,
                return_s=max([member.shift_start_s, *(s.end_s for s in stops)]),
                stops=stops,
            )
        )
    return solver.Result(routes=tuple(routes), unassigned=())
