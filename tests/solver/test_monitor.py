"""A search watched while it runs: throttled reports of the best plan, and a stop on request."""

from __future__ import annotations

import time

from solver import Parameters, solve, validate
from solver.instances import synthetic_day
from solver.monitor import Monitor, Progress


def test_a_search_reports_its_best_plan_throttled_and_stops_when_asked() -> None:
    """A 60-visit day with 20 s to search is asked to stop after about a second: it returns
    within a second of the request with a valid plan marked "stopped", having reported its best
    plan a few times (not at every one of its iterations)."""
    day = synthetic_day(n_visits=60, n_staff=6, seed=3)
    reports: list[Progress] = []
    asked_at: list[float] = []
    started = time.monotonic()

    def stop() -> bool:
        if time.monotonic() - started < 1.0:
            return False
        asked_at.append(time.monotonic())
        return True

    monitor = Monitor(reports.append, stop, progress_every_s=0.2, stop_check_every_s=0.05)
    params = Parameters(time_limit_s=20.0, stop_when_settled=False, guided_local_search=False)
    result = solve(day, params, monitor=monitor)
    finished = time.monotonic()

    assert result.status == "stopped"
    assert finished - asked_at[0] < 1.0
    assert validate(day, result) == []
    assert 2 <= len(reports) < result.stats.iterations
    assert all(r.visits_total == 60 and 0 < r.visits_placed <= 60 for r in reports)
    # The best plan only gets better.
    costs = [r.best_cost for r in reports]
    assert costs == sorted(costs, reverse=True)
    assert reports[-1].visits_placed <= len(day.visits) - len(result.unassigned)


def test_a_failing_callback_does_not_break_the_search() -> None:
    def broken(_: Progress) -> None:
        raise OSError("the database is away")

    day = synthetic_day(n_visits=12, n_staff=2, seed=1)
    params = Parameters(time_limit_s=5.0, max_iterations=200, guided_local_search=False)
    result = solve(day, params, monitor=Monitor(broken, lambda: False))
    assert result.status == "ok"
    assert validate(day, result) == []
