"""Reference planners to run side by side with ambulant's solver on the same instances.

"Plain OR-Tools" is the textbook VRPTW model straight on the instance - a distance arc cost, a
time dimension with waiting, a capacity dimension, PATH_CHEAPEST_ARC then guided local search -
with none of ambulant's construction or modelling. It shows what the solver adds (or costs)
over the library it is built on. It lives in the package (not in `solver/`) so the bench CLI can
run it with `--planner ortools`; it never feeds the product.
"""

from __future__ import annotations

from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ambulant.bench.vrplib import DEPOT, VrptwInstance


def plain_ortools_vrptw(
    instance: VrptwInstance, time_limit_s: float, seed: int = 0
) -> list[list[int]] | None:
    """Routes (customer numbers) from plain OR-Tools, or None when it finds no solution.

    `seed` is unused: OR-Tools routing's guided local search is deterministic; it is accepted so
    every planner has the same signature.
    """
    del seed
    n = instance.n_customers + 1
    manager = pywrapcp.RoutingIndexManager(n, instance.vehicles, DEPOT)
    routing = pywrapcp.RoutingModel(manager)

    distance = routing.RegisterTransitMatrix([list(row) for row in instance.travel])
    routing.SetArcCostEvaluatorOfAllVehicles(distance)

    # Time from i to j is i's service plus the drive; waiting (slack) is allowed up to the horizon.
    horizon = instance.due[DEPOT]
    time_matrix = [
        [instance.service[i] + instance.travel[i][j] for j in range(n)] for i in range(n)
    ]
    time_cb = routing.RegisterTransitMatrix(time_matrix)
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time = routing.GetDimensionOrDie("Time")
    for c in range(1, n):
        time.CumulVar(manager.NodeToIndex(c)).SetRange(instance.ready[c], instance.due[c])
    for v in range(instance.vehicles):
        time.CumulVar(routing.Start(v)).SetRange(instance.ready[DEPOT], horizon)
        time.CumulVar(routing.End(v)).SetRange(instance.ready[DEPOT], horizon)

    demand = routing.RegisterUnaryTransitVector(list(instance.demand))
    routing.AddDimension(demand, 0, instance.capacity, True, "Load")

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, round(1000 * time_limit_s)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    return [_route(routing, manager, solution, v) for v in range(instance.vehicles)]


def _route(routing: Any, manager: Any, solution: Any, vehicle: int) -> list[int]:
    customers: list[int] = []
    index = solution.Value(routing.NextVar(routing.Start(vehicle)))
    while not routing.IsEnd(index):
        customers.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return customers
