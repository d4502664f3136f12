"""Run a planner on benchmark files, check every plan, write it, and report one row per file.

A plan counts only when the instance's own checker (`check_vrptw` / `check_hhcrsp`, written from
the benchmark's definition, not from the solver's model) and the solver's plan validator both
accept it. Anything else - an exception, no plan, a missed customer, a broken window - is a
failure row with its reasons, and its plan goes to `NAME.invalid.*` so it is never mistaken for
a result.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ambulant.bench import hhcrsp, vrplib
from ambulant.bench.baselines import plain_ortools_vrptw
from solver.problem import Parameters, Problem, Weights
from solver.result import Result, SearchStats
from solver.solve import solve
from solver.validator import validate

OK = "ok"
INVALID = "invalid"
NO_SOLUTION = "no solution"
ERROR = "error"


@dataclass(frozen=True)
class Row:
    """One instance's outcome. `value` is the distance (VRPTW) or the cost (HHCRSP) in the
    instance's units; `parts` holds the HHCRSP cost's parts (dist, tard, tmax); `stats` what
    ambulant's search did (None for other planners)."""

    benchmark: str
    planner: str
    instance: str
    status: str
    seconds: float
    vehicles: int | None = None
    value: float | None = None
    bks: float | None = None
    parts: tuple[tuple[str, float], ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stats: SearchStats | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def gap_pct(self) -> float | None:
        if not self.ok or self.value is None or not self.bks:
            return None
        return 100.0 * (self.value - self.bks) / self.bks


@dataclass(frozen=True)
class Planned[PlanT]:
    """A planner's answer: its plan (None: none found), what its own validator says is wrong
    with it (each makes the row a failure), notes for the reader, and what its search did."""

    plan: PlanT | None
    complaints: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stats: SearchStats | None = None


@dataclass(frozen=True)
class Scored:
    """A plan as its benchmark sees it: what the instance's checker finds wrong, the vehicles
    used, the value and its parts, and the plan as the file it is written to."""

    problems: tuple[str, ...]
    vehicles: int
    value: float
    parts: tuple[tuple[str, float], ...]
    text: str
    extension: str


@dataclass(frozen=True)
class Benchmark[InstanceT, PlanT]:
    """A benchmark's files: how an instance is named, read, and known at its best, and how a
    plan of it is checked and scored (`score` says None for a plan with nobody served)."""

    name: str
    instance_name: Callable[[Path], str]
    read_instance: Callable[[Path], InstanceT]
    best_known: Callable[[Path], float | None]
    score: Callable[[InstanceT, PlanT], Scored | None]
    planners: Mapping[str, Callable[[InstanceT, float, int], Planned[PlanT]]]
    ambulant: Callable[[InstanceT, float, int, int], Planned[PlanT]]
    """ambulant's planner with a number of parallel searches (the last argument)."""


def _solve_and_validate(
    problem: Problem, time_limit_s: float, seed: int, weights: Weights, workers: int = 1
) -> Planned[Result]:
    # The whole time limit, as the solvers compared with use theirs (see Parameters).
    params = Parameters(
        time_limit_s=time_limit_s,
        seed=seed,
        weights=weights,
        workers=workers,
        stop_when_settled=False,
    )
    result = solve(problem, params)
    complaints = tuple(f"validator {v.rule}: {v.message}" for v in validate(problem, result))
    # The checker already fails a plan with unserved visits; the solver's reasons say why.
    notes = tuple(f"solver left {u.visit_id} out: {u.reason}" for u in result.unassigned[:5])
    if len(result.unassigned) > 5:
        notes += (f"solver left {len(result.unassigned) - 5} more visits out",)
    return Planned(result, complaints=complaints, notes=notes, stats=result.stats)


# --- VRPTW --------------------------------------------------------------------------------------

Routes = list[list[int]]
VrptwPlanner = Callable[[vrplib.VrptwInstance, float, int], Planned[Routes]]
"""(instance, time limit, seed) -> routes as customer numbers."""


def ambulant_vrptw(
    instance: vrplib.VrptwInstance, time_limit_s: float, seed: int, workers: int = 1
) -> Planned[Routes]:
    problem = vrplib.to_problem(instance)
    solved = _solve_and_validate(problem, time_limit_s, seed, vrplib.WEIGHTS, workers)
    assert solved.plan is not None
    routes = [[vrplib.customer_of(s.visit_id) for s in r.stops] for r in solved.plan.routes]
    return Planned(routes, solved.complaints, solved.notes, solved.stats)


def ortools_vrptw(
    instance: vrplib.VrptwInstance, time_limit_s: float, seed: int
) -> Planned[Routes]:
    return Planned(plain_ortools_vrptw(instance, time_limit_s, seed))


VRPTW_PLANNERS: dict[str, VrptwPlanner] = {"ambulant": ambulant_vrptw, "ortools": ortools_vrptw}


def _score_vrptw(instance: vrplib.VrptwInstance, routes: Routes) -> Scored | None:
    if not any(routes):
        return None
    problems = tuple(vrplib.check_vrptw(instance, routes))
    tenths = vrplib.distance(instance, routes)
    return Scored(
        problems=problems,
        vehicles=sum(1 for r in routes if r),
        value=tenths / vrplib.SCALE,
        parts=(),
        text=vrplib.format_solution(routes, tenths),
        extension=".sol",
    )


VRPTW = Benchmark(  # plans written as `NAME.sol` (CVRPLIB)
    "vrptw",
    instance_name=lambda path: path.name.removesuffix(".vrp"),
    read_instance=vrplib.read_instance,
    best_known=vrplib.best_known,
    score=_score_vrptw,
    planners=VRPTW_PLANNERS,
    ambulant=ambulant_vrptw,
)


# --- HHCRSP -------------------------------------------------------------------------------------

HhcPlanner = Callable[[hhcrsp.HhcInstance, float, int], Planned[hhcrsp.HhcPlan]]


def ambulant_hhcrsp(
    instance: hhcrsp.HhcInstance, time_limit_s: float, seed: int, workers: int = 1
) -> Planned[hhcrsp.HhcPlan]:
    problem = hhcrsp.to_problem(instance)
    solved = _solve_and_validate(problem, time_limit_s, seed, hhcrsp.WEIGHTS, workers)
    assert solved.plan is not None
    return Planned(hhcrsp.from_result(solved.plan), solved.complaints, solved.notes, solved.stats)


HHC_PLANNERS: dict[str, HhcPlanner] = {"ambulant": ambulant_hhcrsp}


def _score_hhcrsp(instance: hhcrsp.HhcInstance, plan: hhcrsp.HhcPlan) -> Scored | None:
    if not any(r.stops for r in plan.routes):
        return None
    problems = tuple(hhcrsp.check_hhcrsp(instance, plan))
    cost = hhcrsp.evaluate_hhcrsp(instance, plan)
    return Scored(
        problems=problems,
        vehicles=sum(1 for r in plan.routes if r.stops),
        value=cost.cost,
        parts=(("dist", cost.dist), ("tard", cost.tard), ("tmax", cost.tmax)),
        text=json.dumps(plan.to_json(), indent=1) + "\n",
        extension=".json",
    )


HHCRSP = Benchmark(  # plans written as `NAME.json` (see hhcrsp.HhcPlan.to_json)
    "hhcrsp",
    instance_name=hhcrsp.instance_name,
    read_instance=hhcrsp.read_instance,
    best_known=hhcrsp.best_known,
    score=_score_hhcrsp,
    planners=HHC_PLANNERS,
    ambulant=ambulant_hhcrsp,
)


# --- both ---------------------------------------------------------------------------------------


def run[InstanceT, PlanT](
    benchmark: Benchmark[InstanceT, PlanT],
    files: Sequence[Path],
    time_limit_s: float,
    out_dir: Path,
    seed: int = 0,
    planner: str = "ambulant",
    workers: int = 1,
) -> list[Row]:
    """Plan each file with the planner of that name, check and score the plan, write it to
    `out_dir` (as NAME.invalid.* if anything is wrong with it), and return one row per file."""
    chosen = benchmark.planners[planner]

    def plan_with(instance: InstanceT, limit_s: float, seed_: int) -> Planned[PlanT]:
        if planner == "ambulant" and workers > 1:
            return benchmark.ambulant(instance, limit_s, seed_, workers)
        return chosen(instance, limit_s, seed_)

    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for path in files:
        name = benchmark.instance_name(path)
        instance = benchmark.read_instance(path)
        bks = benchmark.best_known(path)
        began = time.perf_counter()
        try:
            planned = plan_with(instance, time_limit_s, seed)
        except Exception as error:  # a crash on one instance must not hide the others
            rows.append(_error_row(benchmark.name, planner, name, began, bks, error))
            continue
        seconds = time.perf_counter() - began
        scored = None if planned.plan is None else benchmark.score(instance, planned.plan)
        if scored is None:
            rows.append(
                Row(
                    benchmark.name,
                    planner,
                    name,
                    NO_SOLUTION,
                    seconds,
                    bks=bks,
                    notes=planned.notes,
                )
            )
            continue
        problems = (*scored.problems, *planned.complaints)
        suffix = scored.extension if not problems else ".invalid" + scored.extension
        (out_dir / f"{name}{suffix}").write_text(scored.text)
        rows.append(
            Row(
                benchmark.name,
                planner,
                name,
                INVALID if problems else OK,
                seconds,
                vehicles=scored.vehicles,
                value=scored.value,
                bks=bks,
                parts=scored.parts,
                problems=problems,
                notes=planned.notes,
                stats=planned.stats,
            )
        )
    return rows


def _error_row(
    benchmark: str, planner: str, name: str, began: float, bks: float | None, error: Exception
) -> Row:
    seconds = time.perf_counter() - began
    problem = f"{type(error).__name__}: {error}"
    return Row(benchmark, planner, name, ERROR, seconds, bks=bks, problems=(problem,))


# --- CSV ----------------------------------------------------------------------------------------

CSV_FIELDS = (
    "date",
    "benchmark",
    "planner",
    "instance",
    "status",
    "vehicles",
    "value",
    "bks",
    "gap_pct",
    "seconds",
    "time_limit_s",
    "seed",
    "dist",
    "tard",
    "tmax",
    "problems",
)


def append_csv(path: Path, rows: Sequence[Row], time_limit_s: float, seed: int) -> None:
    """Append rows to a CSV file, writing the header when the file is new."""
    new = not path.exists() or path.stat().st_size == 0
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        if new:
            writer.writeheader()
        for row in rows:
            parts = dict(row.parts)
            writer.writerow(
                {
                    "date": stamp,
                    "benchmark": row.benchmark,
                    "planner": row.planner,
                    "instance": row.instance,
                    "status": row.status,
                    "vehicles": row.vehicles,
                    "value": row.value,
                    "bks": row.bks,
                    "gap_pct": None if row.gap_pct is None else round(row.gap_pct, 3),
                    "seconds": round(row.seconds, 2),
                    "time_limit_s": time_limit_s,
                    "seed": seed,
                    "dist": parts.get("dist"),
                    "tard": parts.get("tard"),
                    "tmax": parts.get("tmax"),
                    "problems": " | ".join(row.problems[:5]),
                }
            )
