"""The linked-day benchmark: what joint visits and dependencies cost in unplanned visits.

A seeded `synthetic_day` (5 % joint visits, 5 % follow-ups tied to a first visit) is planned
twice with the same search: as it is, and as `without_links` (every joint visit done by one
person, no dependencies). The difference in unassigned visits is what the links cost; the
target is at most 1 % of the day's visits. Both plans must pass the plan validator.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ambulant.bench.table import aligned
from solver.instances import synthetic_day, without_links
from solver.problem import Parameters, Problem
from solver.result import Result
from solver.solve import solve
from solver.validator import validate


@dataclass(frozen=True)
class DayRow:
    """One day seed: unassigned visits with the links (and how many of them are joint) and
    without, the validator's complaints about either plan, and the wall time of both solves."""

    day_seed: int
    visits: int
    linked_unassigned: int
    linked_joint_unassigned: int
    plain_unassigned: int
    problems: tuple[str, ...]
    seconds: float

    @property
    def difference(self) -> int:
        return self.linked_unassigned - self.plain_unassigned

    @property
    def ok(self) -> bool:
        return not self.problems


def run_linked_day(
    day_seeds: Sequence[int],
    n_visits: int,
    n_staff: int,
    time_limit_s: float,
    seed: int,
    workers: int,
) -> list[DayRow]:
    params = Parameters(
        time_limit_s=time_limit_s, seed=seed, workers=workers, stop_when_settled=False
    )
    rows = []
    for day_seed in day_seeds:
        day = synthetic_day(n_visits=n_visits, n_staff=n_staff, seed=day_seed)
        started = time.monotonic()
        linked, linked_problems = _solve_checked(day, params, "with links")
        plain, plain_problems = _solve_checked(without_links(day), params, "without links")
        joint = {v.id for v in day.visits if v.staff_count > 1}
        rows.append(
            DayRow(
                day_seed=day_seed,
                visits=len(day.visits),
                linked_unassigned=len(linked.unassigned),
                linked_joint_unassigned=sum(1 for u in linked.unassigned if u.visit_id in joint),
                plain_unassigned=len(plain.unassigned),
                problems=linked_problems + plain_problems,
                seconds=time.monotonic() - started,
            )
        )
    return rows


def _solve_checked(
    problem: Problem, params: Parameters, label: str
) -> tuple[Result, tuple[str, ...]]:
    result = solve(problem, params)
    problems = tuple(f"{label}: {v.rule}: {v.message}" for v in validate(problem, result))
    return result, problems


def format_linked_day(rows: Sequence[DayRow]) -> list[str]:
    header = ["day seed", "visits", "with links (joint)", "without links", "difference", "seconds"]
    body = [
        [
            str(r.day_seed),
            str(r.visits),
            f"{r.linked_unassigned} ({r.linked_joint_unassigned})",
            str(r.plain_unassigned),
            f"{r.difference} ({100 * r.difference / r.visits:.1f} %)",
            f"{r.seconds:.1f}",
        ]
        for r in rows
    ]
    lines = aligned([header, *body])
    for r in rows:
        lines.extend(f"  day {r.day_seed}: {p}" for p in r.problems[:10])
    if rows:
        median = statistics.median(r.difference for r in rows)
        lines.append(
            f"{len(rows)} days: median difference {median:g} unassigned visits; "
            f"{sum(1 for r in rows if not r.ok)} with an invalid plan"
        )
    return lines
