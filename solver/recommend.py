"""recommend(problem, plan, visit) -> the best few ways to fit one new visit into a plan.

Nothing else in the plan is re-optimised: each eligible staff member (or set of staff, for a
joint or linked visit) gets the visit at the position that costs least, priced exactly by the
plan's own cost; a staff member with no room may drop one other visit (the cheapest such
repair). This answers "who could take this now?" in well under a second.
"""

from __future__ import annotations

from dataclasses import replace

from solver.extract import to_route
from solver.insertion import best_on_route, prepare_single
from solver.linked import placements
from solver.plan import Placement, Plan
from solver.problem import Parameters, Problem, Visit
from solver.result import Option, Result
from solver.tasks import Tasks
from solver.warm import warm_plan

MAX_JOINT_OPTIONS = 60


def recommend(
    problem: Problem, plan: Result, visit: Visit, k: int = 5, params: Parameters = Parameters()
) -> list[Option]:
    """The `k` cheapest options for `visit` (added to the problem, or replacing the visit of
    that id) in `plan`, the cheapest one per staff member (or set of staff): feasible ones by
    cost delta, then infeasible ones."""
    if k < 1:
        raise ValueError("recommend: k must be at least 1")
    visits = [v for v in problem.visits if v.id != visit.id]
    full = replace(problem, visits=(*visits, visit))
    tasks = Tasks(full, params.weights)
    base = warm_plan(tasks, params.weights, plan)
    base.allow_overtime(True)
    v = tasks.visit_index[visit.id]
    if base.is_planned(v):
        base.remove(v)
    pricing = _Pricing(base, v)
    if len(tasks.of_visit[v]) == 1 and not tasks.is_coupled(v):
        options = _single_options(pricing)
    else:
        options = _linked_options(pricing)
    options.sort(key=lambda o: (not o.feasible, o.cost_delta, o.staff_ids))
    # A coordinator chooses between people: the same pair at a worse time is not another choice.
    best: dict[frozenset[str], Option] = {}
    for option in options:
        best.setdefault(frozenset(option.staff_ids), option)
    return list(best.values())[:k]


class _Pricing:
    """Prices a placement of the new visit exactly: apply it, read the cost and the routes,
    put the plan back."""

    def __init__(self, plan: Plan, visit: int) -> None:
        self.plan = plan
        self.visit = visit
        self.reference = plan.cost() - plan.penalty[visit]
        self.starts_before: dict[int, dict[str, int]] = {}
        self.travel_before: dict[int, int] = {}

    def _remember(self, r: int) -> None:
        if r not in self.starts_before:
            route = self.plan.routes[r]
            self.starts_before[r] = _starts(self.plan, r) if route.has_tasks() else {}
            self.travel_before[r] = route.travel_s()

    def option(self, placement: Placement, dropped: tuple[int, ...] = ()) -> Option:
        plan, tasks = self.plan, self.plan.tasks
        touched = sorted({r for _, r, _ in placement.parts})
        for r in touched:
            self._remember(r)
        snapshot = plan.snapshot()
        for d in dropped:
            plan.remove(d)
        plan.apply(self.visit, placement)
        delta = plan.cost() - self.reference
        visit_id = tasks.problem.visits[self.visit].id
        dropped_ids = {tasks.problem.visits[d].id for d in dropped}
        routes = tuple(to_route(tasks, plan.routes[r]) for r in touched)
        shifted = sorted(
            {
                stop.visit_id
                for route, r in zip(routes, touched, strict=True)
                for stop in route.stops
                if stop.visit_id != visit_id
                and self.starts_before[r].get(stop.visit_id, stop.start_s) != stop.start_s
            }
        )
        start = next(s.start_s for s in routes[0].stops if s.visit_id == visit_id)
        added = sum(plan.routes[r].travel_s() - self.travel_before[r] for r in touched)
        parts = sorted((tasks.tasks[t].part, r) for t, r, _ in placement.parts)
        plan.restore(snapshot)
        return Option(
            staff_ids=tuple(tasks.problem.staff[r].id for _, r in parts),
            start_s=start,
            added_travel_s=added,
            shifted_visits=tuple(shifted),
            dropped_visits=tuple(sorted(dropped_ids)),
            cost_delta=delta,
            feasible=True,
            routes=routes,
        )

    def infeasible(self, staff: tuple[int, ...]) -> Option:
        problem = self.plan.tasks.problem
        return Option(
            staff_ids=tuple(problem.staff[r].id for r in staff),
            start_s=problem.visits[self.visit].earliest_start_s,
            added_travel_s=0,
            shifted_visits=(),
            dropped_visits=(),
            cost_delta=self.plan.penalty[self.visit],
            feasible=False,
        )


def _starts(plan: Plan, r: int) -> dict[str, int]:
    visits = plan.tasks.problem.visits
    return {
        visits[plan.tasks.tasks[tt.task].visit].id: tt.start_s
        for tt in plan.routes[r].timeline().tasks
        if not plan.tasks.is_fixed(tt.task)
    }


def _single_options(pricing: _Pricing) -> list[Option]:
    plan, v = pricing.plan, pricing.visit
    (t,) = plan.tasks.of_visit[v]
    options = []
    for r in sorted(plan.allowed_routes(v, t)):  # eligible, and kept with its series
        prepare_single(plan, v)
        found = best_on_route(plan, v, r)
        if found is not None:
            options.append(pricing.option(found))
            continue
        repaired = _with_one_dropped(pricing, r)
        options.append(repaired if repaired is not None else pricing.infeasible((r,)))
    return options


def _with_one_dropped(pricing: _Pricing, r: int) -> Option | None:
    """The cheapest option on route r after taking one unlinked visit off it (not one tied to
    others by time or by staff rules, nor an appointment)."""
    plan, v = pricing.plan, pricing.visit
    best: Option | None = None
    for t in plan.routes[r].task_elems():
        if plan.tasks.is_fixed(t):
            continue
        other = plan.tasks.tasks[t].visit
        if plan.tasks.is_coupled(other) or plan.tasks.staff_links[other]:
            continue
        snapshot = plan.snapshot()
        plan.remove(other)
        prepare_single(plan, v)
        found = best_on_route(plan, v, r)
        plan.restore(snapshot)
        if found is None:
            continue
        option = pricing.option(found, dropped=(other,))
        if best is None or option.cost_delta < best.cost_delta:
            best = option
    return best


def _linked_options(pricing: _Pricing) -> list[Option]:
    """A joint visit, or one with dependencies on planned visits: every set of staff that can
    all start it at one second (within the lags to its planned partners)."""
    plan, v = pricing.plan, pricing.visit
    if any(not plan.is_planned(link.other) for link in plan.tasks.links[v]):
        return []  # its partner is not in the plan: it cannot go in on its own
    found = placements(plan, v, top=None, limit=MAX_JOINT_OPTIONS)
    return [pricing.option(p) for p in found]
