"""Local search by OR-Tools, warm-started from the constructed plan."""

from __future__ import annotations

from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver.extract import read_solution
from solver.model import build_model
from solver.monitor import Monitor
from solver.plan import Plan
from solver.problem import Parameters
from solver.tasks import Tasks


def search_parameters(params: Parameters, time_limit_s: float) -> Any:
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        if params.guided_local_search
        else routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    )
    search.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return search


def improve(
    tasks: Tasks,
    plan: Plan,
    params: Parameters,
    time_limit_s: float,
    monitor: Monitor | None = None,
) -> tuple[list[list[int]], dict[int, int]] | None:
    """Better task orders and linked starts, or None if OR-Tools did not accept the plan.
    `monitor` may end the search at any solution OR-Tools finds (its best so far is kept)."""
    model = build_model(tasks, params.weights, plan.start_of_visit)
    search = search_parameters(params, time_limit_s)
    # Close with our parameters first: reading routes would otherwise close the model with the
    # defaults and silently ignore the metaheuristic (or-tools issue #1841).
    model.routing.CloseModelWithParameters(search)
    routes = [[model.index(t) for t in seq] for seq in plan.route_tasks()]
    initial = model.routing.ReadAssignmentFromRoutes(routes, True)
    if initial is None:
        return None
    if monitor is not None:
        # The polish reports no progress of its own: the search's best stands until it is done.
        def at_solution() -> None:
            if monitor.stop_requested():
                model.routing.solver().FinishCurrentSearch()

        model.routing.AddAtSolutionCallback(at_solution)
    solution = model.routing.SolveFromAssignmentWithParameters(initial, search)
    if solution is None:
        return None
    return read_solution(model, solution)
