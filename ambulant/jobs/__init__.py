"""Where solves run, and the life of a plan job: a local process pool beside the API (the
embedded default) or RQ workers on Redis (to scale out), chosen by `AMBULANT_QUEUE`.

    lifecycle   queued → solving → draft | failed | cancelled, for day plans and replans alike
    transitions every change of a job's state, compare-and-set from the state it expects
    watch       a worker's monitor of its search: progress once a second, stop once cancelled
    cancel      cancelling a queued or solving plan
    submit      commit a queued plan and hand it to its queue (503 when the queue refuses)
    queues      the queue for a configuration: plan queue and replan queue
    local, rq_queue, queue   the two backends and their contract
    recovery    plans left queued or solving when the service stopped are submitted again
"""

from ambulant.jobs.lifecycle import run_job, wait_for_plan
from ambulant.jobs.queue import JobQueue
from ambulant.jobs.queues import get_queue, get_replan_queue, shutdown_queues
from ambulant.jobs.submit import submit_plan

__all__ = [
    "JobQueue",
    "get_queue",
    "get_replan_queue",
    "run_job",
    "shutdown_queues",
    "submit_plan",
    "wait_for_plan",
]
