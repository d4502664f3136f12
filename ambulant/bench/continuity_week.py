"""`ambulant bench continuity`: a week of the demo region planned and published day by day,
with and without the cost of a face the patient has not seen (`new_staff_per_visit`).

Each day is planned after the days before it are published, so `seen_staff` grows through the
week as it would in service. The solver runs a fixed number of ruin-and-recreate iterations
with the whole-search stop turned off and no guided local search, so the plans do not depend on
how busy the machine is; the wall time is reported, but it is not what is compared.
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
from ambulant.models import PlanStatus
from ambulant.planning.continuity_kpis import continuity_kpis
from ambulant.planning.plans import publish_plan, request_plan
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.store import store_solution
from ambulant.planning.weights import plan_weights
from ambulant.reports.continuity import continuity_report
from ambulant.travel.factory import travel_times_from_settings


@dataclass(frozen=True)
class WeekRow:
    weight: int
    patients: int
    distinct_median: float
    distinct_mean: float
    seen_share: float
    """Of the visit parts of patients with a history, the share by a seen staff member."""
    drive_h: float
    visits: int
    unassigned: int
    solve_s_median: float


def run_week(
    *,
    weight: int,
    start: dt.date,
    days: int,
    iterations: int,
    data_seed: int = 0,
    region: str = "vaernes",
) -> WeekRow:
    """Seed the region in a fresh in-memory database; plan, check and publish each day in turn
    with `new_staff_per_visit = weight`; then read the week's continuity."""
    engine = make_engine("sqlite://")
    create_all(engine)
    settings = Settings(weight_new_staff_per_visit=weight)
    params = solver.Parameters(
        time_limit_s=3600,
        seed=0,
        weights=plan_weights(settings),
        guided_local_search=False,
        max_iterations=iterations,
        stop_when_settled=False,
    )
    travel = travel_times_from_settings(settings, engine=engine)
    drive_s = visits = unassigned = seen_parts = history_parts = 0
    solve_times: list[float] = []
    with Session(engine, expire_on_commit=False) as session:
        seed_region(session, region=region, day=start, days=days, seed=data_seed)
        session.commit()
        for n in range(days):
            day = start + dt.timedelta(days=n)
            plan = request_plan(session, day=day)
            built = build_problem(session, day=day, scope="all", travel=travel, settings=settings)
            started = time.perf_counter()
            result = solver.solve(built.problem, params)
            solve_times.append(time.perf_counter() - started)
            solver.assert_valid(built.problem, result)
            store_solution(session, plan, built, result)
            plan.kpis = {**result.kpis, **continuity_kpis(built, result)}
            plan.status = PlanStatus.DRAFT
            session.add(plan)
            session.flush()
            assert plan.id is not None
            publish_plan(session, plan_id=plan.id)
            session.commit()
            drive_s += int(result.kpis["travel_s"])
            visits += int(result.kpis["visits"])
            unassigned += int(result.kpis["unassigned_visits"])
            seen_parts += int(result.kpis["parts_by_seen_staff"])
            history_parts += int(result.kpis["parts_by_seen_staff"])
            history_parts += int(result.kpis["parts_by_new_staff"])
        report = continuity_report(session, start=start, end=start + dt.timedelta(days=days - 1))
    engine.dispose()
    distinct = [p.distinct_staff for p in report.patients if p.visits]
    return WeekRow(
        weight=weight,
        patients=len(distinct),
        distinct_median=float(statistics.median(distinct)),
        distinct_mean=statistics.fmean(distinct),
        seen_share=seen_parts / history_parts if history_parts else 1.0,
        drive_h=drive_s / 3600,
        visits=visits,
        unassigned=unassigned,
        solve_s_median=statistics.median(solve_times),
    )


def format_week(rows: Sequence[WeekRow]) -> list[str]:
    lines = [
        "| new_staff_per_visit | patients | distinct staff per patient, median | mean "
        "| visits by a seen face | drive h (week) | visits | unassigned "
        "| solve s per day, median |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.weight} | {r.patients} | {r.distinct_median:.1f} | {r.distinct_mean:.2f} "
            f"| {r.seen_share:.1%} | {r.drive_h:.1f} | {r.visits} | {r.unassigned} "
            f"| {r.solve_s_median:.1f} |"
        )
    return lines
