"""A greedy insertion heuristic that builds a feasible first plan, linked visits included.

OR-Tools' own first-solution strategies cannot place a visit whose parts must start at the same
second on two routes (measured: they leave everything unassigned), so the first plan is built
here. Order: by priority; within a priority, linked visits first (joint visits and dependency
groups, the hardest to fit), then single visits with narrow windows and few eligible staff
first. A second round lets routes run into overtime for whatever is still out.
"""

from __future__ import annotations

import random

from solver.linked import place_group
from solver.plan import Plan
from solver.problem import Weights
from solver.tasks import Tasks


def construct(tasks: Tasks, weights: Weights, seed: int = 0) -> Plan:
    """A feasible plan by greedy insertion; visits that fit nowhere stay out."""
    plan = Plan(tasks, weights)
    groups = ordered_groups(tasks, random.Random(seed))
    for overtime in (False, True):
        plan.allow_overtime(overtime)
        for group in groups:
            if not plan.is_planned(group[0]):
                place_group(plan, group)
    return plan


def complete(plan: Plan, seed: int = 0) -> None:
    """Insert what a warm-started plan lacks: first within each route's current limit, then
    with overtime for whatever is still out."""
    groups = ordered_groups(plan.tasks, random.Random(seed))
    for overtime in (False, True):
        if overtime:
            plan.allow_overtime(True)
        for group in groups:
            if not plan.is_planned(group[0]):
                place_group(plan, group)


def group_key(tasks: Tasks, group: list[int]) -> tuple[int, int, int, int]:
    """Most important first; then linked before single, narrow windows, few eligible staff."""
    visits = [tasks.problem.visits[v] for v in group]
    priority = min(int(v.priority) for v in visits)
    linked = 0 if len(group) > 1 or visits[0].staff_count > 1 else 1
    width = min(v.latest_start_s - v.earliest_start_s for v in visits)
    eligible = min(len(tasks.tasks[t].eligible) for v in group for t in tasks.of_visit[v])
    return priority, linked, width, eligible


def ordered_groups(tasks: Tasks, rng: random.Random) -> list[list[int]]:
    groups = tasks.components()
    rng.shuffle(groups)  # ties broken by the seed
    return sorted(groups, key=lambda g: group_key(tasks, g))


def fill(plan: Plan) -> None:
    """Insert every unplanned visit (or group) that still fits, trying all joint options."""
    for group in ordered_groups(plan.tasks, random.Random(0)):
        if not plan.is_planned(group[0]):
            place_group(plan, group, top=None)
