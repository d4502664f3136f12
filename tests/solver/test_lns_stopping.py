"""When ruin and recreate stops: early once a small day has settled (by default), or only at
the deadline (benchmarks, which compare solvers at equal time)."""

from __future__ import annotations

import random
import time

from solver import Parameters
from solver.construction import construct
from solver.instances import synthetic_day
from solver.lns import ruin_and_recreate
from solver.tasks import Tasks


def test_a_settled_search_stops_long_before_its_deadline() -> None:
    plan = construct(Tasks(synthetic_day(n_visits=12, n_staff=2, seed=1)), Parameters().weights)
    started = time.monotonic()
    ruin_and_recreate(plan, started + 120.0, random.Random(0))
    # 6000 stalled iterations of a 12-visit day take well under a minute on any machine.
    assert time.monotonic() - started < 60.0


def test_without_stopping_when_settled_the_search_runs_to_its_deadline() -> None:
    plan = construct(Tasks(synthetic_day(n_visits=12, n_staff=2, seed=1)), Parameters().weights)
    started = time.monotonic()
    ruin_and_recreate(plan, started + 1.5, random.Random(0), stop_when_settled=False)
    assert time.monotonic() - started >= 1.5
