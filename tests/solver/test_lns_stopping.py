"""When ruin and recreate stops: early once a small day has settled (by default), or only at
the deadline (benchmarks, which compare solvers at equal time)."""

from __future__ import annotations

import random
import time

from solver import Parameters, solve
from solver.construction import construct
from solver.instances import synthetic_day
from solver.lns import ruin_and_recreate
from solver.solve import LNS_SHARE
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


def test_the_result_says_how_many_iterations_the_search_took() -> None:
    """With an iteration cap the search runs exactly that many, and the result says so."""
    day = synthetic_day(n_visits=12, n_staff=2, seed=1)
    result = solve(day, Parameters(time_limit_s=5.0, max_iterations=50, guided_local_search=False))
    assert result.stats.iterations == 50
    assert result.stats.seconds > 0
    assert result.stats.iterations_per_s == 50 / result.stats.seconds


def test_a_settled_small_day_is_answered_long_before_the_time_limit() -> None:
    """The whole solve, OR-Tools' guided local search included: it never ends by itself, so once
    the search has settled it gets a bounded share, not the rest of the limit."""
    result = solve(synthetic_day(n_visits=8, n_staff=2, seed=1), Parameters(time_limit_s=120.0))
    assert not result.unassigned
    assert result.wall_time_s < 60.0


def test_without_stopping_when_settled_the_solve_uses_its_time_limit() -> None:
    day = synthetic_day(n_visits=8, n_staff=2, seed=1)
    result = solve(day, Parameters(time_limit_s=3.0, stop_when_settled=False))
    assert result.wall_time_s >= LNS_SHARE * 3.0
