"""`ambulant bench`: run the solver on public benchmark instances and print checked results.

Every plan is checked against the instance's own rules (and the solver's validator) before it is
counted; a failure is printed as one, and the command exits with status 1 if any instance
failed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer

from ambulant.bench import hhcrsp as hhcrsp_format
from ambulant.bench import vrplib
from ambulant.bench.careplans import format_careplans_bench, run_careplans_bench
from ambulant.bench.continuity_week import format_week, run_week
from ambulant.bench.hot_reads import format_hot_reads, run_hot_reads
from ambulant.bench.linked_day import format_linked_day, run_linked_day
from ambulant.bench.load import LoadConfig, format_load, run_load
from ambulant.bench.replan import BenchConfig, format_report, run_bench
from ambulant.bench.runner import (
    HHC_PLANNERS,
    HHCRSP,
    VRPTW,
    VRPTW_PLANNERS,
    Row,
    append_csv,
    run,
)
from ambulant.bench.table import aligned
from ambulant.bench.throughput import ThroughputConfig, format_throughput, run_throughput
from ambulant.bench.trust_area import TrustArea, format_outcomes, measured_job_times, simulate
from ambulant.bench.workload_days import format_days, run_days
from ambulant.config import get_settings
from ambulant.db import engine_for
from ambulant.timeutil import today

bench_app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)


def _instance_files(paths: list[Path]) -> list[Path]:
    """A path that is not a file here is looked up under AMBULANT_BENCHMARKS_DIR, so that
    `solomon/C101.vrp` works from anywhere."""
    found = []
    for path in paths:
        candidates = [path] if path.is_absolute() else [path, get_settings().benchmarks_dir / path]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            where = " or ".join(str(c) for c in candidates)
            raise typer.BadParameter(
                f"no file {where} (AMBULANT_BENCHMARKS_DIR)", param_hint="FILES"
            )
        found.append(hit)
    return found


Files = Annotated[
    list[Path],
    typer.Argument(
        callback=_instance_files,
        help="Instance files, here or under AMBULANT_BENCHMARKS_DIR (e.g. solomon/C101.vrp).",
    ),
]
TimeLimit = Annotated[float, typer.Option("--time-limit", min=0.001, help="Seconds per instance.")]
OutDir = Annotated[Path, typer.Option("--out", file_okay=False, help="Where plans are written.")]
Seed = Annotated[int, typer.Option(help="Solver seed.")]
Workers = Annotated[
    int, typer.Option(min=1, help="Parallel searches per instance (ambulant planner only).")
]
CsvPath = Annotated[
    Path | None, typer.Option("--csv", dir_okay=False, help="Append the rows to this CSV file.")
]


@bench_app.command()
def vrptw(
    files: Files,
    time_limit: TimeLimit = 10.0,
    out: OutDir = Path("bench-out"),
    seed: Seed = 0,
    csv: CsvPath = None,
    planner: Annotated[
        str, typer.Option(help=f"One of: {', '.join(VRPTW_PLANNERS)} (plain OR-Tools).")
    ] = "ambulant",
    workers: Workers = 1,
) -> None:
    """Solomon / Gehring-Homberger VRPLIB files: minimise distance (DIMACS convention)."""
    _known(planner, VRPTW_PLANNERS)
    rows = run(VRPTW, files, time_limit, out, seed=seed, planner=planner, workers=workers)
    _report(rows, "distance", time_limit, seed, csv)


@bench_app.command()
def hhcrsp(
    files: Files,
    time_limit: TimeLimit = 10.0,
    out: OutDir = Path("bench-out"),
    seed: Seed = 0,
    csv: CsvPath = None,
    planner: Annotated[str, typer.Option(help=f"One of: {', '.join(HHC_PLANNERS)}.")] = "ambulant",
    workers: Workers = 1,
) -> None:
    """Mankowska et al. (2014) files: minimise (distance + tardiness + max tardiness) / 3."""
    _known(planner, HHC_PLANNERS)
    rows = run(HHCRSP, files, time_limit, out, seed=seed, planner=planner, workers=workers)
    _report(rows, "cost", time_limit, seed, csv)


@bench_app.command("linked-day")
def linked_day(
    day_seeds: Annotated[
        list[int], typer.Option("--day-seed", help="Days to generate (repeat the option).")
    ] = [0, 1, 2],  # noqa: B006 - typer reads the default, nothing mutates it
    visits: Annotated[int, typer.Option(min=2, help="Visits in the day.")] = 300,
    staff: Annotated[int, typer.Option(min=1, help="Staff in the day.")] = 25,
    time_limit: TimeLimit = 20.0,
    seed: Seed = 0,
    workers: Workers = 1,
) -> None:
    """A synthetic home-care day with 5 % joint visits and 5 % dependencies, planned with and
    without those links: the difference in unassigned visits (exit 1 if a plan is invalid)."""

    rows = run_linked_day(day_seeds, visits, staff, time_limit, seed, workers)
    for line in format_linked_day(rows):
        typer.echo(line)
    if not all(r.ok for r in rows):
        raise typer.Exit(code=1)


@bench_app.command("replan")
def replan(
    requests: Annotated[int, typer.Option(min=1, help="Urgent requests, one at a time.")] = 20,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.05, help="Replan solve seconds.")
    ] = 1.0,
    plan_time_limit: Annotated[float, typer.Option(min=1, help="The day's first plan.")] = 20.0,
    seed: Seed = 0,
) -> None:
    """Mid-day replanning on the demo day: latency, disruption, validity (exit 1 if invalid)."""

    config = BenchConfig(
        requests=requests,
        replan_time_limit_s=time_limit,
        plan_time_limit_s=plan_time_limit,
        seed=seed,
    )
    report = run_bench(config)
    for line in format_report(report, config):
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(code=1)


@bench_app.command("check-vrptw")
def check_vrptw_file(
    instance_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    solution_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Check a CVRPLIB .sol file made by anyone (e.g. a baseline) against a VRPLIB instance."""
    instance = vrplib.read_instance(instance_file)
    try:
        routes = vrplib.read_solution(solution_file).routes
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="SOLUTION_FILE") from None
    problems = vrplib.check_vrptw(instance, routes)
    distance = vrplib.distance(instance, routes) / vrplib.SCALE
    bks = vrplib.best_known(instance_file)
    gap = _gap_text(distance, bks)
    _verdict(
        instance.name, f"{sum(1 for r in routes if r)} routes, distance {distance:g}{gap}", problems
    )


@bench_app.command("check-hhcrsp")
def check_hhcrsp_file(
    instance_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    plan_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Check a plan JSON (the format `bench hhcrsp` writes) against a Mankowska instance."""
    instance = hhcrsp_format.read_instance(instance_file)
    try:
        plan = hhcrsp_format.plan_from_json(json.loads(plan_file.read_text()))
    except (ValueError, KeyError, TypeError) as error:
        raise typer.BadParameter(f"not a plan: {error!r}", param_hint="PLAN_FILE") from None
    problems = hhcrsp_format.check_hhcrsp(instance, plan)
    cost = hhcrsp_format.evaluate_hhcrsp(instance, plan)
    bks = hhcrsp_format.best_known(instance_file)
    gap = _gap_text(cost.cost, bks)
    parts = (
        f"cost {cost.cost:.6g} (dist {cost.dist:.6g}, tard {cost.tard:.6g}, tmax {cost.tmax:.6g})"
    )
    _verdict(instance.name, parts + gap, problems)


def _verdict(name: str, summary_text: str, problems: Sequence[str]) -> None:
    typer.echo(f"{name}: {'valid' if not problems else 'INVALID'}; {summary_text}")
    for p in problems[:20]:
        typer.echo(f"  {p}")
    if len(problems) > 20:
        typer.echo(f"  ... {len(problems) - 20} more")
    if problems:
        raise typer.Exit(code=1)


def _known(planner: str, planners: Mapping[str, object]) -> None:
    if planner not in planners:
        raise typer.BadParameter(f"unknown planner {planner!r}", param_hint="--planner")


def _report(
    rows: Sequence[Row], value_name: str, time_limit: float, seed: int, csv: Path | None
) -> None:
    for line in format_table(rows, value_name):
        typer.echo(line)
    typer.echo(summary(rows))
    if csv is not None:
        append_csv(csv, rows, time_limit, seed)
    if not all(r.ok for r in rows):
        raise typer.Exit(code=1)


def format_table(rows: Sequence[Row], value_name: str) -> list[str]:
    """A plain-text table, then the problems of every failed row and any notes."""
    part_names = [name for name, _ in rows[0].parts] if rows and rows[0].parts else []
    header = [
        "instance",
        "status",
        "vehicles",
        value_name,
        *part_names,
        "BKS",
        "gap %",
        "seconds",
        "iterations",
        "iter/s",
    ]
    body = [
        [
            r.instance,
            r.status,
            _cell(r.vehicles),
            _cell(r.value),
            *(_cell(v) for _, v in r.parts),
            *([""] * (len(part_names) - len(r.parts))),
            _cell(r.bks),
            "-" if r.gap_pct is None else _pct(r.gap_pct),
            f"{r.seconds:.1f}",
            _cell(None if r.stats is None else r.stats.iterations),
            _rate(None if r.stats is None else r.stats.iterations_per_s),
        ]
        for r in rows
    ]
    lines = aligned([header, *body], left=2)
    for r in rows:
        lines.extend(f"  {r.instance}: {p}" for p in r.problems[:10])
        if len(r.problems) > 10:
            lines.append(f"  {r.instance}: ... {len(r.problems) - 10} more problems")
        lines.extend(f"  {r.instance}: note: {n}" for n in r.notes)
    return lines


def summary(rows: Sequence[Row]) -> str:
    """Mean and worst gap over the solved instances, and how many failed."""
    gaps = [(r.gap_pct, r.instance) for r in rows if r.gap_pct is not None]
    failed = sum(1 for r in rows if not r.ok)
    text = f"{len(rows)} instances: {len(rows) - failed} solved with a valid plan, {failed} without"
    if gaps:
        mean = sum(g for g, _ in gaps) / len(gaps)
        worst, where = max(gaps)
        text += f"; gap to BKS mean {_pct(mean)} %, worst {_pct(worst)} % ({where})"
    return text


def _cell(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e5 else f"{value:.1f}"
    return str(value)


def _rate(per_s: float | None) -> str:
    return "-" if per_s is None else f"{per_s:.0f}"


def _gap_text(value: float, bks: float | None) -> str:
    """The `, gap G % to BKS` that ends a checked file's line; nothing without a BKS."""
    return "" if not bks else f", gap {_pct(100 * (value - bks) / bks)} % to {bks:g}"


def _pct(value: float) -> str:
    """Two decimals, without the "-0.00" of a gap a rounding error below zero."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


@bench_app.command("pages")
def pages(
    runs: Annotated[int, typer.Option(min=1, max=50, help="Loads of each page.")] = 5,
    chromium: Annotated[str, typer.Option(help="The Chromium to drive.")] = "/usr/bin/chromium",
) -> None:
    """How soon the day board and the nurse's day are usable in Chromium, on the demo day
    (median of `runs` loads), and what a cold load of each transfers."""
    # Playwright is a development dependency; only this command needs it.
    from ambulant.bench.pages import format_pages, run_pages

    for line in format_pages(run_pages(runs, chromium)):
        typer.echo(line)


@bench_app.command("load")
def load(
    rate: Annotated[
        float, typer.Option(min=1, max=2000, help="Open loop: requests a second.")
    ] = 200,
    open_s: Annotated[float, typer.Option(min=1, max=120, help="Open loop: seconds.")] = 20,
    connections: Annotated[
        int, typer.Option(min=1, max=200, help="Open loop: connections to send over.")
    ] = 32,
    concurrency: Annotated[int, typer.Option(min=1, max=200, help="Closed loop: clients.")] = 20,
    closed_s: Annotated[float, typer.Option(min=1, max=120, help="Closed loop: seconds.")] = 20,
    nurses: Annotated[int, typer.Option(min=1, max=500, help="Nurse users (tokens).")] = 100,
    poll_s: Annotated[float, typer.Option(min=1, max=120, help="Field day: poll period.")] = 30,
    field_s: Annotated[float, typer.Option(min=5, max=600, help="Field day: seconds.")] = 60,
    replans: Annotated[int, typer.Option(min=0, max=20, help="Field day: replans.")] = 3,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="A PostgreSQL server to run on (a fresh database is made there and dropped "
            "after); default: SQLite in the run's folder."
        ),
    ] = None,
) -> None:
    """Many nurses reading their day at once, on the demo day: throughput and latency of an open
    loop, a closed loop and a field day of polls, status reports and replans (exit 1 on errors)."""
    config = LoadConfig(
        rate=rate,
        open_s=open_s,
        connections=connections,
        concurrency=concurrency,
        closed_s=closed_s,
        nurses=nurses,
        poll_s=poll_s,
        field_s=field_s,
        replans=replans,
        database_url=database_url,
    )
    report = run_load(config)
    for line in format_load(report, config):
        typer.echo(line)
    if report.errors:
        raise typer.Exit(code=1)


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help="The database holding the history (`ambulant demo history`); default: "
        "DATABASE_URL from the settings."
    ),
]


@bench_app.command("hot-reads")
def hot_reads(
    database_url: DatabaseUrl = None,
    calls: Annotated[int, typer.Option(min=1, max=10000, help="Calls of each read.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed for drawing the reads' arguments.")] = 0,
) -> None:
    """Time the reads that run most (a nurse's schedule, a day's visits of a municipality, a
    patient's audit trail) on a stored history, and on PostgreSQL show the tables and indexes
    each reads (exit 1 if one reads a big table whole)."""
    engine = engine_for(database_url or get_settings().database_url)
    try:
        report = run_hot_reads(engine, count=calls, seed=seed)
    except LookupError as error:
        raise typer.BadParameter(str(error), param_hint="--database-url") from error
    for line in format_hot_reads(report):
        typer.echo(line)
    if any(read.full_scans for read in report.reads):
        raise typer.Exit(code=1)


@bench_app.command("trust-area")
def trust_area(
    database_url: DatabaseUrl = None,
    municipalities: Annotated[
        int, typer.Option(min=1, max=1000, help="Municipalities planning in the hour.")
    ] = 40,
    window_minutes: Annotated[
        float, typer.Option(min=1, max=1440, help="Minutes in which they all ask.")
    ] = 60,
    second_share: Annotated[
        float, typer.Option(min=0, max=1, help="Share that plans the day a second time.")
    ] = 0.25,
    workers: Annotated[
        list[int] | None, typer.Option("--workers", min=1, help="Worker counts to simulate.")
    ] = None,
    hours: Annotated[int, typer.Option(min=1, max=100000, help="Simulated hours.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the simulation.")] = 0,
) -> None:
    """How long day plans wait for a worker when a trust area's municipalities all plan within
    the same hour (or less): a simulation of the queue with the job times of the day plans
    stored in the database."""
    engine = engine_for(database_url or get_settings().database_url)
    job_times = measured_job_times(engine)
    if not job_times:
        raise typer.BadParameter(
            "the database holds no day plan a worker finished", param_hint="--database-url"
        )
    area = TrustArea(
        municipalities=municipalities,
        window_s=window_minutes * 60,
        second_share=second_share,
        hours=hours,
        seed=seed,
    )
    outcomes = [simulate(area, job_times, m) for m in workers or [1, 2, 3, 4, 6, 8]]
    for line in format_outcomes(area, job_times, outcomes):
        typer.echo(line)


@bench_app.command("careplans")
def careplans(
    days: Annotated[int, typer.Option(min=1, max=92, help="Days of the run over weeks.")] = 28,
    repeat: Annotated[int, typer.Option(min=1, max=50, help="Timed runs of each.")] = 5,
    first_day: Annotated[
        dt.datetime | None,
        typer.Option("--first-day", formats=["%Y-%m-%d"], help="The first day (default: today)."),
    ] = None,
) -> None:
    """Time generation from care plans on the Værnes demo (a fresh SQLite database): one day as
    a plan request runs it, weeks ahead the first time, and the same weeks again."""
    first = first_day.date() if first_day is not None else today()
    timings = run_careplans_bench(first_day=first, days=days, repeat=repeat)
    for line in format_careplans_bench(timings):
        typer.echo(line)


@bench_app.command("throughput")
def throughput(
    iterations: Annotated[
        int, typer.Option(min=1, help="Search per day plan (ruin-and-recreate iterations).")
    ] = 200,
    plans: Annotated[int, typer.Option(min=1, help="Day plans per worker count.")] = 4,
    replans: Annotated[int, typer.Option(min=1, help="Urgent replans under load.")] = 20,
    shared_replans: Annotated[
        int, typer.Option(min=1, help="Replans with no worker kept for them.")
    ] = 5,
    seed: Seed = 0,
) -> None:
    """Day plans through the real queue with 1 and 2 workers (solves a minute), and urgent
    replans while 2 workers solve day plans (request to stored plan). Needs Redis
    (AMBULANT_REDIS_URL, a database of its own: its ambulant queues are emptied)."""
    config = ThroughputConfig(
        redis_url=get_settings().redis_url,
        iterations=iterations,
        plans=plans,
        replans=replans,
        shared_replans=shared_replans,
        seed=seed,
    )
    report = run_throughput(config, say=lambda line: typer.echo(line, err=True))
    for line in format_throughput(report, config):
        typer.echo(line)
    failed = sum(r.failed for r in report.runs) + sum(r.failed for r in report.replans)
    if failed:
        raise typer.Exit(code=1)


# --- Continuity over a week (new_staff_per_visit) ---


@bench_app.command("continuity")
def continuity(
    weights: Annotated[
        list[int] | None,
        typer.Option("--weight", min=0, help="new_staff_per_visit values to compare."),
    ] = None,
    start: Annotated[
        dt.datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="First day of the week.")
    ] = dt.datetime(2026, 11, 23),
    days: Annotated[int, typer.Option(min=2, max=14, help="Days planned in turn.")] = 7,
    iterations: Annotated[
        int, typer.Option(min=1, help="Ruin-and-recreate iterations per day (fixed work).")
    ] = 2000,
    data_seed: Annotated[int, typer.Option(help="Seed of the demo data.")] = 0,
) -> None:
    """The Værnes demo week planned and published day by day, once per weight: distinct staff
    per patient over the week (median, mean), the share of visits by a face the patient had
    seen, drive time and unassigned visits (docs/benchmarks.md)."""
    rows = []
    for weight in weights or [0, get_settings().weight_new_staff_per_visit]:
        rows.append(
            run_week(
                weight=weight,
                start=start.date(),
                days=days,
                iterations=iterations,
                data_seed=data_seed,
            )
        )
        typer.echo(f"weight {weight}: done", err=True)
    for line in format_week(rows):
        typer.echo(line)


# --- Workload balance on the demo days (workload_per_s) ---


@bench_app.command("workload")
def workload(
    weights: Annotated[
        list[int] | None,
        typer.Option("--weight", min=0, help="workload_per_s values to compare."),
    ] = None,
    start: Annotated[
        dt.datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="First demo day.")
    ] = dt.datetime(2026, 11, 23),
    days: Annotated[int, typer.Option(min=1, max=14, help="Demo days, each planned alone.")] = 3,
    iterations: Annotated[
        int, typer.Option(min=1, help="Ruin-and-recreate iterations per solve (fixed work).")
    ] = 1500,
    data_seed: Annotated[int, typer.Option(help="Seed of the demo data.")] = 0,
) -> None:
    """The Værnes demo days planned with each workload weight: the spread of working minutes
    (max - min, standard deviation), drive time and unassigned visits (docs/benchmarks.md)."""
    rows = run_days(
        weights=weights or [0, get_settings().weight_workload_per_s],
        start=start.date(),
        days=days,
        iterations=iterations,
        data_seed=data_seed,
    )
    for line in format_days(rows):
        typer.echo(line)


if __name__ == "__main__":
    bench_app()
