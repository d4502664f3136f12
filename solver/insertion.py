"""Inserting one task into a plan: the cheapest place for an unlinked single visit, and every
feasible insertion of a task with its cost (the options that linked placement combines, see
solver.linked).

Plain functions of the plan, so that the innermost loops of the search read the plan's fields as
directly as its own methods did.
"""

from __future__ import annotations

from solver.plan import Placement, Plan
from solver.schedule import Insertion


def prepare_single(plan: Plan, visit: int) -> None:
    """Reset an unlinked single visit's window and the plan's tardiness before pricing."""
    (t,) = plan.tasks.of_visit[visit]
    plan.windows[t] = plan.base[t]
    if plan.soft:
        plan.known_max_late = plan.max_late()


def best_single(plan: Plan, visit: int) -> Placement | None:
    """Cheapest place for an unlinked single visit (it keeps its whole window). Of several
    empty routes that look the same to this visit only the first is tried."""
    prepare_single(plan, visit)
    (t,) = plan.tasks.of_visit[visit]
    if not plan.soft:
        return _best_single_plain(plan, visit, t)
    best: Placement | None = None
    empty_tried: set[tuple[int, int]] = set()
    for r in plan.allowed_routes(visit, t):
        if not plan.routes[r].used:
            key = (plan.route_kind[r], plan.staff_cost(visit, r))
            if key in empty_tried:
                continue
            empty_tried.add(key)
        found = best_on_route(plan, visit, r, best.cost if best is not None else None)
        if found is not None and (best is None or found.cost < best.cost):
            best = found
    return best


def _best_single_plain(plan: Plan, visit: int, t: int) -> Placement | None:
    """`best_single` without soft timing, where a position's cost is its detour (and the
    staff cost): the innermost loop of the search, so `best_on_route` is inlined."""
    routes, kinds = plan.routes, plan.route_kind
    demand = plan.tasks.tasks[t].demand
    w = plan.weights.travel_per_s
    staff_costs = bool(
        plan.preferred[visit]
        or plan.previous[visit] is not None
        or plan.tasks.part_cost[visit] is not None
    )
    best_cost, best_r, best_pos, own = 0, -1, -1, 0
    empty_tried: set[tuple[int, int]] = set()
    for r in plan.allowed_routes(visit, t):
        route = routes[r]
        if staff_costs:
            own = plan.staff_cost(visit, r)
        if not route.used:
            key = (kinds[r], own)
            if key in empty_tried:
                continue
            empty_tried.add(key)
        if demand:
            capacity = route.staff.capacity
            if capacity is not None and route.load + demand > capacity:
                continue
        found = route.best_insertion(t)
        if found is not None:
            cost = found[0] * w + own
            if best_r < 0 or cost < best_cost:
                best_cost, best_r, best_pos = cost, r, found[1]
    if best_r < 0:
        return None
    return Placement(best_cost, None, ((t, best_r, best_pos),))


def best_on_route(plan: Plan, visit: int, r: int, bound: int | None = None) -> Placement | None:
    """Cheapest place for an unlinked single visit on route r, if cheaper than `bound`
    (see `best_single`, which resets its window and the plan's tardiness first)."""
    (t,) = plan.tasks.of_visit[visit]
    route = plan.routes[r]
    if not route.has_room_for(plan.tasks.tasks[t].demand):
        return None
    own = plan.staff_cost(visit, r)
    best_cost, best_pos = bound, -1
    if plan.soft:
        w = plan.weights.travel_per_s
        for ins in route.insertions(t):
            # Lateness only adds to the detour: skip pricing it where the detour alone loses.
            if best_cost is not None and ins.cost * w + own >= best_cost:
                continue
            cost = plan.insertion_cost(t, r, ins.pos, ins.lo, ins.cost) + own
            if best_cost is None or cost < best_cost:
                best_cost, best_pos = cost, ins.pos
    else:
        found = route.best_insertion(t)
        if found is not None:
            cost = found[0] * plan.weights.travel_per_s + own
            if best_cost is None or cost < best_cost:
                best_cost, best_pos = cost, found[1]
    if best_pos < 0 or best_cost is None:
        return None
    return Placement(best_cost, None, ((t, r, best_pos),))


def bounded_options(plan: Plan, visit: int, t: int) -> list[tuple[int, int, Insertion]]:
    """Every feasible insertion of task t with a lower bound of its cost (the detour and
    the staff cost: lateness, with soft timing, can only add to it), cheapest bound first.
    Sets the plan's tardiness for `insertion_cost` when timing is soft."""
    demand = plan.tasks.tasks[t].demand
    w = plan.weights.travel_per_s
    bounded: list[tuple[int, int, Insertion]] = []
    for r in plan.allowed_routes(visit, t):
        route = plan.routes[r]
        if not route.has_room_for(demand):
            continue
        own = plan.staff_cost(visit, r)
        for ins in route.insertions(t):
            bounded.append((ins.cost * w + own, r, ins))
    bounded.sort(key=lambda o: (o[0], o[1], o[2].pos))
    if plan.soft:
        plan.known_max_late = plan.max_late()
    return bounded


def priced(plan: Plan, t: int, bound: int, r: int, ins: Insertion) -> int:
    """An option of `bounded_options` priced: with soft timing, plus the lateness it
    causes when it starts at its earliest."""
    if not plan.soft:
        return bound
    w = plan.weights.travel_per_s
    return bound - ins.cost * w + plan.insertion_cost(t, r, ins.pos, ins.lo, ins.cost)


def cheapest_options(
    plan: Plan, visit: int, t: int, top: int | None = None
) -> list[tuple[int, int, Insertion]]:
    """Every feasible insertion of task t with its cost, cheapest first; with `top`, only
    the `top` cheapest."""
    bounded = bounded_options(plan, visit, t)
    if not plan.soft:
        return bounded if top is None else bounded[:top]
    # Price options in order of their bound and stop once the bound alone is dearer than
    # the `top` cheapest priced so far.
    found: list[tuple[int, int, Insertion]] = []
    kth: int | None = None
    for bound, r, ins in bounded:
        if kth is not None and bound > kth:
            break
        found.append((priced(plan, t, bound, r, ins), r, ins))
        if top is not None and len(found) >= top:
            kth = sorted(c for c, _, _ in found)[top - 1]
    found.sort(key=lambda o: (o[0], o[1], o[2].pos))
    return found if top is None else found[:top]
