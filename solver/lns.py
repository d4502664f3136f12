"""Ruin and recreate: take a few visits out, put them (and some unassigned ones) back greedily.

This is what gets visits into a full plan: OR-Tools' local search moves one node at a time and
cannot insert a joint visit (both parts at once) or make room by reshuffling several routes.
A move is kept by simulated annealing on the plan's cost, where an unassigned visit costs far
more than any detour, so in effect the number of planned visits never drops.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable

from solver.construction import group_key
from solver.linked import place_group
from solver.local_search import descend
from solver.monitor import Monitor, Progress
from solver.plan import Plan
from solver.result import SearchStats

log = logging.getLogger(__name__)

MAX_REMOVED = 12
# String removal (Christiaens and Vanden Berghe's SISR): about AVERAGE_REMOVED visits in strings
# of at most MAX_STRING consecutive stops, from the routes nearest a random visit.
AVERAGE_REMOVED = 10
MAX_STRING = 10
NEIGHBOURS = 60

# How often each ruin is chosen (random, related, string, room): strings did best on the long
# routes of Solomon's R2 and RC2 sets.
RUIN_WEIGHTS = (1.0, 1.0, 3.0, 1.0)
MAX_REINSERTED_UNPLANNED = 12
STALL_ITERATIONS_PER_VISIT = 20
STALL_RESTARTS = 3
DESCEND_SHARE = 0.2
# Simulated annealing's temperature, as a share of the plan's mean leg: the scale of a detour,
# whatever the units (seconds in home care, tenths of distance in the VRPTW benchmarks).
START_TEMPERATURE = 3.0
END_TEMPERATURE = 0.05


class Groups:
    """Which visits move together: a dependency group (joint visits are one visit already);
    and, per visit, the other visits nearest to it (for the string ruin)."""

    def __init__(self, plan: Plan) -> None:
        tasks = plan.tasks
        self.groups = tasks.components()
        self.of_visit = [0] * len(tasks.of_visit)
        for g, group in enumerate(self.groups):
            for v in group:
                self.of_visit[v] = g
        self.keys = [group_key(tasks, group) for group in self.groups]
        location = [tasks.tasks[parts[0]].location for parts in tasks.of_visit]
        self.near: list[list[int]] = []
        for here in location:
            row = tasks.travel[here]
            by_distance = sorted(range(len(location)), key=lambda w: row[location[w]])
            self.near.append(by_distance[:NEIGHBOURS])


def ruin_and_recreate(
    plan: Plan,
    deadline: float,
    rng: random.Random,
    max_iterations: int | None = None,
    stop_when_settled: bool = True,
    monitor: Monitor | None = None,
) -> tuple[Plan, SearchStats]:
    """Improve `plan` in place until the deadline (or the iteration cap), or, if
    `stop_when_settled`, until it has gone STALL_RESTARTS rounds without a better plan, or
    until `monitor` says stop; keeps the best. Returns the plan and how many iterations it took
    in how long. `monitor` hears of the best plan between iterations."""
    groups = Groups(plan)
    planned = _planned_groups(plan, groups)
    if not planned:
        return plan, SearchStats()
    best, best_cost = plan.snapshot(), plan.cost()
    current = best_cost
    started, iteration, last_best, last_restart = time.monotonic(), 0, 0, 0
    searching = 0.0  # seconds spent in local search
    # Small days settle quickly: after a long while without a better plan go back to the best
    # one, and stop after a few such rounds.
    stall = max(2000, STALL_ITERATIONS_PER_VISIT * len(plan.tasks.of_visit))
    span = max(deadline - started, 1e-3)
    leg = _mean_leg(plan)
    ruins: list[Callable[[Plan, Groups, random.Random], list[int]]] = [
        _random_ruin,
        _related_ruin,
        _string_ruin,
        _room_ruin,
    ]
    visits = len(plan.tasks.of_visit)
    best_placed = visits - len(plan.unplanned())

    def so_far() -> Progress:
        return Progress(best_cost, best_placed, visits, iteration, time.monotonic() - started)

    while time.monotonic() < deadline and (max_iterations is None or iteration < max_iterations):
        if monitor is not None and monitor.check(so_far):
            break
        if stop_when_settled and iteration - last_best > STALL_RESTARTS * stall:
            break
        if iteration - last_restart > stall and iteration - last_best > stall:
            # Wandered off: carry on from the best plan.
            plan.restore(best)
            current, last_restart = best_cost, iteration
        iteration += 1
        progress = (
            iteration / max_iterations
            if max_iterations is not None
            else (time.monotonic() - started) / span
        )
        temperature = (
            START_TEMPERATURE
            * (END_TEMPERATURE / START_TEMPERATURE) ** min(progress, 1.0)
            * leg
            * plan.weights.travel_per_s
        )
        before = plan.snapshot()
        ruin = rng.choices(ruins, RUIN_WEIGHTS)[0]
        # The room ruin clears room for a visit that is out: it goes back first, before the
        # visits that were taken out to make that room fill it again.
        first = ruin is _room_ruin and bool(plan.unplanned())
        removed = ruin(plan, groups, rng)
        _recreate(plan, groups, removed, rng, removed[0] if first else None)
        cost = plan.cost()
        if cost < current or rng.random() < math.exp((current - cost) / max(temperature, 1e-9)):
            current = cost
            if cost < best_cost:
                # Local search on new bests, but never more than a share of the time so far
                # (unless the work is fixed by an iteration cap: then the plan must not depend
                # on the machine's speed).
                now = time.monotonic()
                if max_iterations is not None or searching <= DESCEND_SHARE * (now - started):
                    if descend(plan, deadline):
                        current = cost = plan.cost()
                    searching += time.monotonic() - now
                best, best_cost, last_best = plan.snapshot(), cost, iteration
                best_placed = visits - len(plan.unplanned())
        else:
            plan.restore(before)
    plan.restore(best)
    if monitor is not None:
        monitor.report(so_far())
    log.debug("ruin and recreate: %d iterations, last improvement at %d", iteration, last_best)
    return plan, SearchStats(iteration, time.monotonic() - started)


def _mean_leg(plan: Plan) -> float:
    used = [r for r in plan.routes if r.used]
    legs = sum(len(r.task_elems()) + 1 for r in used)
    return max(1.0, sum(r.travel_total_s for r in used) / max(legs, 1))


def _planned_groups(plan: Plan, groups: Groups) -> list[int]:
    return [g for g, group in enumerate(groups.groups) if plan.is_planned(group[0])]


def _remove(plan: Plan, groups: Groups, chosen: set[int]) -> list[int]:
    plan.remove_many([v for g in sorted(chosen) for v in groups.groups[g]])
    return sorted(chosen)


def _random_ruin(plan: Plan, groups: Groups, rng: random.Random) -> list[int]:
    planned = _planned_groups(plan, groups)
    k = min(len(planned), rng.randint(2, MAX_REMOVED))
    return _remove(plan, groups, set(rng.sample(planned, k)))


def _related_ruin(plan: Plan, groups: Groups, rng: random.Random) -> list[int]:
    """Visits near a random one in place and time: they compete for the same routes."""
    planned = _planned_groups(plan, groups)
    seed_visit = groups.groups[rng.choice(planned)][0]
    tasks, travel = plan.tasks, plan.tasks.travel
    seed_task = tasks.tasks[tasks.of_visit[seed_visit][0]]
    seed_mid = (seed_task.earliest_s + seed_task.latest_s) // 2

    def distance(g: int) -> float:
        task = tasks.tasks[tasks.of_visit[groups.groups[g][0]][0]]
        mid = (task.earliest_s + task.latest_s) // 2
        return travel[seed_task.location][task.location] + 0.5 * abs(mid - seed_mid)

    k = min(len(planned), rng.randint(3, MAX_REMOVED))
    return _remove(plan, groups, set(sorted(planned, key=distance)[:k]))


def _string_ruin(plan: Plan, groups: Groups, rng: random.Random) -> list[int]:
    """Runs of consecutive stops around a random visit and its nearest neighbours, one run per
    route (SISR): frees a stretch of time and place in several routes that could trade stops."""
    planned = _planned_groups(plan, groups)
    used = [r for r in plan.routes if r.used]
    mean_stops = sum(len(r.task_elems()) for r in used) / max(len(used), 1)
    max_length = max(1.0, min(MAX_STRING, mean_stops))
    max_strings = max(1.0, 4 * AVERAGE_REMOVED / (1 + max_length) - 1)
    strings = int(rng.uniform(1, max_strings + 1))
    seed_visit = rng.choice(groups.groups[rng.choice(planned)])
    tasks, route_of = plan.tasks, plan.route_of
    chosen: set[int] = set()
    done: set[int] = set()
    for visit in groups.near[seed_visit]:
        if len(done) >= strings:
            break
        t = tasks.of_visit[visit][0]
        r = route_of.get(t)
        if r is None or r in done:
            continue
        done.add(r)
        stops = plan.routes[r].task_elems()
        length = int(rng.uniform(1, min(len(stops), max_length) + 1))
        at = stops.index(t)
        first = rng.randint(max(0, at - length + 1), min(at, len(stops) - length))
        for s in stops[first : first + length]:
            if not tasks.is_fixed(s):  # appointments stay
                chosen.add(groups.of_visit[tasks.tasks[s].visit])
    return _remove(plan, groups, chosen)


def _room_ruin(plan: Plan, groups: Groups, rng: random.Random) -> list[int]:
    """Room for a visit that is out, most of all a joint one: clear the stretch of its window
    on a few staff members who may do it, then put it back first. With everything planned,
    a related ruin."""
    out = [g for g in range(len(groups.groups)) if not plan.is_planned(groups.groups[g][0])]
    if not out:
        return _related_ruin(plan, groups, rng)
    target = min(rng.sample(out, min(3, len(out))), key=lambda g: (groups.keys[g], rng.random()))
    tasks = plan.tasks
    visit = rng.choice(groups.groups[target])
    first = tasks.tasks[tasks.of_visit[visit][0]]
    margin = first.duration_s
    lo, hi = first.earliest_s - margin, first.latest_s + 2 * margin
    staff = sorted({r for t in tasks.of_visit[visit] for r in tasks.tasks[t].eligible})
    used = [r for r in staff if plan.routes[r].used]
    k = min(len(used), len(tasks.of_visit[visit]) + rng.randint(0, 2))
    chosen: set[int] = set()
    for r in rng.sample(used, k):
        route = plan.routes[r]
        for p, e in enumerate(route.elems):
            if e < 0 or tasks.is_fixed(e):  # breaks and appointments stay
                continue
            if route.starts[p] < hi and route.starts[p] + tasks.tasks[e].duration_s > lo:
                chosen.add(groups.of_visit[tasks.tasks[e].visit])
    if len(chosen) > MAX_REMOVED:
        chosen = set(rng.sample(sorted(chosen), MAX_REMOVED))
    return [target, *_remove(plan, groups, chosen)]


def _recreate(
    plan: Plan, groups: Groups, removed: list[int], rng: random.Random, first: int | None = None
) -> None:
    """Put the removed groups back, with up to MAX_REINSERTED_UNPLANNED of those already out.
    `first` goes in before all others and with every option tried (a two-part joint visit tries
    every pair anyway; this counts for larger joint visits and those with same-staff rules)."""
    if first is not None:
        place_group(plan, groups.groups[first], top=None)
    unplanned = [g for g in range(len(groups.groups)) if not plan.is_planned(groups.groups[g][0])]
    extra = [g for g in unplanned if g not in removed]
    if len(extra) > MAX_REINSERTED_UNPLANNED:
        # Favour the important ones; the rest get their turn in later iterations.
        extra.sort(key=lambda g: (groups.keys[g][0], rng.random()))
        extra = extra[:MAX_REINSERTED_UNPLANNED]
    todo = [g for g in removed if g != first] + extra
    if rng.random() < 0.5:
        todo.sort(key=lambda g: (groups.keys[g], rng.random()))
    else:
        todo.sort(key=lambda g: (groups.keys[g][0], groups.keys[g][1], rng.random()))
    for g in todo:
        place_group(plan, groups.groups[g])
