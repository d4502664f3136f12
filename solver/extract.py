"""From an OR-Tools assignment to a Plan, and from a Plan to a Result.

Only the order of the tasks on each route and the start times of linked visits (joint visits
and dependencies) are taken from OR-Tools; all other times are recomputed by the route timing in
`solver.schedule`, which leaves as late as the route allows and starts each visit as early as it
can, so no one waits at a door longer than needed.
"""

from __future__ import annotations

from typing import Any

from solver.breaks import with_breaks
from solver.model import Model
from solver.plan import Plan
from solver.problem import Weights
from solver.result import (
    AppointmentKept,
    BreakTaken,
    OffDutyTaken,
    Route,
    Stop,
    UnkeptAppointment,
)
from solver.schedule import RouteState
from solver.tasks import Tasks


def read_solution(model: Model, solution: Any) -> tuple[list[list[int]], dict[int, int]]:
    """Task order per staff member, and the start of every planned linked visit."""
    routing, tasks = model.routing, model.tasks
    sequences: list[list[int]] = []
    for s in range(routing.vehicles()):
        order = []
        index = solution.Value(routing.NextVar(routing.Start(s)))
        while not routing.IsEnd(index):
            order.append(int(model.manager.IndexToNode(index)))
            index = solution.Value(routing.NextVar(index))
        sequences.append(order)
    starts: dict[int, int] = {}
    for seq in sequences:
        for t in seq:
            if tasks.is_fixed(t):
                continue
            visit = tasks.tasks[t].visit
            if tasks.is_coupled(visit):
                starts[visit] = int(solution.Value(model.time.CumulVar(model.index(t))))
    return sequences, starts


def plan_from_sequences(
    tasks: Tasks, weights: Weights, sequences: list[list[int]], starts: dict[int, int]
) -> Plan | None:
    """A Plan with these routes, breaks placed where they fit; None if a route does not fit
    (which would be a disagreement between the model and the timing here) or the routes break
    a rule the model does not state in full (fixed appointments, staff rules)."""
    if not _keeps_fixed_and_staff_rules(tasks, sequences):
        return None
    plan = Plan(tasks, weights, overtime=True)
    for visit, start in starts.items():
        plan.start_of_visit[visit] = start
        for t in tasks.of_visit[visit]:
            plan.windows[t] = (start, start)
    for r, seq in enumerate(sequences):
        route = plan.routes[r]
        elems = with_breaks(route, seq)
        if elems is None:
            return None
        route.elems = elems
        route.refresh()
        for t in seq:
            plan.route_of[t] = r
    plan.recount()
    return plan


def _keeps_fixed_and_staff_rules(tasks: Tasks, sequences: list[list[int]]) -> bool:
    """Every fixed task on its own route, and every visit's staff rules kept."""
    route_of = {t: r for r, seq in enumerate(sequences) for t in seq}
    if any(route_of.get(t) != tasks.fixed_of(t).route for t in tasks.fixed_tasks()):
        return False
    for v, rules in enumerate(tasks.staff_links):
        mine = {route_of[t] for t in tasks.of_visit[v] if t in route_of}
        for other, same in rules:
            theirs = {route_of[t] for t in tasks.of_visit[other] if t in route_of}
            if mine and theirs and bool(mine & theirs) != same:
                return False
    return True


def to_routes(plan: Plan) -> tuple[Route, ...]:
    return tuple(to_route(plan.tasks, route) for route in plan.routes if route.has_tasks())


def to_route(tasks: Tasks, route: RouteState) -> Route:
    """The route as the Result states it, with its final times: visits as stops, fixed
    appointments and time off between shifts apart."""
    timeline = route.timeline()
    stops = tuple(
        Stop(
            visit_id=tasks.problem.visits[tasks.tasks[tt.task].visit].id,
            part=tasks.tasks[tt.task].part,
            arrival_s=tt.arrival_s,
            start_s=tt.start_s,
            end_s=tt.end_s,
            travel_s=tt.travel_s,
        )
        for tt in timeline.tasks
        if not tasks.is_fixed(tt.task)
    )
    fixed = [tt for tt in timeline.tasks if tasks.is_fixed(tt.task)]
    appointments = tuple(
        AppointmentKept(
            appointment_id=tasks.fixed_of(tt.task).appointment.id,
            arrival_s=tt.arrival_s,
            start_s=tt.start_s,
            end_s=tt.end_s,
            travel_s=tt.travel_s,
        )
        for tt in fixed
        if tasks.fixed_of(tt.task).off_duty is None
    )
    off_duty = tuple(
        OffDutyTaken(
            arrival_s=tt.arrival_s, start_s=tt.start_s, end_s=tt.end_s, travel_s=tt.travel_s
        )
        for tt in fixed
        if tasks.fixed_of(tt.task).off_duty is not None
    )
    return Route(
        staff_id=route.staff.id,
        departure_s=timeline.departure_s,
        return_s=timeline.return_s,
        stops=stops,
        breaks=tuple(BreakTaken(s, e) for s, e in timeline.breaks),
        return_travel_s=timeline.return_travel_s,
        appointments=appointments,
        off_duty=off_duty,
    )


def unkept_appointments(tasks: Tasks) -> tuple[UnkeptAppointment, ...]:
    """The appointments no plan of this problem keeps (see Tasks), for the Result."""
    return tuple(
        UnkeptAppointment(tasks.problem.staff[u.route].id, u.appointment.id, u.reason, u.detail)
        for u in tasks.unkept
    )
