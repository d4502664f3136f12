"""A plan to start from: a given plan's routes, kept where they still fit the problem.

Replanning starts from the plan being replaced, restricted to what is still in the problem: each
staff member keeps their stops in their order, and linked visits (joint visits and dependencies)
keep their start. Whatever no longer fits - a changed window, a later shift start, a partner
visit that is gone, a visit apart from its series' staff member - comes out, and the search puts
it back where it fits. Fixed appointments come from the problem, not from the given plan: they
are laid in at their times and never dropped.
"""

from __future__ import annotations

from dataclasses import replace

from solver.breaks import with_breaks
from solver.plan import Plan, route_limit
from solver.problem import Problem, Weights
from solver.result import Result
from solver.tasks import Tasks


def warm_plan(tasks: Tasks, weights: Weights, initial: Result) -> Plan:
    """A feasible plan holding as much of `initial` as still fits; routes already running into
    overtime may keep it, the others must end by their shift end."""
    plan = Plan(tasks, weights, overtime=True)
    found = _parts_by_visit(tasks, initial)
    kept = _keepable(tasks, plan, found)
    for v in kept:
        if tasks.is_coupled(v):
            start = next(iter(found[v].values()))[1]
            plan.start_of_visit[v] = start
            for t in tasks.of_visit[v]:
                plan.windows[t] = (start, start)
    dropped: set[int] = set()
    for route in initial.routes:
        r = tasks.staff_index.get(route.staff_id)
        if r is None:
            continue
        sequence: list[tuple[int, int]] = []
        for stop in route.stops:
            visit = tasks.visit_index.get(stop.visit_id)
            if visit is None or visit not in kept or found[visit].get(stop.part, (-1,))[0] != r:
                continue
            t = tasks.of_visit[visit][stop.part]
            if all(t != u for u, _ in sequence):
                sequence.append((t, stop.start_s))
        dropped |= _lay_route(plan, r, _with_fixed(tasks, r, sequence))
    _drop(plan, dropped)
    for state in plan.routes:
        state.limit_s = route_limit(state.staff, state.earliest_return_s > state.staff.shift_end_s)
        state.refresh()
    return plan


def _parts_by_visit(tasks: Tasks, initial: Result) -> dict[int, dict[int, tuple[int, int]]]:
    """(route, start) of each part of each visit the initial plan has, where the staff member
    is still working and may still do that part."""
    found: dict[int, dict[int, tuple[int, int]]] = {}
    for route in initial.routes:
        r = tasks.staff_index.get(route.staff_id)
        if r is None:
            continue
        for stop in route.stops:
            v = tasks.visit_index.get(stop.visit_id)
            if v is None or not 0 <= stop.part < len(tasks.of_visit[v]):
                continue
            if r not in tasks.tasks[tasks.of_visit[v][stop.part]].eligible:
                continue
            found.setdefault(v, {}).setdefault(stop.part, (r, stop.start_s))
    return found


def _with_fixed(tasks: Tasks, r: int, sequence: list[tuple[int, int]]) -> list[int]:
    """The route's tasks in the given order, with its fixed appointments merged in by time."""
    skeleton = tasks.skeleton[r] or []
    fixed = [(t, tasks.tasks[t].earliest_s) for t in skeleton if t >= 0]
    merged: list[int] = []
    for t, start in sequence:
        while fixed and fixed[0][1] <= start:
            merged.append(fixed.pop(0)[0])
        merged.append(t)
    return merged + [t for t, _ in fixed]


def _keepable(tasks: Tasks, plan: Plan, found: dict[int, dict[int, tuple[int, int]]]) -> set[int]:
    """Visits with every part on its own staff member, linked ones at one start inside their
    window, dependencies kept together and with their lag, staff rules (series, same or
    different staff) kept."""
    kept: set[int] = set()
    for v, parts in found.items():
        staff = {r for r, _ in parts.values()}
        if len(parts) != len(tasks.of_visit[v]) or len(staff) != len(parts):
            continue
        if tasks.is_coupled(v):
            starts = {start for _, start in parts.values()}
            lo, hi = plan.base[tasks.of_visit[v][0]]
            if len(starts) != 1 or not lo <= next(iter(starts)) <= hi:
                continue
        kept.add(v)
    changed = True
    while changed:
        changed = False
        for v in sorted(kept):
            start = found[v][0][1]
            for link in tasks.links[v]:
                other = found.get(link.other)
                if link.other not in kept or other is None:
                    kept.discard(v)
                    changed = True
                    break
                if not link.lo <= other[0][1] - start <= link.hi:
                    kept.discard(v)
                    changed = True
                    break
            if v in kept and not _staff_rules_kept(tasks, v, kept, found):
                kept.discard(v)
                changed = True
    return kept


def _staff_rules_kept(
    tasks: Tasks, v: int, kept: set[int], found: dict[int, dict[int, tuple[int, int]]]
) -> bool:
    mine = {r for r, _ in found[v].values()}
    for other, same in tasks.staff_links[v]:
        if other in kept and bool(mine & {r for r, _ in found[other].values()}) != same:
            return False
    return True


def _lay_route(plan: Plan, r: int, sequence: list[int]) -> set[int]:
    """Put the tasks on route r in order, breaks where they fit; a task that does not fit is
    left out (its visit is returned, to come out of other routes too)."""
    route = plan.routes[r]
    tasks = plan.tasks
    elems = with_breaks(route, sequence)
    dropped: set[int] = set()
    if elems is None:
        # Fixed appointments always stay: each visit must fit with those still to come.
        laid: list[int] = []
        for i, t in enumerate(sequence):
            later_fixed = [u for u in sequence[i + 1 :] if tasks.is_fixed(u)]
            if tasks.is_fixed(t) or with_breaks(route, [*laid, t, *later_fixed]) is not None:
                laid.append(t)
            else:
                dropped.add(tasks.tasks[t].visit)
        elems = with_breaks(route, laid)
        if elems is None:  # not even the empty route fits (breaks): nothing stays on it
            dropped |= {tasks.tasks[t].visit for t in laid if not tasks.is_fixed(t)}
            skeleton = tasks.skeleton[r]
            elems = (
                list(skeleton) if skeleton is not None else [~b for b in range(len(route.breaks))]
            )
            laid = [t for t in elems if t >= 0]
        sequence = laid
    route.elems = elems
    route.refresh()
    for t in sequence:
        plan.route_of[t] = r
    plan.recount()
    return dropped


def _drop(plan: Plan, visits: set[int]) -> None:
    """Take these visits out, with every visit linked to them (both or neither)."""
    todo = list(visits)
    done: set[int] = set()
    while todo:
        v = todo.pop()
        if v in done:
            continue
        done.add(v)
        plan.remove(v)
        todo.extend(link.other for link in plan.tasks.links[v])
    for route in plan.routes:
        if not route.refresh():  # a shortcut leg made the route worse: start it afresh
            for t in route.task_elems():
                if not plan.tasks.is_fixed(t):
                    _drop(plan, {plan.tasks.tasks[t].visit})


def with_previous_plan(problem: Problem, plan: Result) -> Problem:
    """The problem with each visit's `previous_staff` and `previous_start_s` taken from `plan`
    (visits it does not have are left as they are): what a replan should move as little as it
    can."""
    staff: dict[str, list[tuple[int, str]]] = {}
    starts: dict[str, int] = {}
    for route in plan.routes:
        for stop in route.stops:
            staff.setdefault(stop.visit_id, []).append((stop.part, route.staff_id))
            starts.setdefault(stop.visit_id, stop.start_s)
    visits = tuple(
        replace(
            v,
            previous_staff=tuple(s for _, s in sorted(staff[v.id])),
            previous_start_s=starts[v.id],
        )
        if v.id in staff
        else v
        for v in problem.visits
    )
    return replace(problem, visits=visits)
