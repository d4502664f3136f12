"""A worker's eye on its own job while the solver searches: the best plan so far goes into the
plan about once a second (GET /plans/{id} shows it), and the search stops within about a second
once the plan is no longer solving (a coordinator cancelled it, or another worker finished it)."""

from __future__ import annotations

from sqlalchemy import Engine

import solver
from ambulant.jobs.transitions import record_progress, still_solving
from ambulant.timeutil import now

PROGRESS_EVERY_S = 1.0
# A status read by primary key: cheap enough four times a second.
STOP_CHECK_EVERY_S = 0.25


def job_monitor(engine: Engine, plan_id: int) -> solver.Monitor:
    def on_progress(progress: solver.Progress) -> None:
        record_progress(
            engine,
            plan_id,
            {
                "best_objective": progress.best_cost,
                "visits_placed": progress.visits_placed,
                "visits_total": progress.visits_total,
                "iterations": progress.iterations,
                "searched_s": round(progress.elapsed_s, 1),
                "at": now().isoformat(),
            },
        )

    def should_stop() -> bool:
        return not still_solving(engine, plan_id)

    return solver.Monitor(
        on_progress,
        should_stop,
        progress_every_s=PROGRESS_EVERY_S,
        stop_check_every_s=STOP_CHECK_EVERY_S,
    )
