"""In-process workers for the embedded default: a process pool beside the API, nothing to install.

A pool of processes rather than threads because OR-Tools holds the GIL while it searches; a
thread would freeze the API for the whole solve. Processes are spawned, not forked, so they do
not inherit the server's threads and open connections.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ambulant.jobs.lifecycle import run_plan_job

log = logging.getLogger(__name__)


class LocalProcessQueue:
    def __init__(self, settings_data: dict[str, Any], *, workers: int = 1) -> None:
        self._settings_data = settings_data
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        self._futures: dict[int, Future[str]] = {}

    def submit(self, plan_id: int) -> None:
        future = self._pool.submit(run_plan_job, self._settings_data, plan_id)
        future.add_done_callback(lambda f: _log_failure(f, plan_id))
        self._futures = {p: f for p, f in self._futures.items() if not f.done()}
        self._futures[plan_id] = future

    def cancel(self, plan_id: int) -> bool:
        future = self._futures.get(plan_id)
        return future is not None and future.cancel()  # False once a process runs it

    def wait(self, timeout_s: float | None = None) -> None:
        """Blocks until every submitted job has finished or been cancelled (the CLI, tests)."""
        for future in list(self._futures.values()):
            if not future.cancelled():
                future.result(timeout=timeout_s)

    def shutdown(self) -> None:
        """Stops the pool with its server: queued jobs are cancelled and a solve that is running
        is stopped, not left to run on without a server (its plan is still queued or solving in
        the database, and is resubmitted when the service starts again)."""
        # Python 3.12's pool has no public way to stop a running job (3.14 adds
        # terminate_workers), so its worker processes are terminated by hand.
        processes = list((self._pool._processes or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)


def _log_failure(future: Future[str], plan_id: int) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        log.error("plan %s: worker failed: %s", plan_id, error)
