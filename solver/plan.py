"""A plan under construction: routes that stay feasible after every change, and their cost.

The plan keeps the routes, the start windows they share, who does what, and the cost; it applies
and removes placements and takes and restores snapshots. Finding placements is elsewhere: one
task at a time in solver.insertion, joint visits and linked groups in solver.linked.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.problem import Staff, Weights
from solver.schedule import RouteState
from solver.tasks import Tasks


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a visit's parts go: one (task, route, position) each, and the common start (None
    for an unlinked single visit, which keeps its whole window)."""

    cost: int
    start_s: int | None
    parts: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    elems: tuple[tuple[int, ...], ...]
    windows: tuple[tuple[int, int], ...]
    route_of: dict[int, int]
    start_of_visit: dict[int, int]
    visit_cost: int | None


def route_limit(staff: Staff, overtime: bool) -> int:
    return staff.shift_end_s + (staff.max_overtime_s if overtime else 0)


class Plan:
    """Routes under construction and the start windows they share."""

    def __init__(self, tasks: Tasks, weights: Weights, overtime: bool = False) -> None:
        self.tasks = tasks
        self.weights = weights
        self.base = [(t.earliest_s, t.latest_s) for t in tasks.tasks]
        self.windows = list(self.base)
        # Each route starts with its staff member's fixed appointments (see Tasks.skeleton); a
        # route that needs overtime to keep them always has it.
        self.routes = [
            RouteState(
                s,
                tasks.travel,
                tasks.tasks,
                self.windows,
                route_limit(s, overtime or tasks.needs_overtime[r]),
                tasks.skeleton[r],
            )
            for r, s in enumerate(tasks.problem.staff)
        ]
        self.route_of: dict[int, int] = {t: tasks.fixed_of(t).route for t in tasks.fixed_tasks()}
        self.start_of_visit: dict[int, int] = {}
        problem = tasks.problem
        self.penalty = [weights.unassigned_penalty(v.priority) for v in problem.visits]
        self.preferred = [
            frozenset(tasks.staff_index[s] for s in v.preferred_staff if s in tasks.staff_index)
            for v in problem.visits
        ]
        # Replanning: who had the visit before (None: a new visit, any staff member is fine).
        self.previous: list[frozenset[int] | None] = [
            frozenset(tasks.staff_index[s] for s in v.previous_staff if s in tasks.staff_index)
            if v.previous_staff
            else None
            for v in problem.visits
        ]
        self.soft = any(t.late_costs or t.tardy_after is not None for t in tasks.tasks)
        # Staff whose empty routes are interchangeable for any visit they may both do.
        kinds: dict[tuple[object, ...], int] = {}
        self.route_kind = [
            kinds.setdefault(
                (
                    s.shift_start_s,
                    s.shift_end_s,
                    s.start_location,
                    s.end_location,
                    s.breaks,
                    s.capacity,
                    s.max_overtime_s,
                ),
                len(kinds),
            )
            for s in problem.staff
        ]
        self.known_max_late = 0  # the plan's largest tardiness while pricing insertions
        # Unassigned penalties and staff costs of planned visits, kept up to date by apply and
        # remove (None: count again).
        self._visit_cost: int | None = None

    # -- state ---------------------------------------------------------------------------------
    def allow_overtime(self, overtime: bool) -> None:
        for r, route in enumerate(self.routes):
            route.limit_s = route_limit(route.staff, overtime or self.tasks.needs_overtime[r])
            route.refresh()

    def is_planned(self, visit: int) -> bool:
        return self.tasks.of_visit[visit][0] in self.route_of

    def unplanned(self) -> list[int]:
        return [v for v in range(len(self.tasks.of_visit)) if not self.is_planned(v)]

    def cost(self) -> int:
        """Travel, overtime, lateness and unassigned penalties, reassignments, less
        preferred-staff bonuses, and the workload balance: the objective as the search sees it
        (see `staff_cost`)."""
        w = self.weights
        total = 0
        most_late = 0
        for route in self.routes:
            if route.used:
                total += w.travel_per_s * route.travel_total_s + route.soft_cost
                over = route.earliest_return_s - route.staff.shift_end_s
                if over > 0:
                    total += w.overtime_per_s * over
                if route.max_late > most_late:
                    most_late = route.max_late
        total += w.max_tardiness_per_s * most_late
        if w.workload_per_s:
            total += self.workload_cost()
        if self._visit_cost is None:
            self._visit_cost = self._count_visit_cost()
        return total + self._visit_cost

    def workload_cost(self) -> int:
        """`workload_per_s` for each second a working staff member's time away exceeds the
        mean over those who work (rounded down), as the objective's breakdown counts it."""
        working = [route.working_s() for route in self.routes if route.used]
        n, total = len(working), sum(working)
        excess = sum(n * d - total for d in working if n * d > total)
        return self.weights.workload_per_s * excess // n if n else 0

    def _count_visit_cost(self) -> int:
        total = 0
        for v, parts in enumerate(self.tasks.of_visit):
            if self.route_of.get(parts[0]) is None:
                total += self.penalty[v]
            else:
                total += sum(self.staff_cost(v, self.route_of[t]) for t in parts)
        return total

    def reassign(self, t: int, r: int) -> None:
        """Task t is now on route r (its elements already moved there by the caller)."""
        old = self.route_of[t]
        if self._visit_cost is not None and old != r:
            visit = self.tasks.tasks[t].visit
            self._visit_cost += self.staff_cost(visit, r) - self.staff_cost(visit, old)
        self.route_of[t] = r

    def recount(self) -> None:
        """Call after setting `route_of` directly: the kept cost of visits is stale."""
        self._visit_cost = None

    def staff_cost(self, visit: int, route: int) -> int:
        """What giving one part of the visit to this staff member costs or saves by itself."""
        cost = 0
        if route in self.preferred[visit]:
            cost -= self.weights.preferred_staff_bonus
        previous = self.previous[visit]
        if previous is not None and route not in previous:
            cost += self.weights.reassign_per_visit
        # Over-qualification, outside home municipality, a face the patient has not seen.
        own = self.tasks.part_cost[visit]
        if own is not None:
            cost += own[route]
        return cost

    def max_late(self) -> int:
        return max((r.max_late for r in self.routes if r.used), default=0)

    def insertion_cost(self, t: int, route: int, pos: int, start: int, travel: int) -> int:
        """Added cost of task t at `pos` on `route` starting at `start` (travel known):
        driving, and, when the plan has soft timing, the lateness it causes."""
        cost = travel * self.weights.travel_per_s
        if self.soft:
            late, most = self.routes[route].soft_delta(t, pos, start)
            cost += late
            if most > self.known_max_late:
                cost += self.weights.max_tardiness_per_s * (most - self.known_max_late)
        return cost

    def snapshot(self) -> Snapshot:
        return Snapshot(
            tuple(tuple(r.elems) for r in self.routes),
            tuple(self.windows),
            dict(self.route_of),
            dict(self.start_of_visit),
            self._visit_cost,
        )

    def restore(self, snap: Snapshot) -> None:
        # A route needs new times if its elements changed or a task on it got another window
        # (a linked visit put back on the same route at another time).
        stale = {
            snap.route_of[t]
            for t, (now, then) in enumerate(zip(self.windows, snap.windows, strict=True))
            if now != then and t in snap.route_of
        }
        self.windows[:] = snap.windows
        for r, (route, elems) in enumerate(zip(self.routes, snap.elems, strict=True)):
            if r in stale or tuple(route.elems) != elems:
                route.elems = list(elems)
                route.refresh()
        self.route_of = dict(snap.route_of)
        self.start_of_visit = dict(snap.start_of_visit)
        self._visit_cost = snap.visit_cost

    # -- where a visit may go, and putting it in or taking it out ------------------------------
    def narrowed_window(self, visit: int) -> tuple[int, int]:
        """The visit's window cut down by the start times of planned visits it is linked to."""
        lo, hi = self.base[self.tasks.of_visit[visit][0]]
        for link in self.tasks.links[visit]:
            other = self.start_of_visit.get(link.other)
            if other is not None:
                # other - this must lie in [link.lo, link.hi]
                lo, hi = max(lo, other - link.hi), min(hi, other - link.lo)
        return lo, hi

    def allowed_routes(self, visit: int, t: int) -> frozenset[int]:
        """Task t's eligible staff, less those the visit's staff rules (series, same or
        different staff as a linked visit) rule out given where its partners are planned. For a
        joint visit "same staff" needs only one of its parts there: see `staff_rules_hold`."""
        eligible = self.tasks.tasks[t].eligible
        rules = self.tasks.staff_links[visit]
        if not rules:
            return eligible
        single = len(self.tasks.of_visit[visit]) == 1
        allowed = set(eligible)
        for other, same in rules:
            theirs = {self.route_of[u] for u in self.tasks.of_visit[other] if u in self.route_of}
            if not theirs:
                continue
            if not same:
                allowed -= theirs
            elif single:
                allowed &= theirs
        return frozenset(allowed)

    def staff_rules_hold(self, visit: int, routes: set[int]) -> bool:
        """Would the visit's parts on these routes keep its staff rules with its planned
        partners: some staff member in common for "same", none for "different"?"""
        for other, same in self.tasks.staff_links[visit]:
            theirs = {self.route_of[u] for u in self.tasks.of_visit[other] if u in self.route_of}
            if theirs and bool(routes & theirs) != same:
                return False
        return True

    def apply(self, visit: int, placement: Placement) -> None:
        if self._visit_cost is not None:
            self._visit_cost += sum(self.staff_cost(visit, r) for _, r, _ in placement.parts)
            self._visit_cost -= self.penalty[visit]
        if placement.start_s is not None:
            self.start_of_visit[visit] = placement.start_s
        for t, r, pos in placement.parts:
            if placement.start_s is not None:
                self.windows[t] = (placement.start_s, placement.start_s)
            self.route_of[t] = r
            self.routes[r].insert(t, pos)

    def remove(self, visit: int) -> None:
        self.remove_many([visit])

    def remove_group(self, group: list[int]) -> None:
        for v in group:
            self.remove(v)

    def remove_many(self, visits: list[int]) -> None:
        """Take the visits out of the plan, re-timing each touched route once (not once per
        visit): ruin takes out several visits of a route at a time."""
        touched: set[int] = set()
        for visit in visits:
            if self._visit_cost is not None and self.is_planned(visit):
                self._visit_cost += self.penalty[visit]
                self._visit_cost -= sum(
                    self.staff_cost(visit, self.route_of[t]) for t in self.tasks.of_visit[visit]
                )
            self.start_of_visit.pop(visit, None)
            for t in self.tasks.of_visit[visit]:
                r = self.route_of.pop(t, None)
                if r is not None:
                    self.routes[r].elems.remove(t)
                    touched.add(r)
                self.windows[t] = self.base[t]
        for r in touched:
            self.routes[r].refresh()

    def route_tasks(self) -> list[list[int]]:
        return [route.task_elems() for route in self.routes]
