"""Benchmarks of the foundation: travel matrices and planning the demo region's day.

`ambulant bench travel` and `ambulant bench demo`; results go to docs/benchmarks.md. Timings are
medians over repeats, since the machines are noisy.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Annotated

import typer
from sqlmodel import Session

from ambulant.config import Settings
from ambulant.db import create_all, make_engine
from ambulant.demo.generator import seed_region
from ambulant.jobs.lifecycle import run_job
from ambulant.planning.plans import plan_detail, request_plan
from ambulant.travel import GeodesicTravelTimes, Point

# Around Værnesregionen: Stjørdal to Tydal.
LAT_RANGE = (62.93, 63.54)
LON_RANGE = (10.80, 11.86)


def bench_travel(
    points: Annotated[int, typer.Option(help="How many locations.")] = 500,
    repeat: Annotated[int, typer.Option(help="How many timed runs.")] = 7,
    seed: Annotated[int, typer.Option(help="Seed for the random locations.")] = 0,
) -> None:
    """Time the geodesic travel-time matrix for N locations (target: 500 in under a second)."""
    rng = random.Random(seed)
    places = [Point(rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)) for _ in range(points)]
    provider = GeodesicTravelTimes()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        provider.matrix(places)
        times.append(time.perf_counter() - started)
    typer.echo(
        f"geodesic matrix, {points} locations ({points * points} legs): "
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
        f"max {max(times):.3f} s over {repeat} runs"
    )


def bench_demo(
    region: Annotated[str, typer.Option(help="Demo region.")] = "vaernes",
    date: Annotated[
        dt.datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="Day to plan.")
    ] = dt.datetime(2026, 11, 25),
    time_limit: Annotated[float, typer.Option(help="Solver time limit, seconds.")] = 20.0,
    seeds: Annotated[int, typer.Option(help="How many data seeds (0..N-1).")] = 3,
) -> None:
    """Seed the demo region in a fresh in-memory database and plan the day, once per seed:
    visits, assignment rate and wall time (target: >= 95 % assigned)."""
    day = date.date()
    rates: list[float] = []
    for seed in range(seeds):
        engine = make_engine("sqlite://")
        create_all(engine)
        settings = Settings(solve_time_limit_s=time_limit, solve_seed=0)
        with Session(engine, expire_on_commit=False) as session:
            seed_region(session, region=region, day=day, days=1, seed=seed)
            plan = request_plan(session, day=day)
            session.commit()
        assert plan.id is not None
        started = time.perf_counter()
        run_job(engine, plan_id=plan.id, settings=settings)
        wall = time.perf_counter() - started
        with Session(engine) as session:
            detail = plan_detail(session, plan_id=plan.id)
        kpis = detail.kpis
        rates.append(float(kpis.get("assignment_rate", 0.0)))
        reasons = sorted({u.reason for u in detail.unassigned})
        typer.echo(
            f"{region} {day} data seed {seed}: {detail.status}, "
            f"{kpis.get('visits', 0):.0f} visits, {kpis.get('staff', 0):.0f} staff, "
            f"{kpis.get('assigned_visits', 0):.0f} assigned "
            f"({rates[-1]:.1%}), travel {kpis.get('travel_s', 0) / 3600:.1f} h, "
            f"wall {wall:.1f} s, unassigned reasons {reasons or '-'}"
        )
        engine.dispose()
    typer.echo(f"median assignment rate {statistics.median(rates):.1%} over {seeds} seeds")
