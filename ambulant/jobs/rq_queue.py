"""Production workers: RQ on Redis, so solves scale out to as many worker processes as needed.

Two queues: replans and day plans. Every worker listens to both and always takes a replan
first (RQ dequeues from its queues in the order given), so an urgent replan waits at most for
a worker to finish the solve it is in, never behind the day plans queued before it.

A worker that dies mid-solve (SIGKILL, a lost machine) is found by RQ itself: its job's entry in
the StartedJobRegistry is kept alive by the worker's heartbeat, and once that entry has expired
(heartbeat + `worker_grace_s`) the next maintenance of any live worker (`clean_registries`)
calls the job's failure callback with AbandonedJobError and retries the job while it has
retries left (`Retry`), else moves it to the FailedJobRegistry.
"""

from __future__ import annotations

import logging
import uuid
from types import TracebackType
from typing import Any

from redis import Redis
from rq import Callback, Queue, Retry, Worker
from rq.exceptions import AbandonedJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job

from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.jobs.lifecycle import run_plan_job, worker_lost

log = logging.getLogger(__name__)

QUEUE_NAME = "ambulant-plans"
REPLAN_QUEUE_NAME = "ambulant-replans"


def job_prefix(plan_id: int) -> str:
    return f"plan-{plan_id}-"


def new_job_id(plan_id: int) -> str:
    """A job id of its own for each submission. Not the plan id alone: plan ids start again in a
    new or restored database while Redis keeps old jobs, and a job enqueued under the id of an
    old finished one inherits that job's expiry: its data vanishes from Redis while it waits,
    and the worker that dequeues it drops it, leaving the plan queued for ever."""
    return job_prefix(plan_id) + uuid.uuid4().hex[:12]


class RqQueue:
    def __init__(
        self,
        settings_data: dict[str, Any],
        *,
        redis_url: str,
        job_timeout_s: int,
        queue_name: str = QUEUE_NAME,
    ) -> None:
        self._settings_data = settings_data
        self._redis = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self._redis)
        self._job_timeout_s = job_timeout_s
        self._retries = int(settings_data.get("job_retries", 0))

    def submit(self, plan_id: int) -> None:
        self.queue.enqueue(
            run_plan_job,
            self._settings_data,
            plan_id,
            job_timeout=self._job_timeout_s,
            job_id=new_job_id(plan_id),
            retry=Retry(max=self._retries) if self._retries else None,
            on_failure=Callback(job_failed),
        )

    def cancel(self, plan_id: int) -> bool:
        """Takes the plan's jobs off its queue if no worker has started them; True if it did. A
        job that has started is stopped by its own worker, which sees the plan cancelled."""
        taken = False
        for found in self.queue.get_job_ids():
            if not found.startswith(job_prefix(plan_id)):
                continue
            try:
                Job.fetch(found, connection=self._redis).cancel()
                taken = True
            except (NoSuchJobError, InvalidJobOperation):  # gone, or started meanwhile
                continue
        return taken

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


class AmbulantWorker(Worker):
    """RQ's worker, with how long a job's heartbeat may lapse before the job counts as
    abandoned (RQ's fixed 60 s, here `worker_grace_s`), and a command listener that stops
    within a second."""

    grace_s = 60

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return super().get_heartbeat_ttl(job, working_time) - 60 + self.grace_s

    def subscribe(self) -> None:
        # RQ's listener for worker commands waits up to 60 s for a message, and redis-py 8
        # joins it when the worker stops: every stop (SIGTERM on a deploy, the end of --burst)
        # took a minute, beyond a container's stop timeout. Waiting a second at a time, the
        # same listener stops at once.
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]  # RQ types it None
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )


WORKER_QUEUES = {
    "all": (REPLAN_QUEUE_NAME, QUEUE_NAME),
    "replans": (REPLAN_QUEUE_NAME,),
    "plans": (QUEUE_NAME,),
}


def run_worker(settings: Settings, *, burst: bool = False, queues: str = "all") -> None:
    """Runs an RQ worker (`ambulant worker`): on the replan and plan queues, replans first
    ("all"), or on one of them ("replans": a worker kept for replans, which never starts a
    day's solve; "plans"). Its heartbeat, grace and maintenance intervals bound how soon a job
    of a worker that died is run again."""
    redis = Redis.from_url(settings.redis_url)
    AmbulantWorker.grace_s = settings.worker_grace_s
    worker = AmbulantWorker(
        [Queue(name, connection=redis) for name in WORKER_QUEUES[queues]],
        connection=redis,
        job_monitoring_interval=settings.worker_heartbeat_s,
        maintenance_interval=settings.worker_maintenance_s,
        # An idle worker waits on the queue for worker_ttl - 15 s before its maintenance can
        # run: keep that wait within the maintenance interval.
        worker_ttl=settings.worker_maintenance_s + 15,
    )
    worker.work(burst=burst)
