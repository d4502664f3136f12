"""Local search on a Plan: relocate single visits and exchange route tails (2-opt*).

Ruin and recreate moves many visits at once and finds room; these moves settle the detail it
leaves: each single visit goes to its cheapest place given all the others (relocate, within or
across routes), and two routes swap their ends where that shortens both (2-opt*, the move that
untangles crossing routes). Every move is checked in constant time with the routes' cached
forward/backward times, then applied and kept only if the plan's cost drops.
"""

from __future__ import annotations

import time

from solver.insertion import best_single
from solver.plan import Placement, Plan
from solver.schedule import RouteState


def descend(plan: Plan, deadline: float) -> bool:
    """Apply improving moves until none is left (or the deadline); True if any was found."""
    improved = False
    while time.monotonic() < deadline:
        found = relocate_pass(plan, deadline)
        found = two_opt_star_pass(plan, deadline) or found
        if not found:
            break
        improved = True
    return improved


def relocate_pass(plan: Plan, deadline: float) -> bool:
    """Take each planned single visit out and put it back at its cheapest place."""
    tasks = plan.tasks
    improved = False
    for v in range(len(tasks.of_visit)):
        if tasks.is_coupled(v) or not plan.is_planned(v):
            continue
        if time.monotonic() > deadline:
            break
        (t,) = tasks.of_visit[v]
        r = plan.route_of[t]
        pos = plan.routes[r].elems.index(t)
        before = plan.cost()
        plan.remove(v)
        best = best_single(plan, v)
        if best is not None and best.parts[0][1:] != (r, pos):
            plan.apply(v, best)
            if plan.cost() < before:
                improved = True
                continue
            plan.remove(v)
        plan.apply(v, Placement(0, None, ((t, r, pos),)))
    return improved


def two_opt_star_pass(plan: Plan, deadline: float) -> bool:
    """For each pair of routes of interchangeable staff, the first exchange of tails that
    shortens them."""
    improved = False
    routes = plan.routes
    for a in range(len(routes)):
        for b in range(a + 1, len(routes)):
            if time.monotonic() > deadline:
                return improved
            if plan.route_kind[a] != plan.route_kind[b]:
                continue
            if not (routes[a].used or routes[b].used):
                continue
            if routes[a].limit_s != routes[b].limit_s:
                continue
            if _exchange_tails(plan, a, b):
                improved = True
    return improved


def _loads(route: RouteState) -> list[int]:
    loads = [0]
    for e in route.elems:
        loads.append(loads[-1] + (route.tasks[e].demand if e >= 0 else 0))
    return loads


def _exchange_tails(plan: Plan, a: int, b: int) -> bool:
    ra, rb = plan.routes[a], plan.routes[b]
    travel = plan.tasks.travel
    load_a, load_b = _loads(ra), _loads(rb)
    capacity = ra.staff.capacity
    w = plan.weights.travel_per_s
    for i in range(len(ra.elems) + 1):
        loc_a, next_a = ra.before[i][1], ra.nxt[i]
        for j in range(len(rb.elems) + 1):
            if (i == len(ra.elems) and j == len(rb.elems)) or (i == 0 and j == 0):
                continue
            loc_b, next_b = rb.before[j][1], rb.nxt[j]
            gain = (
                travel[loc_a][next_a]
                + travel[loc_b][next_b]
                - travel[loc_a][next_b]
                - travel[loc_b][next_a]
            )
            if gain * w <= 0:
                continue
            if capacity is not None and (
                load_a[i] + load_b[-1] - load_b[j] > capacity
                or load_b[j] + load_a[-1] - load_a[i] > capacity
            ):
                continue
            if not (_joins(ra, i, rb, j) and _joins(rb, j, ra, i)):
                continue
            if _try_exchange(plan, a, i, b, j):
                return True
    return False


def _joins(head: RouteState, i: int, tail: RouteState, j: int) -> bool:
    """Can the first i elements of `head` be followed by `tail`'s elements from j on? Tails
    starting with a break are left to the full check."""
    anchor, loc, brk, free = head.before[i]
    if j == len(tail.elems):
        ret = max(anchor + brk + head.travel[loc][head.staff.end_location], free)
        return ret <= head.limit_s
    e = tail.elems[j]
    if e < 0:
        return True
    task = tail.tasks[e]
    start = max(anchor + brk + head.travel[loc][task.location], free, tail.windows[e][0])
    return start <= tail.deadline[j]


def _try_exchange(plan: Plan, a: int, i: int, b: int, j: int) -> bool:
    """Swap the tails, keep it if both routes stay feasible with their staff and the plan's
    cost drops; otherwise put them back."""
    ra, rb = plan.routes[a], plan.routes[b]
    old_a, old_b = list(ra.elems), list(rb.elems)
    new_a, new_b = old_a[:i] + old_b[j:], old_b[:j] + old_a[i:]
    if not (_allowed(plan, a, new_a, old_b[j:]) and _allowed(plan, b, new_b, old_a[i:])):
        return False
    before = plan.cost()
    ra.elems, rb.elems = new_a, new_b
    _assign(plan, old_b[j:], a)
    _assign(plan, old_a[i:], b)
    if ra.refresh() and rb.refresh() and plan.cost() < before:
        return True
    ra.elems, rb.elems = old_a, old_b
    _assign(plan, old_b[j:], b)
    _assign(plan, old_a[i:], a)
    ra.refresh()
    rb.refresh()
    return False


def _assign(plan: Plan, elems: list[int], r: int) -> None:
    for e in elems:
        if e >= 0:
            plan.reassign(e, r)


def _allowed(plan: Plan, r: int, elems: list[int], moved: list[int]) -> bool:
    """Each break once, every moved task eligible for this staff member, no visit twice."""
    breaks = sorted(~e for e in elems if e < 0)
    if breaks != list(range(len(plan.routes[r].breaks))):
        return False
    tasks = plan.tasks
    if any(e >= 0 and r not in tasks.tasks[e].eligible for e in moved):
        return False  # (appointments too: only their own staff member is eligible)
    if any(e >= 0 and tasks.staff_links[tasks.tasks[e].visit] for e in moved):
        return False  # a series or same/different-staff visit stays with its staff
    visits = [tasks.tasks[e].visit for e in elems if e >= 0]
    return len(visits) == len(set(visits))
