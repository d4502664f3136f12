"""`ambulant bench trust-area`: how many solver workers a trust area needs when its
municipalities all plan tomorrow in the same hour, by a discrete-event simulation of the plan
queue with job times measured on the demo region.

The model: each of `municipalities` asks for a day plan at a moment drawn uniformly in the hour
(14:00-15:00); a share of them asks again later in the same hour (a corrected version). A job
takes a time drawn from the measured ones (with replacement): what a worker spent from taking
the plan to storing it (travel matrix, solve, validation, store). `workers` workers serve the
one queue first come, first served, one job each at a time. A job's wait is from its request to
a worker taking it; its answer time is the wait and the job. The hour is simulated `hours` times
with fresh draws, and the waits of all of them are pooled.
"""

from __future__ import annotations

import heapq
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import Plan

HOUR_S = 3600.0


@dataclass(frozen=True)
class TrustArea:
    municipalities: int = 40
    window_s: float = HOUR_S
    second_share: float = 0.25
    """The share of municipalities that plan the day a second time within the window."""
    hours: int = 2000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.municipalities < 1:
            raise ValueError("municipalities must be at least 1")
        if not 0 <= self.second_share <= 1:
            raise ValueError("second_share must be between 0 and 1")
        if self.window_s <= 0 or self.hours < 1:
            raise ValueError("window_s and hours must be positive")


@dataclass(frozen=True)
class QueueOutcome:
    workers: int
    waits_s: list[float]
    answers_s: list[float]
    busy_s: float
    span_s: float

    def wait_percentile(self, q: float) -> float:
        return _percentile(self.waits_s, q)

    def answer_percentile(self, q: float) -> float:
        return _percentile(self.answers_s, q)

    @property
    def utilisation(self) -> float:
        """The share of the workers' time spent on jobs, from the first request to the last
        answer of each hour."""
        return self.busy_s / (self.workers * self.span_s) if self.span_s else 0.0

    def share_waiting_over(self, seconds: float) -> float:
        return sum(w > seconds for w in self.waits_s) / len(self.waits_s)


@dataclass(frozen=True)
class Served:
    arrival_s: float
    start_s: float
    finish_s: float

    @property
    def wait_s(self) -> float:
        return self.start_s - self.arrival_s

    @property
    def answer_s(self) -> float:
        return self.finish_s - self.arrival_s


def serve_fifo(arrivals_s: Sequence[float], jobs_s: Sequence[float], workers: int) -> list[Served]:
    """Jobs arriving at `arrivals_s` and taking `jobs_s`, served first come, first served by
    `workers`, each by the first worker free; in the order they arrived."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    free_at = [0.0] * workers  # a heap: when each worker is next free
    served = []
    for arrival, job in sorted(zip(arrivals_s, jobs_s, strict=True)):
        start = max(arrival, heapq.heappop(free_at))
        heapq.heappush(free_at, start + job)
        served.append(Served(arrival, start, start + job))
    return served


def simulate(area: TrustArea, job_times_s: Sequence[float], workers: int) -> QueueOutcome:
    """The trust area's planning hour, `area.hours` times, with `workers` workers."""
    if not job_times_s:
        raise ValueError("no measured job times")
    # The same draws for every worker count, so counts are compared on the same hours.
    rng = random.Random(area.seed)
    waits: list[float] = []
    answers: list[float] = []
    busy = span = 0.0
    for _ in range(area.hours):
        firsts = [rng.uniform(0, area.window_s) for _ in range(area.municipalities)]
        again = [t for t in firsts if rng.random() < area.second_share]
        arrivals = firsts + [rng.uniform(t, area.window_s) for t in again]
        jobs = [rng.choice(job_times_s) for _ in arrivals]
        served = serve_fifo(arrivals, jobs, workers)
        waits += [s.wait_s for s in served]
        answers += [s.answer_s for s in served]
        busy += sum(jobs)
        span += max(s.finish_s for s in served) - served[0].arrival_s
    return QueueOutcome(workers, waits, answers, busy, span)


def measured_job_times(engine: Engine) -> list[float]:
    """Seconds from a worker taking a day plan to storing it, over the day plans (not replans)
    that a worker finished in the database."""
    with Session(engine) as session:
        plans = session.exec(
            select(Plan).where(
                col(Plan.started_at).is_not(None), col(Plan.finished_at).is_not(None)
            )
        ).all()
    return [
        (plan.finished_at - plan.started_at).total_seconds()
        for plan in plans
        if plan.started_at and plan.finished_at and "replan" not in plan.parameters
    ]


def format_outcomes(
    area: TrustArea, job_times_s: Sequence[float], outcomes: Sequence[QueueOutcome]
) -> list[str]:
    ordered = sorted(job_times_s)
    per_hour = statistics.mean(ordered) * area.municipalities * (1 + area.second_share) / 60
    lines = [
        f"{area.municipalities} municipalities plan within {area.window_s / 60:g} minutes "
        f"({area.second_share:.0%} of them twice), {area.hours} simulated hours",
        f"job times measured: {len(ordered)} day plans, median {statistics.median(ordered):.1f} s, "
        f"p95 {_percentile(ordered, 0.95):.1f} s, max {ordered[-1]:.1f} s; "
        f"work in the window about {per_hour:.1f} worker-minutes",
        "",
        f"{'workers':>7}{'wait p50 s':>12}{'p95 s':>8}{'max s':>8}{'> 60 s':>8}"
        f"{'answer p95 s':>14}{'busy':>7}",
    ]
    for o in outcomes:
        lines.append(
            f"{o.workers:>7}{o.wait_percentile(0.5):>12.1f}{o.wait_percentile(0.95):>8.1f}"
            f"{max(o.waits_s):>8.1f}{o.share_waiting_over(60):>8.1%}"
            f"{o.answer_percentile(0.95):>14.1f}{o.utilisation:>7.0%}"
        )
    return lines


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least a share q of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]
