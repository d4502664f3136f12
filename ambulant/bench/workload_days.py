"""`ambulant bench workload`: the demo region's days planned with and without the workload
balance (`workload_per_s`): how evenly the working time is shared, what it costs in driving and
visits left out.

Like `ambulant bench continuity`, each solve runs a fixed number of ruin-and-recreate
iterations with the settled-stop and guided local search off, so the plans do not depend on the
machine's load.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

import solver
from ambulant.config import Settings
from ambulant.db import create_all, make_engine
from ambulant.demo.generator import seed_region
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.weights import plan_weights
from ambulant.planning.workload_kpis import spread
from ambulant.travel.factory import travel_times_from_settings


@dataclass(frozen=True)
class DayRow:
    weight: int
    day: dt.date
    spread_min: int
    stdev_min: float
    mean_min: float
    staff_working: int
    staff_idle: int
    drive_h: float
    unassigned: int
    solve_s: float


def run_days(
    *,
    weights: Sequence[int],
    start: dt.date,
    days: int,
    iterations: int,
    data_seed: int = 0,
    region: str = "vaernes",
) -> list[DayRow]:
    engine = make_engine("sqlite://")
    create_all(engine)
    rows = []
    with Session(engine) as session:
        seed_region(session, region=region, day=start, days=days, seed=data_seed)
        session.commit()
        for n in range(days):
            day = start + dt.timedelta(days=n)
            settings = Settings()
            built = build_problem(
                session,
                day=day,
                scope="all",
                travel=travel_times_from_settings(settings, engine=engine),
                settings=settings,
            )
            for weight in weights:
                params = solver.Parameters(
                    time_limit_s=3600,
                    seed=0,
                    weights=plan_weights(settings, {"workload_per_s": weight}),
                    guided_local_search=False,
                    max_iterations=iterations,
                    stop_when_settled=False,
                )
                started = time.perf_counter()
                result = solver.solve(built.problem, params)
                solve_s = time.perf_counter() - started
                solver.assert_valid(built.problem, result)
                found = spread({int(r.staff_id): r.working_s for r in result.routes}, built.staff)
                rows.append(
                    DayRow(
                        weight=weight,
                        day=day,
                        spread_min=found.spread_min,
                        stdev_min=found.stdev_min,
                        mean_min=found.mean_min,
                        staff_working=found.staff_working,
                        staff_idle=found.staff_idle,
                        drive_h=result.kpis["travel_s"] / 3600,
                        unassigned=int(result.kpis["unassigned_visits"]),
                        solve_s=solve_s,
                    )
                )
    engine.dispose()
    return rows


def format_days(rows: Sequence[DayRow]) -> list[str]:
    lines = [
        "| workload_per_s | day | working min, max - min | s.d. | mean | working / idle "
        "| drive h | unassigned | solve s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.weight} | {r.day} | {r.spread_min} | {r.stdev_min:.1f} | {r.mean_min:.0f} "
            f"| {r.staff_working} / {r.staff_idle} | {r.drive_h:.1f} | {r.unassigned} "
            f"| {r.solve_s:.1f} |"
        )
    lines.append("")
    lines.append(
        "| workload_per_s | median max - min | median s.d. | drive h, sum | unassigned, sum |"
    )
    lines.append("| ---: | ---: | ---: | ---: | ---: |")
    for weight in dict.fromkeys(r.weight for r in rows):
        own = [r for r in rows if r.weight == weight]
        lines.append(
            f"| {weight} | {statistics.median(r.spread_min for r in own):.0f} "
            f"| {statistics.median(r.stdev_min for r in own):.1f} "
            f"| {sum(r.drive_h for r in own):.1f} | {sum(r.unassigned for r in own)} |"
        )
    return lines
