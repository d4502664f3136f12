"""The pruned search for a joint visit's cheapest placements finds what trying every pair of
options finds: the same costs, in the same order, on a plan full enough that the cheapest
options of the two parts often do not overlap in time."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from solver.construction import construct
from solver.instances import synthetic_day
from solver.linked import placements
from solver.plan import Plan
from solver.problem import Weights
from solver.tasks import Tasks


def _full_plan(seed: int, soft: bool) -> Plan:
    day = synthetic_day(n_visits=120, n_staff=10, joint_share=0.1, seed=seed)
    weights = Weights(max_tardiness_per_s=2)
    if soft:
        # Soft windows, as in the Mankowska benchmark: a start after the window's first half
        # is tardiness, so options are priced beyond their detour.
        visits = tuple(
            replace(v, soft_latest_start_s=(v.earliest_start_s + v.latest_start_s) // 2)
            for v in day.visits
        )
        day = replace(day, visits=visits)
    tasks = Tasks(day, weights)
    return construct(tasks, weights, seed)


@pytest.mark.parametrize("soft", [False, True], ids=["hard windows", "soft windows"])
def test_the_cheapest_pairs_are_those_of_every_pair(soft: bool) -> None:
    compared = 0
    for seed in range(3):
        plan = _full_plan(seed, soft)
        assert plan.soft == soft
        joint = [v for v, parts in enumerate(plan.tasks.of_visit) if len(parts) == 2]
        rng = random.Random(seed)
        for visit in rng.sample(joint, min(6, len(joint))):
            plan.remove_group([visit])
            every = placements(plan, visit, top=None)
            for limit in (1, 3):
                cheapest = placements(plan, visit, top=None, limit=limit)
                assert [p.cost for p in cheapest] == [p.cost for p in every[:limit]]
                assert len({frozenset(r for _, r, _ in p.parts) for p in cheapest}) == len(cheapest)
            if every:
                plan.apply(visit, every[0])
                compared += 1
    assert compared >= 10
