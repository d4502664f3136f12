"""Several searches at once: the calling process and `workers - 1` child processes, each with
its own seed, the best plan kept. Children are spawned (not forked, so a caller's threads and
locks are not copied) and always search with one worker, so a portfolio never multiplies."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace

from solver.monitor import Monitor
from solver.problem import Parameters, Problem
from solver.result import Result

log = logging.getLogger(__name__)

Solve = Callable[[Problem, Parameters, Result | None, Monitor | None], Result]


def run_portfolio(
    solve: Solve,
    problem: Problem,
    params: Parameters,
    initial: Result | None,
    monitor: Monitor | None = None,
) -> Result:
    """The best of `params.workers` searches with seeds seed, seed + 1, ...; ties go to the
    lower seed. A child that fails or is late is ignored: the caller's own search stands.
    `monitor` watches the caller's own search; once it stops that search, the children's
    results are not waited for."""
    deadline = time.monotonic() + params.time_limit_s
    single = replace(params, workers=1)
    context = multiprocessing.get_context("spawn")
    try:
        pool = ProcessPoolExecutor(max_workers=params.workers - 1, mp_context=context)
        futures = [
            pool.submit(_child, solve, problem, params, initial, params.seed + k, deadline)
            for k in range(1, params.workers)
        ]
    except Exception:  # e.g. no processes allowed here: search alone
        log.exception("could not start portfolio workers; searching in this process only")
        return solve(problem, single, initial, monitor)
    with pool:
        own = solve(problem, single, initial, monitor)
        if own.status == "stopped":
            for future in futures:
                future.cancel()
            return own
        results = [own, *_collect(futures, deadline)]
    return min(results, key=lambda r: (r.status != "ok", r.objective))


def _collect(futures: list[Future[Result | None]], deadline: float) -> list[Result]:
    found = []
    for future in futures:
        try:
            result = future.result(timeout=max(0.0, deadline - time.monotonic()) + 5.0)
        except Exception:
            log.exception("a portfolio worker failed")
            continue
        if result is not None:
            found.append(result)
    return found


def _child(
    solve: Solve,
    problem: Problem,
    params: Parameters,
    initial: Result | None,
    seed: int,
    deadline: float,
) -> Result | None:
    # `solve` reaches the child by name (module and function), so a spawned child imports it.
    left = deadline - time.monotonic()
    if left <= 0.1:
        return None
    return solve(problem, replace(params, workers=1, seed=seed, time_limit_s=left), initial, None)
