"""Where solves run: a local process pool (embedded default) or RQ workers (production)."""

from __future__ import annotations

import threading

from ambulant.config import Settings
from ambulant.jobs.local import LocalProcessQueue
from ambulant.jobs.queue import JobQueue
from ambulant.jobs.rq_queue import RqQueue

__all__ = [
    "JobQueue",
    "LocalProcessQueue",
    "RqQueue",
    "get_queue",
    "get_replan_queue",
    "shutdown_queues",
]

_queues: dict[tuple[str, str, str], JobQueue] = {}
_lock = threading.Lock()


def get_queue(settings: Settings) -> JobQueue:
    """One queue per configuration, shared by every request of the process."""
    data = settings.model_dump(mode="json")
    key = (settings.queue, settings.database_url, settings.redis_url)
    with _lock:
        if key not in _queues:
            if settings.queue == "rq":
                _queues[key] = RqQueue(
                    data,
                    redis_url=settings.redis_url,
                    job_timeout_s=int(settings.solve_time_limit_s * 3 + 120),
                )
            else:
                _queues[key] = LocalProcessQueue(data)
        return _queues[key]


def get_replan_queue(settings: Settings) -> JobQueue:
    """Where mid-day replans go: they must not wait behind a full day's solve. Locally they get
    a worker process of their own; on RQ they go to the front of the queue."""
    data = settings.model_dump(mode="json")
    key = (settings.queue + "-replan", settings.database_url, settings.redis_url)
    with _lock:
        if key not in _queues:
            if settings.queue == "rq":
                _queues[key] = RqQueue(
                    data,
                    redis_url=settings.redis_url,
                    job_timeout_s=int(settings.replan_time_limit_s * 10 + 120),
                    at_front=True,
                )
            else:
                _queues[key] = LocalProcessQueue(data)
        return _queues[key]


def shutdown_queues() -> None:
    with _lock:
        for queue in _queues.values():
            queue.shutdown()
        _queues.clear()
