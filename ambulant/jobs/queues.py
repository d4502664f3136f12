"""Queues that run solves out of the API's process: a local process pool (embedded default) or
RQ workers (production); one queue per configuration, shared by every request of the process."""

from __future__ import annotations

import threading

from ambulant.config import Settings
from ambulant.jobs.local import LocalProcessQueue
from ambulant.jobs.queue import JobQueue
from ambulant.jobs.rq_queue import QUEUE_NAME, REPLAN_QUEUE_NAME, RqQueue

_queues: dict[tuple[str, str, str], JobQueue] = {}
_lock = threading.Lock()


def get_queue(settings: Settings) -> JobQueue:
    """One queue per configuration, shared by every request of the process."""
    return _shared(settings, replans=False)


def get_replan_queue(settings: Settings) -> JobQueue:
    """Where mid-day replans go: they must not wait behind a full day's solve. Locally they get
    a worker process of their own; on RQ a queue of their own, which every worker takes first."""
    return _shared(settings, replans=True)


def _shared(settings: Settings, *, replans: bool) -> JobQueue:
    key = (
        settings.queue + ("-replan" if replans else ""),
        settings.database_url,
        settings.redis_url,
    )
    with _lock:
        if key not in _queues:
            data = settings.model_dump(mode="json")
            if settings.queue == "rq":
                # A job that runs much longer than its solve's time limit has hung.
                timeout_s = (
                    settings.replan_time_limit_s * 10
                    if replans
                    else settings.solve_time_limit_s * 3
                )
                _queues[key] = RqQueue(
                    data,
                    redis_url=settings.redis_url,
                    job_timeout_s=int(timeout_s + 120),
                    queue_name=REPLAN_QUEUE_NAME if replans else QUEUE_NAME,
                )
            else:
                _queues[key] = LocalProcessQueue(data)
        return _queues[key]


def shutdown_queues() -> None:
    with _lock:
        for queue in _queues.values():
            queue.shutdown()
        _queues.clear()
