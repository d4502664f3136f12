"""A plan under construction: routes that stay feasible after every change, and their cost.

Linked visits (joint visits and dependency groups) get a fixed start when placed: their tasks'
windows shrink to that second, so every route can still be checked on its own. Placing a linked
visit means finding routes (distinct ones for a joint visit) that can all start it at one second.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from solver.problem import Staff, Weights
from solver.schedule import Insertion, RouteState
from solver.tasks import Tasks

TOP_OPTIONS = 40
GROUP_BUDGET = 40


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
        self._max_late = 0  # the plan's largest tardiness while pricing insertions
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
        own = self.tasks.part_cost[visit]  # over-qualification, outside home municipality
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
            if most > self._max_late:
                cost += self.weights.max_tardiness_per_s * (most - self._max_late)
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

    # -- placing ---------------------------------------------------------------------------------
    def narrowed_window(self, visit: int) -> tuple[int, int]:
        """The visit's window cut down by the start times of planned visits it is linked to."""
        lo, hi = self.base[self.tasks.of_visit[visit][0]]
        for link in self.tasks.links[visit]:
            other = self.start_of_visit.get(link.other)
            if other is not None:
                # other - this must lie in [link.lo, link.hi]
                lo, hi = max(lo, other - link.hi), min(hi, other - link.lo)
        return lo, hi

    def best_single(self, visit: int) -> Placement | None:
        """Cheapest place for an unlinked single visit (it keeps its whole window). Of several
        empty routes that look the same to this visit only the first is tried."""
        self.prepare_single(visit)
        (t,) = self.tasks.of_visit[visit]
        if not self.soft:
            return self._best_single_plain(visit, t)
        best: Placement | None = None
        empty_tried: set[tuple[int, int]] = set()
        for r in self.allowed_routes(visit, t):
            if not self.routes[r].used:
                key = (self.route_kind[r], self.staff_cost(visit, r))
                if key in empty_tried:
                    continue
                empty_tried.add(key)
            found = self.best_on_route(visit, r, best.cost if best is not None else None)
            if found is not None and (best is None or found.cost < best.cost):
                best = found
        return best

    def _best_single_plain(self, visit: int, t: int) -> Placement | None:
        """`best_single` without soft timing, where a position's cost is its detour (and the
        staff cost): the innermost loop of the search, so `best_on_route` is inlined."""
        routes, kinds = self.routes, self.route_kind
        demand = self.tasks.tasks[t].demand
        w = self.weights.travel_per_s
        staff_costs = bool(
            self.preferred[visit]
            or self.previous[visit] is not None
            or self.tasks.part_cost[visit] is not None
        )
        best_cost, best_r, best_pos, own = 0, -1, -1, 0
        empty_tried: set[tuple[int, int]] = set()
        for r in self.allowed_routes(visit, t):
            route = routes[r]
            if staff_costs:
                own = self.staff_cost(visit, r)
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

    def best_on_route(self, visit: int, r: int, bound: int | None = None) -> Placement | None:
        """Cheapest place for an unlinked single visit on route r, if cheaper than `bound`
        (see `best_single`, which resets its window and the plan's tardiness first)."""
        (t,) = self.tasks.of_visit[visit]
        route = self.routes[r]
        if not route.has_room_for(self.tasks.tasks[t].demand):
            return None
        own = self.staff_cost(visit, r)
        best_cost, best_pos = bound, -1
        if self.soft:
            w = self.weights.travel_per_s
            for ins in route.insertions(t):
                # Lateness only adds to the detour: skip pricing it where the detour alone loses.
                if best_cost is not None and ins.cost * w + own >= best_cost:
                    continue
                cost = self.insertion_cost(t, r, ins.pos, ins.lo, ins.cost) + own
                if best_cost is None or cost < best_cost:
                    best_cost, best_pos = cost, ins.pos
        else:
            found = route.best_insertion(t)
            if found is not None:
                cost = found[0] * self.weights.travel_per_s + own
                if best_cost is None or cost < best_cost:
                    best_cost, best_pos = cost, found[1]
        if best_pos < 0 or best_cost is None:
            return None
        return Placement(best_cost, None, ((t, r, best_pos),))

    def prepare_single(self, visit: int) -> None:
        """Reset an unlinked single visit's window and the plan's tardiness before pricing."""
        (t,) = self.tasks.of_visit[visit]
        self.windows[t] = self.base[t]
        if self.soft:
            self._max_late = self.max_late()

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

    def placements(
        self,
        visit: int,
        top: int | None = TOP_OPTIONS,
        ignore_links: bool = False,
        limit: int | None = None,
    ) -> list[Placement]:
        """Feasible placements of every part of a visit at a common start, cheapest first (the
        `limit` cheapest, or all). `top` bounds the options tried per part of a joint visit
        (None: all of them), except for a two-part visit with a `limit` and no same-staff rule:
        that one tries every pair of options (`_cheapest_pairs`)."""
        parts = self.tasks.of_visit[visit]
        window = self.base[parts[0]] if ignore_links else self.narrowed_window(visit)
        if window[0] > window[1]:
            return []
        for t in parts:
            self.windows[t] = window
        same_staff = any(same for _, same in self.tasks.staff_links[visit])
        if len(parts) == 2 and limit is not None and not same_staff:
            first, second = (self._bounded_options(visit, t) for t in parts)
            return self._cheapest_pairs(parts, first, second, limit)
        if len(parts) == 1:
            options = [self._options(visit, parts[0], limit)]
            # A visit tied to others only by who does it (a series) keeps its whole window.
            coupled = self.tasks.is_coupled(visit)
            return [
                Placement(cost, ins.lo if coupled else None, ((parts[0], r, ins.pos),))
                for cost, r, ins in options[0]
            ]
        options = [self._options(visit, t, top) for t in parts]
        found = self._joint_placements(parts, options, top)
        if same_staff:
            found = [p for p in found if self.staff_rules_hold(visit, {r for _, r, _ in p.parts})]
        return found[:limit]

    def _bounded_options(self, visit: int, t: int) -> list[tuple[int, int, Insertion]]:
        """Every feasible insertion of task t with a lower bound of its cost (the detour and
        the staff cost: lateness, with soft timing, can only add to it), cheapest bound first.
        Sets the plan's tardiness for `insertion_cost` when timing is soft."""
        demand = self.tasks.tasks[t].demand
        w = self.weights.travel_per_s
        bounded: list[tuple[int, int, Insertion]] = []
        for r in self.allowed_routes(visit, t):
            route = self.routes[r]
            if not route.has_room_for(demand):
                continue
            own = self.staff_cost(visit, r)
            for ins in route.insertions(t):
                bounded.append((ins.cost * w + own, r, ins))
        bounded.sort(key=lambda o: (o[0], o[1], o[2].pos))
        if self.soft:
            self._max_late = self.max_late()
        return bounded

    def _priced(self, t: int, bound: int, r: int, ins: Insertion) -> int:
        """An option of `_bounded_options` priced: with soft timing, plus the lateness it
        causes when it starts at its earliest."""
        if not self.soft:
            return bound
        w = self.weights.travel_per_s
        return bound - ins.cost * w + self.insertion_cost(t, r, ins.pos, ins.lo, ins.cost)

    def _options(
        self, visit: int, t: int, top: int | None = None
    ) -> list[tuple[int, int, Insertion]]:
        """Every feasible insertion of task t with its cost, cheapest first; with `top`, only
        the `top` cheapest."""
        bounded = self._bounded_options(visit, t)
        if not self.soft:
            return bounded if top is None else bounded[:top]
        # Price options in order of their bound and stop once the bound alone is dearer than
        # the `top` cheapest priced so far.
        found: list[tuple[int, int, Insertion]] = []
        kth: int | None = None
        for bound, r, ins in bounded:
            if kth is not None and bound > kth:
                break
            found.append((self._priced(t, bound, r, ins), r, ins))
            if top is not None and len(found) >= top:
                kth = sorted(c for c, _, _ in found)[top - 1]
        found.sort(key=lambda o: (o[0], o[1], o[2].pos))
        return found if top is None else found[:top]

    def _joint_placements(
        self,
        parts: tuple[int, ...],
        options: list[list[tuple[int, int, Insertion]]],
        top: int | None,
    ) -> list[Placement]:
        tops = [opts[:top] for opts in options]
        if len(parts) == 2:
            return self._pair_placements(parts, tops[0], tops[1])
        found: dict[tuple[int, ...], Placement] = {}
        for combo in itertools.product(*tops):
            staff = [r for _, r, _ in combo]
            if len(set(staff)) < len(staff):
                continue
            lo = max(ins.lo for _, _, ins in combo)
            if lo > min(ins.hi for _, _, ins in combo):
                continue
            cost = sum(c for c, _, _ in combo)
            key = tuple(sorted(staff))
            if key not in found or cost < found[key].cost:
                where = tuple((t, r, ins.pos) for t, (_, r, ins) in zip(parts, combo, strict=True))
                found[key] = Placement(cost, lo, where)
        return sorted(found.values(), key=lambda p: (p.cost, p.parts))

    @staticmethod
    def _pair_placements(
        parts: tuple[int, ...],
        first: list[tuple[int, int, Insertion]],
        second: list[tuple[int, int, Insertion]],
    ) -> list[Placement]:
        """`_joint_placements` for the common two-staff visit, unrolled: the same result."""
        best: dict[tuple[int, int], tuple[int, int, int, int, int, int]] = {}
        for cost_a, r_a, ins_a in first:
            lo_a, hi_a = ins_a.lo, ins_a.hi
            for cost_b, r_b, ins_b in second:
                if r_b == r_a:
                    continue
                lo = lo_a if lo_a > ins_b.lo else ins_b.lo
                if lo > (hi_a if hi_a < ins_b.hi else ins_b.hi):
                    continue
                cost = cost_a + cost_b
                key = (r_a, r_b) if r_a < r_b else (r_b, r_a)
                known = best.get(key)
                if known is None or cost < known[0]:
                    best[key] = (cost, lo, r_a, ins_a.pos, r_b, ins_b.pos)
        t_a, t_b = parts
        found = [
            Placement(cost, lo, ((t_a, r_a, pos_a), (t_b, r_b, pos_b)))
            for cost, lo, r_a, pos_a, r_b, pos_b in best.values()
        ]
        return sorted(found, key=lambda p: (p.cost, p.parts))

    def _cheapest_pairs(
        self,
        parts: tuple[int, ...],
        first: list[tuple[int, int, Insertion]],
        second: list[tuple[int, int, Insertion]],
        limit: int,
    ) -> list[Placement]:
        """The `limit` cheapest placements of a two-part visit (one per pair of staff), from
        every pair of options (`_bounded_options`, sorted by a lower bound of their cost): a
        pair whose bounds add up to more than the `limit`-th found so far ends the inner loop,
        and an option of the first part whose bound with the second's cheapest does so ends the
        search. Options are priced only when a pair gets that far. In a full plan the cheapest
        options of the two parts rarely overlap in time, so a fixed top few would miss."""
        t_a, t_b = parts
        kept: list[tuple[int, tuple[int, int], int, int, int, int, int]] = []
        bound: int | None = None  # the limit-th cheapest kept, once there are `limit`
        priced_b: dict[int, int] = {}
        cheapest_second = second[0][0] if second else 0
        for bound_a, r_a, ins_a in first:
            if bound is not None and bound_a + cheapest_second >= bound:
                break
            lo_a, hi_a = ins_a.lo, ins_a.hi
            cost_a: int | None = None
            for k, (bound_b, r_b, ins_b) in enumerate(second):
                if bound is not None and bound_a + bound_b >= bound:
                    break
                if r_b == r_a:
                    continue
                lo = lo_a if lo_a > ins_b.lo else ins_b.lo
                if lo > (hi_a if hi_a < ins_b.hi else ins_b.hi):
                    continue
                if cost_a is None:
                    cost_a = self._priced(t_a, bound_a, r_a, ins_a)
                cost_b = priced_b.get(k)
                if cost_b is None:
                    cost_b = priced_b[k] = self._priced(t_b, bound_b, r_b, ins_b)
                cost = cost_a + cost_b
                if bound is not None and cost >= bound:
                    continue
                key = (r_a, r_b) if r_a < r_b else (r_b, r_a)
                same = next((j for j, entry in enumerate(kept) if entry[1] == key), None)
                if same is not None:
                    if kept[same][0] <= cost:
                        continue
                    del kept[same]
                kept.append((cost, key, lo, r_a, ins_a.pos, r_b, ins_b.pos))
                kept.sort(key=lambda entry: entry[0])
                del kept[limit:]
                if len(kept) == limit:
                    bound = kept[-1][0]
        return [
            Placement(cost, lo, ((t_a, r_a, pos_a), (t_b, r_b, pos_b)))
            for cost, _, lo, r_a, pos_a, r_b, pos_b in kept
        ]

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

    def place_group(
        self, group: list[int], branching: int = 3, top: int | None = TOP_OPTIONS
    ) -> bool:
        """Place every visit of a dependency group (or one visit), or none of them."""
        if self.tasks.has_staff_rules(group):
            return self._place_with_staff_rules(group, branching, top)
        if len(group) == 1 and not self.tasks.is_coupled(group[0]):
            best = self.best_single(group[0])
            if best is None:
                return False
            self.apply(group[0], best)
            return True
        if len(group) == 2:
            return self._place_pair_or_in_turn(group, branching, top)
        return self.place_in_turn(group, branching, top)

    def _place_with_staff_rules(self, group: list[int], branching: int, top: int | None) -> bool:
        """A group tied by staff rules (a series, same or different staff): all of it at once
        if none of it is planned; else (or if that fails) each part linked in time (planned
        both or neither) on its own, so a series visit that fits nowhere keeps no other out.
        True if anything was placed."""
        todo = [v for v in group if not self.is_planned(v)]
        if len(todo) == len(group):
            whole = (
                self._place_pair_or_in_turn(group, branching, top)
                if len(group) == 2
                else self.place_in_turn(group, branching, top)
            )
            if whole:
                return True
        placed = False
        units = sorted(
            {self.tasks.link_unit[v] for v in todo},
            key=lambda u: (self.base[self.tasks.of_visit[u[0]][0]], u),
        )
        for unit_ in units:
            unit = list(unit_)
            if len(unit) == 1 and not self.tasks.is_coupled(unit[0]):
                best = self.best_single(unit[0])
                if best is not None:
                    self.apply(unit[0], best)
                    placed = True
            elif (
                self._place_pair_or_in_turn(unit, branching, top)
                if len(unit) == 2
                else self.place_in_turn(unit, branching, top)
            ):
                placed = True
        return placed

    def _place_pair_or_in_turn(self, group: list[int], branching: int, top: int | None) -> bool:
        """A linked pair: placed together (see `_place_pair`) and one after the other; the
        cheaper plan is kept."""
        before = self.snapshot()
        if not self._place_pair(group):
            return self.place_in_turn(group, branching, top)
        together, together_cost = self.snapshot(), self.cost()
        self.restore(before)
        if self.place_in_turn(group, branching, top) and self.cost() <= together_cost:
            return True
        self.restore(together)
        return True

    def place_in_turn(self, group: list[int], branching: int, top: int | None) -> bool:
        """The group's visits one after another in window order, each at one of its cheapest
        placements (backtracking a little when a later one does not fit)."""
        order = sorted(group, key=lambda v: (self.base[self.tasks.of_visit[v][0]], v))
        budget = [GROUP_BUDGET]

        def place_from(i: int) -> bool:
            if i == len(order):
                return True
            for placement in self.placements(order[i], top, limit=branching if i == 0 else 2):
                if budget[0] <= 0:
                    return False
                budget[0] -= 1
                self.apply(order[i], placement)
                if place_from(i + 1):
                    return True
                self.remove(order[i])
            return False

        return place_from(0)

    def _place_pair(self, group: list[int]) -> bool:
        """Two single-part visits linked by one dependency, placed together on two routes: each
        pair of insertion options gets the earliest starts that keep the lag, not just the
        first visit's earliest start (which may leave no room for the second)."""
        tasks = self.tasks
        a, b = group
        if len(tasks.of_visit[a]) != 1 or len(tasks.of_visit[b]) != 1:
            return False
        links = [link for link in tasks.links[a] if link.other == b]
        if len(links) != 1 or len(tasks.links[a]) != 1 or len(tasks.links[b]) != 1:
            return False
        if (b, True) in tasks.staff_links[a]:
            return False  # the same staff member: one after the other on one route
        lag_lo, lag_hi = links[0].lo, links[0].hi  # start(b) - start(a)
        (t_a,), (t_b,) = tasks.of_visit[a], tasks.of_visit[b]
        self.windows[t_a], self.windows[t_b] = self.base[t_a], self.base[t_b]
        options_a = self._bounded_options(a, t_a)
        options_b = self._bounded_options(b, t_b)
        best: tuple[int, int, int, int, int, int, int] | None = None
        # Every pair of options, with three lower bounds of a pair's cost before it is priced:
        # the options' detours (the lists are sorted by them: stop early), then their costs at
        # their earliest starts (lateness never falls as a start moves later).
        at_earliest_b: dict[int, int] = {}
        cheapest_b = options_b[0][0] if options_b else 0
        for bound_a, r_a, ins_a in options_a:
            if best is not None and bound_a + cheapest_b >= best[0]:
                break
            own_a = self.staff_cost(a, r_a)
            at_earliest_a: int | None = None
            for k, (bound_b, r_b, ins_b) in enumerate(options_b):
                if best is not None and bound_a + bound_b >= best[0]:
                    break
                if r_a == r_b:
                    continue
                first = max(ins_a.lo, ins_b.lo - lag_hi)
                if first > min(ins_a.hi, ins_b.hi - lag_lo):
                    continue
                if self.soft and best is not None:
                    if at_earliest_a is None:
                        at_earliest_a = self._priced(t_a, bound_a, r_a, ins_a)
                    low_b = at_earliest_b.get(k)
                    if low_b is None:
                        low_b = at_earliest_b[k] = self._priced(t_b, bound_b, r_b, ins_b)
                    if at_earliest_a + low_b >= best[0]:
                        continue
                second = max(ins_b.lo, first + lag_lo)
                cost = (
                    self.insertion_cost(t_a, r_a, ins_a.pos, first, ins_a.cost)
                    + self.insertion_cost(t_b, r_b, ins_b.pos, second, ins_b.cost)
                    + own_a
                    + self.staff_cost(b, r_b)
                )
                if best is None or cost < best[0]:
                    best = (cost, first, r_a, ins_a.pos, second, r_b, ins_b.pos)
        if best is None:
            return False
        cost, first, r_a, pos_a, second, r_b, pos_b = best
        self.apply(a, Placement(cost, first, ((t_a, r_a, pos_a),)))
        self.apply(b, Placement(cost, second, ((t_b, r_b, pos_b),)))
        if self.routes[r_a].feasible and self.routes[r_b].feasible:
            return True
        self.remove_group(group)
        return False

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
