"""The OR-Tools routing model, one `add_<rule>()` per rule.

Nodes: one per task (a visit's part), then a start and an end node per staff member, so every
staff member can have their own start and end location. A joint visit is one node per part with
tied start times and tied activity; a dependency ties the activity of its two visits and bounds
the difference of their start times while both are planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp

from solver.problem import Weights
from solver.tasks import NO_LIMIT, Tasks

TIME = "time"
HORIZON_S = 3 * 24 * 3600


@dataclass
class Model:
    """The routing model and what is needed to read a solution back."""

    tasks: Tasks
    manager: Any  # pywrapcp.RoutingIndexManager
    routing: Any  # pywrapcp.RoutingModel
    time: Any  # pywrapcp.RoutingDimension
    breaks: list[list[Any]]  # IntervalVar per staff member and break

    def index(self, task: int) -> int:
        return int(self.manager.NodeToIndex(task))

    def solver(self) -> Any:
        return self.routing.solver()


def build_model(
    tasks: Tasks, weights: Weights, linked_starts: Mapping[int, int] | None = None
) -> Model:
    """The routing model. With `linked_starts` (visit -> start second, from a warm start) the
    linked visits keep those starts and linked visits without one stay out, see
    add_warm_start_linked_starts."""
    n_tasks, n_staff = len(tasks.tasks), len(tasks.problem.staff)
    starts = [n_tasks + 2 * s for s in range(n_staff)]
    ends = [n_tasks + 2 * s + 1 for s in range(n_staff)]
    manager = pywrapcp.RoutingIndexManager(n_tasks + 2 * n_staff, n_staff, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    model = Model(tasks, manager, routing, None, [])
    add_travel_cost(model, weights)
    add_time_windows(model)
    add_shifts_and_overtime(model, weights)
    add_breaks(model)
    add_skills_and_eligibility(model)
    add_pinned_staff(model)
    add_joint_visits(model)
    add_dependencies(model)
    add_staff_rules(model)
    add_unassigned_penalties(model, weights)
    add_capacity(model)
    add_soft_timing(model, weights)
    add_reassignment_cost(model, weights)
    if linked_starts is not None:
        add_warm_start_linked_starts(model, linked_starts)
    return model


def _matrix(model: Model, service: bool) -> list[list[int]]:
    """Travel between routing indices (node order), plus the service time at the origin."""
    tasks, travel = model.tasks, model.tasks.travel
    n_tasks = len(tasks.tasks)
    locs, durations = [], []
    for node in range(model.manager.GetNumberOfNodes()):
        if node < n_tasks:
            locs.append(tasks.tasks[node].location)
            durations.append(tasks.tasks[node].duration_s if service else 0)
        else:
            staff = tasks.problem.staff[(node - n_tasks) // 2]
            is_start = (node - n_tasks) % 2 == 0
            locs.append(staff.start_location if is_start else staff.end_location)
            durations.append(0)
    matrix = [[durations[i] + travel[a][b] for b in locs] for i, a in enumerate(locs)]
    # An unused staff member goes straight from start to end: that costs and takes nothing.
    for s in range(len(tasks.problem.staff)):
        matrix[n_tasks + 2 * s][n_tasks + 2 * s + 1] = 0
    return matrix


def add_travel_cost(model: Model, weights: Weights) -> None:
    """Each second of driving costs `travel_per_s`."""
    travel = _matrix(model, service=False)
    cost = [[weights.travel_per_s * t for t in row] for row in travel]
    callback = model.routing.RegisterTransitMatrix(cost)
    model.routing.SetArcCostEvaluatorOfAllVehicles(callback)


def add_time_windows(model: Model) -> None:
    """Time flows with service plus travel; a visit starts inside its window."""
    callback = model.routing.RegisterTransitMatrix(_matrix(model, service=True))
    model.routing.AddDimension(callback, HORIZON_S, HORIZON_S, False, TIME)
    model.time = model.routing.GetDimensionOrDie(TIME)
    for task in model.tasks.tasks:
        model.time.CumulVar(model.index(task.index)).SetRange(task.earliest_s, task.latest_s)


def add_shifts_and_overtime(model: Model, weights: Weights) -> None:
    """Leave at shift start or later; be back by shift end plus the allowed overtime, paying
    for every second past shift end."""
    for s, staff in enumerate(model.tasks.problem.staff):
        limit = staff.shift_end_s + staff.max_overtime_s
        model.time.CumulVar(model.routing.Start(s)).SetRange(staff.shift_start_s, limit)
        end = model.time.CumulVar(model.routing.End(s))
        end.SetRange(staff.shift_start_s, limit)
        if staff.max_overtime_s > 0:
            model.time.SetCumulVarSoftUpperBound(
                model.routing.End(s), staff.shift_end_s, weights.overtime_per_s
            )


def add_breaks(model: Model) -> None:
    """Each break lies inside its window and never during a visit (it may fall in a drive or a
    wait, or before the day's first departure or after the return)."""
    solver = model.solver()
    visit_transits = [0] * model.routing.Size()
    for index in range(model.routing.Size()):
        node = model.manager.IndexToNode(index)
        if node < len(model.tasks.tasks):
            visit_transits[index] = model.tasks.tasks[node].duration_s
    for s, staff in enumerate(model.tasks.problem.staff):
        intervals = [
            solver.FixedDurationIntervalVar(
                brk.earliest_start_s,
                brk.latest_end_s - brk.duration_s,
                brk.duration_s,
                False,
                f"break {staff.id} {b}",
            )
            for b, brk in enumerate(staff.breaks)
        ]
        model.breaks.append(intervals)
        if intervals:
            model.time.SetBreakIntervalsOfVehicle(intervals, s, visit_transits)


def add_skills_and_eligibility(model: Model) -> None:
    """Only staff with the skills, not refused, covering the municipality (and the pinned one,
    see add_pinned_staff) may do a part. SetAllowedVehiclesForIndex is broken in 9.15's Python
    binding, so the vehicle variable's domain is set directly."""
    for task in model.tasks.tasks:
        model.routing.VehicleVar(model.index(task.index)).SetValues([-1, *sorted(task.eligible)])


def add_pinned_staff(model: Model) -> None:
    """A pinned part may only go to its pinned staff member. `Task.eligible` already holds
    only that one; this rule states it on its own so a reader finds it."""
    problem = model.tasks.problem
    for task in model.tasks.tasks[: model.tasks.first_fixed]:  # appointments are pinned already
        visit = problem.visits[task.visit]
        if task.part < len(visit.pinned_staff):
            pinned = model.tasks.staff_index.get(visit.pinned_staff[task.part])
            allowed = [-1] if pinned is None else [-1, pinned]
            model.routing.VehicleVar(model.index(task.index)).SetValues(allowed)


def add_joint_visits(model: Model) -> None:
    """All parts of a joint visit start at the same second, all or none. Different staff follow
    from the tied starts and positive durations (one route cannot be in two places at once)."""
    solver = model.solver()
    for parts in model.tasks.of_visit:
        first = model.index(parts[0])
        for t in parts[1:]:
            other = model.index(t)
            solver.Add(model.time.CumulVar(first) == model.time.CumulVar(other))
            solver.Add(model.routing.ActiveVar(first) == model.routing.ActiveVar(other))


def add_dependencies(model: Model) -> None:
    """`after` starts within [min_lag, max_lag] of `before` (of its end with anchor "end"),
    both planned or neither. The lag only binds while they are planned (big-M on activity), so
    dropping both stays possible."""
    solver = model.solver()
    tasks = model.tasks
    for dep in tasks.problem.dependencies:
        first = tasks.visit_index[dep.before]
        before = model.index(tasks.of_visit[first][0])
        after = model.index(tasks.of_visit[tasks.visit_index[dep.after]][0])
        offset = tasks.problem.visits[first].duration_s if dep.anchor == "end" else 0
        active = model.routing.ActiveVar(before)
        solver.Add(active == model.routing.ActiveVar(after))
        lag = model.time.CumulVar(after) - model.time.CumulVar(before)
        slack = HORIZON_S * (1 - active)
        solver.Add(lag + slack >= dep.min_lag_s + offset)
        if dep.max_lag_s is not None and dep.max_lag_s < NO_LIMIT:
            solver.Add(lag - slack <= dep.max_lag_s + offset)


def add_staff_rules(model: Model) -> None:
    """Series and same-staff dependencies: one staff member for both visits; different-staff
    dependencies: two. Only between single-staff visits, and only while both are planned (a
    series need not be planned whole); for joint visits the plan read back is checked instead
    (see extract.plan_from_sequences)."""
    solver = model.solver()
    tasks = model.tasks
    for a, rules in enumerate(tasks.staff_links):
        for b, same in rules:
            if b < a or len(tasks.of_visit[a]) > 1 or len(tasks.of_visit[b]) > 1:
                continue
            va = model.routing.VehicleVar(model.index(tasks.of_visit[a][0]))
            vb = model.routing.VehicleVar(model.index(tasks.of_visit[b][0]))
            kept = solver.IsEqualVar(va, vb) if same else solver.IsDifferentVar(va, vb)
            solver.Add(kept + solver.IsEqualCstVar(va, -1) + solver.IsEqualCstVar(vb, -1) >= 1)


def add_unassigned_penalties(model: Model, weights: Weights) -> None:
    """Leaving a visit out costs its priority's penalty, once per visit: a joint visit's penalty
    is split over its parts, which are planned or dropped together."""
    problem = model.tasks.problem
    for v, parts in enumerate(model.tasks.of_visit):
        penalty = weights.unassigned_penalty(problem.visits[v].priority)
        share, rest = divmod(penalty, len(parts))
        for k, t in enumerate(parts):
            model.routing.AddDisjunction([model.index(t)], share + (rest if k == 0 else 0))


def add_capacity(model: Model) -> None:
    """The demands on a route stay within the staff member's capacity (if they have one)."""
    tasks = model.tasks
    capacities = [s.capacity for s in tasks.problem.staff]
    if all(c is None for c in capacities) or not any(t.demand for t in tasks.tasks):
        return
    demand = [0] * model.manager.GetNumberOfNodes()
    for task in tasks.tasks:
        demand[task.index] = task.demand
    callback = model.routing.RegisterUnaryTransitVector(demand)
    total = sum(demand)
    limits = [total if c is None else c for c in capacities]
    model.routing.AddDimensionWithVehicleCapacity(callback, 0, limits, True, "load")


def add_soft_timing(model: Model, weights: Weights) -> None:
    """Starting after a soft deadline (tardiness, a replanned visit moved later) costs per
    second. OR-Tools keeps one soft bound per side, so the earliest soft deadline is used with
    its own weight. Left out on purpose: the maximum tardiness (no counterpart here) and the
    cost of moving a replanned visit earlier (measured on 9.15: a soft lower bound makes
    ReadAssignmentFromRoutes take seconds on a 40-visit day, ignoring the time limit); the
    final timing waits for such targets itself, and the plan's own cost decides whether a
    polished plan is kept."""
    del weights  # the weights are in the tasks' late costs
    for task in model.tasks.tasks:
        if task.late_costs:
            deadline, weight = min(task.late_costs)
            model.time.SetCumulVarSoftUpperBound(model.index(task.index), deadline, weight)


def add_reassignment_cost(model: Model, weights: Weights) -> None:
    """A replanned visit's part given to someone outside its previous staff costs
    `reassign_per_visit`: a dimension whose transit on vehicle v is that cost at such a node,
    paid through its span."""
    tasks = model.tasks
    problem = tasks.problem
    if weights.reassign_per_visit == 0 or not any(v.previous_staff for v in problem.visits):
        return
    n_nodes = model.manager.GetNumberOfNodes()
    callbacks = []
    for member in problem.staff:
        cost = [0] * n_nodes
        for task in tasks.tasks[: tasks.first_fixed]:
            previous = problem.visits[task.visit].previous_staff
            if previous and member.id not in previous:
                cost[task.index] = weights.reassign_per_visit
        callbacks.append(model.routing.RegisterUnaryTransitVector(cost))
    bound = weights.reassign_per_visit * len(tasks.tasks)
    model.routing.AddDimensionWithVehicleTransits(callbacks, 0, bound, True, "reassign")
    model.routing.GetDimensionOrDie("reassign").SetSpanCostCoefficientForAllVehicles(1)


def add_warm_start_linked_starts(model: Model, starts: Mapping[int, int]) -> None:
    """Linked visits (joint or with dependencies) keep the start the warm start gave them.

    Measured on OR-Tools 9.15: with vehicle breaks, any constraint tying cumuls across routes
    makes SolveFromAssignmentWithParameters fail (ROUTING_FAIL) on a feasible warm start, since
    the break-aware scheduling sets each route's times on its own. Fixed starts keep every route
    independent; local search may still move a part to another staff member at that time.
    Its single-node moves cannot insert a linked visit anyway, so unplanned ones stay out.
    """
    tasks = model.tasks
    for v, parts in enumerate(tasks.of_visit):
        if not tasks.is_coupled(v):
            continue
        for t in parts:
            index = model.index(t)
            if v in starts:
                model.time.CumulVar(index).SetValue(starts[v])
            else:
                model.routing.ActiveVar(index).SetValue(0)
