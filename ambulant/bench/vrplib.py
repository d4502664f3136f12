"""VRPLIB VRPTW instances (Solomon, Gehring-Homberger) under the DIMACS 2021 conventions.

Our own small parser rather than the `vrplib` PyPI package: the format used here is a handful of
`KEY : value` lines and four sections, so forty lines of code cost less than a dependency, and
the one subtle part - the DIMACS rounding - must be ours anyway (`vrplib` returns real-valued
Euclidean distances; rounding them afterwards in floating point risks an off-by-one tenth).

DIMACS 2021 convention, used by the best-known `.sol` files: every distance and time is
multiplied by ten and truncated, d_ij = floor(10 * euclid(i, j)), so the whole model is in
integer tenths and a route's distance equals the `.sol` file's `Cost` times ten exactly.
Travel time equals distance. The fleet limit is `VEHICLES`.

Node numbering: index 0 is the depot (VRPLIB node 1), index k is customer k (VRPLIB node k+1),
which is exactly how the `.sol` files number customers (1..n).
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from solver.problem import Problem, Staff, Visit, Weights

SCALE = 10
"""Distances and times are integer tenths of the instance's units (the DIMACS convention)."""

DEPOT = 0

WEIGHTS = Weights(
    travel_per_s=1,
    unassigned=(10**9,) * 4,
    overqualification_per_level=0,
    outside_home_municipality=0,
    workload_per_s=0,
    new_staff_per_visit=0,
)
"""Distance only (travel time equals distance); leaving a customer out is never worth it."""


@dataclass(frozen=True)
class VrptwInstance:
    """A VRPTW instance in integer tenths: node 0 is the depot, 1..n the customers."""

    name: str
    vehicles: int
    capacity: int
    coords: tuple[tuple[int, int], ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    """Earliest start of service, tenths."""
    due: tuple[int, ...]
    """Latest start of service, tenths; for the depot, the latest return."""
    service: tuple[int, ...]
    """Service duration, tenths (0 at the depot)."""
    travel: tuple[tuple[int, ...], ...]
    """floor(10 * Euclidean distance): both distance and travel time, tenths."""

    @property
    def n_customers(self) -> int:
        return len(self.coords) - 1


@dataclass(frozen=True)
class VrptwSolution:
    """Routes as customer numbers (1..n) and the `Cost` line of a `.sol` file, if any."""

    routes: tuple[tuple[int, ...], ...]
    cost: float | None


def dimacs_travel(coords: Sequence[tuple[int, int]]) -> tuple[tuple[int, ...], ...]:
    """floor(10 * Euclidean distance) for integer coordinates, computed exactly with isqrt."""
    return tuple(
        tuple(math.isqrt(100 * ((xi - xj) ** 2 + (yi - yj) ** 2)) for xj, yj in coords)
        for xi, yi in coords
    )


def read_instance(path: Path) -> VrptwInstance:
    """Parse a VRPLIB CVRPTW file (scalar `SERVICE_TIME` or a `SERVICE_TIME_SECTION`)."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif ":" in line and current is None:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
        elif current is not None:
            sections[current].append(line.split())
        else:
            raise ValueError(f"{path.name}: unexpected line {line!r}")
    try:
        dimension = int(header["DIMENSION"])
        vehicles = int(header["VEHICLES"])
        capacity = int(header["CAPACITY"])
        coord_rows = sections["NODE_COORD_SECTION"]
        demand_rows = sections["DEMAND_SECTION"]
        window_rows = sections["TIME_WINDOW_SECTION"]
    except KeyError as missing:
        raise ValueError(f"{path.name}: missing {missing.args[0]}") from None
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise ValueError(f"{path.name}: EDGE_WEIGHT_TYPE must be EUC_2D")
    depot_rows = sections.get("DEPOT_SECTION", [["1"], ["-1"]])
    if depot_rows[0] != ["1"]:
        raise ValueError(f"{path.name}: the depot must be node 1")

    coords = tuple((int(r[1]), int(r[2])) for r in _by_node(coord_rows, dimension, path))
    demand = tuple(int(r[1]) for r in _by_node(demand_rows, dimension, path))
    windows = _by_node(window_rows, dimension, path)
    ready = tuple(SCALE * int(r[1]) for r in windows)
    due = tuple(SCALE * int(r[2]) for r in windows)
    if "SERVICE_TIME_SECTION" in sections:
        rows = _by_node(sections["SERVICE_TIME_SECTION"], dimension, path)
        service = tuple(SCALE * int(r[1]) for r in rows)
    else:
        scalar = SCALE * int(header.get("SERVICE_TIME", "0"))
        service = (0,) + (scalar,) * (dimension - 1)
    return VrptwInstance(
        name=header.get("NAME", path.stem),
        vehicles=vehicles,
        capacity=capacity,
        coords=coords,
        demand=demand,
        ready=ready,
        due=due,
        service=service,
        travel=dimacs_travel(coords),
    )


def _by_node(rows: list[list[str]], dimension: int, path: Path) -> list[list[str]]:
    """The section's rows in node order, checked to hold nodes 1..dimension once each."""
    ordered = sorted(rows, key=lambda r: int(r[0]))
    if [int(r[0]) for r in ordered] != list(range(1, dimension + 1)):
        raise ValueError(f"{path.name}: a section does not list nodes 1..{dimension} once each")
    return ordered


_ROUTE = re.compile(r"^Route\s*#\s*\d+\s*:(.*)$", re.IGNORECASE)
_COST = re.compile(r"^Cost\s+([-+0-9.eE]+)\s*$", re.IGNORECASE)


def read_solution(path: Path) -> VrptwSolution:
    """Read a CVRPLIB `.sol` file."""
    return parse_solution(path.read_text())


def parse_solution(text: str) -> VrptwSolution:
    """CVRPLIB solution text: `Route #k: c1 c2 ...` lines, then `Cost X`."""
    routes: list[tuple[int, ...]] = []
    cost: float | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if match := _ROUTE.match(line):
            ids = match.group(1).split()
            if not all(c.isdigit() for c in ids):
                raise ValueError(f"solution line {number}: customers must be numbers 1..n")
            routes.append(tuple(int(c) for c in ids))
        elif match := _COST.match(line):
            cost = float(match.group(1))
    return VrptwSolution(routes=tuple(r for r in routes if r), cost=cost)


def format_solution(routes: Sequence[Sequence[int]], cost_tenths: int) -> str:
    """The CVRPLIB `.sol` text for `routes` (customer numbers), empty routes left out."""
    lines = [
        f"Route #{k}: {' '.join(str(c) for c in route)}"
        for k, route in enumerate((r for r in routes if r), start=1)
    ]
    lines.append(f"Cost {format_tenths(cost_tenths)}")
    return "\n".join(lines) + "\n"


def format_tenths(tenths: int) -> str:
    return f"{tenths // SCALE}.{tenths % SCALE}"


def read_bks_csv(path: Path) -> dict[str, float]:
    """`solomon_bks.csv` / `gh_bks.csv`: instance name -> DIMACS distance-only BKS."""
    with path.open(newline="") as f:
        return {row["instance"]: float(row["dimacs_bks_distance"]) for row in csv.DictReader(f)}


def best_known(path: Path) -> float | None:
    """The best-known distance for the instance at `path`: its `.sol` next to it, else a BKS CSV
    in its folder or the folder above."""
    sol = path.with_suffix(".sol")
    if sol.exists():
        cost = read_solution(sol).cost
        if cost is not None:
            return cost
    for folder in (path.parent, path.parent.parent):
        for table in sorted(folder.glob("*_bks.csv")):
            found = read_bks_csv(table).get(path.stem)
            if found is not None:
                return found
    return None


def distance(instance: VrptwInstance, routes: Sequence[Sequence[int]]) -> int:
    """Total distance in tenths: depot -> customers -> depot for every non-empty route."""
    total = 0
    for route in routes:
        if not route:
            continue
        stops = [DEPOT, *route, DEPOT]
        total += sum(instance.travel[a][b] for a, b in itertools.pairwise(stops))
    return total


def check_vrptw(instance: VrptwInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Everything wrong with `routes` (customer numbers) for `instance`; empty means feasible.

    Rules: every customer exactly once; at most `vehicles` non-empty routes; each route's demand
    within capacity; service starts within [ready, due], waiting when early; the vehicle is back
    at the depot by the depot's due time.
    """
    problems: list[str] = []
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        problems.append(f"{len(used)} routes exceed the fleet limit of {instance.vehicles}")
    seen: dict[int, int] = {}
    for k, route in enumerate(used, start=1):
        for c in route:
            if not 1 <= c <= instance.n_customers:
                problems.append(f"route {k}: {c} is not a customer")
            elif c in seen:
                problems.append(f"customer {c} is on route {seen[c]} and again on route {k}")
            else:
                seen[c] = k
    missing = [c for c in range(1, instance.n_customers + 1) if c not in seen]
    if missing:
        problems.append(f"{len(missing)} customers not served, e.g. {missing[:5]}")
    for k, route in enumerate(used, start=1):
        if all(1 <= c <= instance.n_customers for c in route):
            problems.extend(f"route {k}: {p}" for p in _route_problems(instance, route))
    return problems


def _route_problems(instance: VrptwInstance, route: Sequence[int]) -> list[str]:
    problems: list[str] = []
    load = sum(instance.demand[c] for c in route)
    if load > instance.capacity:
        problems.append(f"load {load} exceeds capacity {instance.capacity}")
    time, here = instance.ready[DEPOT], DEPOT
    for c in route:
        start = max(time + instance.travel[here][c], instance.ready[c])
        if start > instance.due[c]:
            late = format_tenths(start - instance.due[c])
            problems.append(f"customer {c} starts {late} after its due time")
        time, here = start + instance.service[c], c
    back = time + instance.travel[here][DEPOT]
    if back > instance.due[DEPOT]:
        problems.append(f"returns {format_tenths(back - instance.due[DEPOT])} after depot closes")
    return problems


def visit_id(customer: int) -> str:
    return f"c{customer}"


def customer_of(visit_id: str) -> int:
    return int(visit_id.removeprefix("c"))


def to_problem(instance: VrptwInstance) -> Problem:
    """The instance as a solver problem, in tenths: one staff member per vehicle of the fleet,
    shift [depot ready, depot due] with the vehicle capacity; one visit per customer with its
    demand, service time as duration and [ready, due] as start window."""
    if any(s <= 0 for s in instance.service[1:]):
        raise ValueError(f"{instance.name}: the solver needs positive service times")
    staff = tuple(
        Staff(
            id=f"vehicle{k}",
            shift_start_s=instance.ready[DEPOT],
            shift_end_s=instance.due[DEPOT],
            start_location=DEPOT,
            end_location=DEPOT,
            capacity=instance.capacity,
        )
        for k in range(instance.vehicles)
    )
    visits = tuple(
        Visit(
            id=visit_id(c),
            location=c,
            duration_s=instance.service[c],
            earliest_start_s=instance.ready[c],
            latest_start_s=instance.due[c],
            demand=instance.demand[c],
        )
        for c in range(1, instance.n_customers + 1)
    )
    return Problem(staff=staff, visits=visits, travel_s=instance.travel)
