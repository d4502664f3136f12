"""Production workers: RQ on Redis, so solves scale out to as many worker processes as needed."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from redis import Redis
from rq import Callback, Queue, Retry, Worker
from rq.exceptions import AbandonedJobError
from rq.job import Job

from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.jobs.lifecycle import run_plan_job, worker_lost

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
        self._retries = int(settings_data.get("job_retries", 0))

    def submit(self, plan_id: int) -> None:
        self.queue.enqueue(
            run_plan_job,
            self._settings_data,
            plan_id,
            job_timeout=self._job_timeout_s,
            job_id=f"plan-{plan_id}",
            at_front=self._at_front,
            retry=Retry(max=self._retries) if self._retries else None,
            on_failure=Callback(job_failed),
        )

    def shutdown(self) -> None:
        self._redis.close()


def job_failed(
    job: Job,
    connection: Redis,
    kind: type[BaseException],
    value: BaseException,
    traceback: TracebackType | None,
) -> None:
    """RQ's failure callback. A solve that raised has already stored its failure; a job whose
    worker died (AbandonedJobError) has not, so its plan is requeued for the retry or failed."""
    if not issubclass(kind, AbandonedJobError):
        return
    settings_data, plan_id = job.args
    settings = Settings.model_validate(settings_data)
    worker_lost(
        engine_for(settings.database_url), plan_id=plan_id, retries_left=job.retries_left or 0
    )


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Runs an RQ worker on the plan queue (`ambulant worker`); its heartbeat and maintenance
    intervals bound how soon a job of a worker that died is run again."""
    redis = Redis.from_url(settings.redis_url)
    worker = Worker(
        [Queue(QUEUE_NAME, connection=redis)],
        connection=redis,
        job_monitoring_interval=settings.worker_heartbeat_s,
        maintenance_interval=settings.worker_maintenance_s,
        # An idle worker waits on the queue for worker_ttl - 15 s before its maintenance can
        # run: keep that wait within the maintenance interval.
        worker_ttl=settings.worker_maintenance_s + 15,
    )
    worker.work(burst=burst)
