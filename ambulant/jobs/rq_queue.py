"""Production workers: RQ on Redis, so solves scale out to as many worker processes as needed."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue

from ambulant.planning.runner import run_plan_job

QUEUE_NAME = "ambulant-plans"


class RqQueue:
    def __init__(
        self,
        settings_data: dict[str, Any],
        *,
        redis_url: str,
        job_timeout_s: int,
        at_front: bool = False,
    ) -> None:
        self._settings_data = settings_data
        self._at_front = at_front
        self._redis = Redis.from_url(redis_url)
        self.queue = Queue(QUEUE_NAME, connection=self._redis)
        self._job_timeout_s = job_timeout_s

    def submit(self, plan_id: int) -> None:
        self.queue.enqueue(
            run_plan_job,
            self._settings_data,
            plan_id,
            job_timeout=self._job_timeout_s,
            job_id=f"plan-{plan_id}",
            at_front=self._at_front,
        )

    def shutdown(self) -> None:
        self._redis.close()


def run_worker(redis_url: str, *, burst: bool = False) -> None:
    """Runs an RQ worker on the plan queue (`ambulant worker`)."""
    from rq import Worker

    redis = Redis.from_url(redis_url)
    Worker([Queue(QUEUE_NAME, connection=redis)], connection=redis).work(burst=burst)
