"""Placing linked visits in a plan: joint visits (parts at one start on distinct routes),
visits tied by dependencies, and whole dependency groups (all of them or none).

Linked visits get a fixed start when placed: their tasks' windows shrink to that second, so every
route can still be checked on its own. Placing a linked visit means finding routes (distinct
ones for a joint visit) that can all start it at one second.
"""

from __future__ import annotations

import itertools

from solver.insertion import best_single, bounded_options, cheapest_options, priced
from solver.plan import Placement, Plan
from solver.schedule import Insertion

TOP_OPTIONS = 40
GROUP_BUDGET = 40


def place_group(
    plan: Plan, group: list[int], branching: int = 3, top: int | None = TOP_OPTIONS
) -> bool:
    """Place every visit of a dependency group (or one visit), or none of them."""
    if plan.tasks.has_staff_rules(group):
        return _place_with_staff_rules(plan, group, branching, top)
    if len(group) == 1 and not plan.tasks.is_coupled(group[0]):
        best = best_single(plan, group[0])
        if best is None:
            return False
        plan.apply(group[0], best)
        return True
    if len(group) == 2:
        return _place_pair_or_in_turn(plan, group, branching, top)
    return place_in_turn(plan, group, branching, top)


def _place_with_staff_rules(plan: Plan, group: list[int], branching: int, top: int | None) -> bool:
    """A group tied by staff rules (a series, same or different staff): all of it at once
    if none of it is planned; else (or if that fails) each part linked in time (planned
    both or neither) on its own, so a series visit that fits nowhere keeps no other out.
    True if anything was placed."""
    todo = [v for v in group if not plan.is_planned(v)]
    if len(todo) == len(group):
        whole = (
            _place_pair_or_in_turn(plan, group, branching, top)
            if len(group) == 2
            else place_in_turn(plan, group, branching, top)
        )
        if whole:
            return True
    placed = False
    units = sorted(
        {plan.tasks.link_unit[v] for v in todo},
        key=lambda u: (plan.base[plan.tasks.of_visit[u[0]][0]], u),
    )
    for unit_ in units:
        unit = list(unit_)
        if len(unit) == 1 and not plan.tasks.is_coupled(unit[0]):
            best = best_single(plan, unit[0])
            if best is not None:
                plan.apply(unit[0], best)
                placed = True
        elif (
            _place_pair_or_in_turn(plan, unit, branching, top)
            if len(unit) == 2
            else place_in_turn(plan, unit, branching, top)
        ):
            placed = True
    return placed


def _place_pair_or_in_turn(plan: Plan, group: list[int], branching: int, top: int | None) -> bool:
    """A linked pair: placed together (see `_place_pair`) and one after the other; the
    cheaper plan is kept."""
    before = plan.snapshot()
    if not _place_pair(plan, group):
        return place_in_turn(plan, group, branching, top)
    together, together_cost = plan.snapshot(), plan.cost()
    plan.restore(before)
    if place_in_turn(plan, group, branching, top) and plan.cost() <= together_cost:
        return True
    plan.restore(together)
    return True


def place_in_turn(plan: Plan, group: list[int], branching: int, top: int | None) -> bool:
    """The group's visits one after another in window order, each at one of its cheapest
    placements (backtracking a little when a later one does not fit)."""
    order = sorted(group, key=lambda v: (plan.base[plan.tasks.of_visit[v][0]], v))
    budget = [GROUP_BUDGET]

    def place_from(i: int) -> bool:
        if i == len(order):
            return True
        for placement in placements(plan, order[i], top, limit=branching if i == 0 else 2):
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            plan.apply(order[i], placement)
            if place_from(i + 1):
                return True
            plan.remove(order[i])
        return False

    return place_from(0)


def _place_pair(plan: Plan, group: list[int]) -> bool:
    """Two single-part visits linked by one dependency, placed together on two routes: each
    pair of insertion options gets the earliest starts that keep the lag, not just the
    first visit's earliest start (which may leave no room for the second)."""
    tasks = plan.tasks
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
    plan.windows[t_a], plan.windows[t_b] = plan.base[t_a], plan.base[t_b]
    options_a = bounded_options(plan, a, t_a)
    options_b = bounded_options(plan, b, t_b)
    best: tuple[int, int, int, int, int, int, int] | None = None
    # Every pair of options, with three lower bounds of a pair's cost before it is priced:
    # the options' detours (the lists are sorted by them: stop early), then their costs at
    # their earliest starts (lateness never falls as a start moves later).
    at_earliest_b: dict[int, int] = {}
    cheapest_b = options_b[0][0] if options_b else 0
    for bound_a, r_a, ins_a in options_a:
        if best is not None and bound_a + cheapest_b >= best[0]:
            break
        own_a = plan.staff_cost(a, r_a)
        at_earliest_a: int | None = None
        for k, (bound_b, r_b, ins_b) in enumerate(options_b):
            if best is not None and bound_a + bound_b >= best[0]:
                break
            if r_a == r_b:
                continue
            first = max(ins_a.lo, ins_b.lo - lag_hi)
            if first > min(ins_a.hi, ins_b.hi - lag_lo):
                continue
            if plan.soft and best is not None:
                if at_earliest_a is None:
                    at_earliest_a = priced(plan, t_a, bound_a, r_a, ins_a)
                low_b = at_earliest_b.get(k)
                if low_b is None:
                    low_b = at_earliest_b[k] = priced(plan, t_b, bound_b, r_b, ins_b)
                if at_earliest_a + low_b >= best[0]:
                    continue
            second = max(ins_b.lo, first + lag_lo)
            cost = (
                plan.insertion_cost(t_a, r_a, ins_a.pos, first, ins_a.cost)
                + plan.insertion_cost(t_b, r_b, ins_b.pos, second, ins_b.cost)
                + own_a
                + plan.staff_cost(b, r_b)
            )
            if best is None or cost < best[0]:
                best = (cost, first, r_a, ins_a.pos, second, r_b, ins_b.pos)
    if best is None:
        return False
    cost, first, r_a, pos_a, second, r_b, pos_b = best
    plan.apply(a, Placement(cost, first, ((t_a, r_a, pos_a),)))
    plan.apply(b, Placement(cost, second, ((t_b, r_b, pos_b),)))
    if plan.routes[r_a].feasible and plan.routes[r_b].feasible:
        return True
    plan.remove_group(group)
    return False


def placements(
    plan: Plan,
    visit: int,
    top: int | None = TOP_OPTIONS,
    ignore_links: bool = False,
    limit: int | None = None,
) -> list[Placement]:
    """Feasible placements of every part of a visit at a common start, cheapest first (the
    `limit` cheapest, or all). `top` bounds the options tried per part of a joint visit
    (None: all of them), except for a two-part visit with a `limit` and no same-staff rule:
    that one tries every pair of options (`_cheapest_pairs`)."""
    parts = plan.tasks.of_visit[visit]
    window = plan.base[parts[0]] if ignore_links else plan.narrowed_window(visit)
    if window[0] > window[1]:
        return []
    for t in parts:
        plan.windows[t] = window
    same_staff = any(same for _, same in plan.tasks.staff_links[visit])
    if len(parts) == 2 and limit is not None and not same_staff:
        first, second = (bounded_options(plan, visit, t) for t in parts)
        return _cheapest_pairs(plan, parts, first, second, limit)
    if len(parts) == 1:
        options = [cheapest_options(plan, visit, parts[0], limit)]
        # A visit tied to others only by who does it (a series) keeps its whole window.
        coupled = plan.tasks.is_coupled(visit)
        return [
            Placement(cost, ins.lo if coupled else None, ((parts[0], r, ins.pos),))
            for cost, r, ins in options[0]
        ]
    options = [cheapest_options(plan, visit, t, top) for t in parts]
    found = _joint_placements(plan, parts, options, top)
    if same_staff:
        found = [p for p in found if plan.staff_rules_hold(visit, {r for _, r, _ in p.parts})]
    return found[:limit]


def _joint_placements(
    plan: Plan,
    parts: tuple[int, ...],
    options: list[list[tuple[int, int, Insertion]]],
    top: int | None,
) -> list[Placement]:
    tops = [opts[:top] for opts in options]
    if len(parts) == 2:
        return _pair_placements(parts, tops[0], tops[1])
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
    plan: Plan,
    parts: tuple[int, ...],
    first: list[tuple[int, int, Insertion]],
    second: list[tuple[int, int, Insertion]],
    limit: int,
) -> list[Placement]:
    """The `limit` cheapest placements of a two-part visit (one per pair of staff), from
    every pair of options (`bounded_options`, sorted by a lower bound of their cost): a
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
                cost_a = priced(plan, t_a, bound_a, r_a, ins_a)
            cost_b = priced_b.get(k)
            if cost_b is None:
                cost_b = priced_b[k] = priced(plan, t_b, bound_b, r_b, ins_b)
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
