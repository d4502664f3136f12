"""Mankowska et al. (2014) home health care instances with interdependent services (HHCRSP).

The file is whitespace text: a keyword (`nbNodes`, `r`, `d`, ...) followed by its numbers; see
the benchmarks README. Node 0 and node N-1 are the depot, patients are 1..N-2, and the `DS` line
lists double-service patients 1-based. Everything else here is 0-based, as in the file's
matrices. A double-service patient's lower-numbered service is the first: the other starts
within [mind, maxd] after it (0/0: both at the same moment). `l` is soft: starting after it is
tardiness. The objective is (distance + total tardiness + maximum tardiness) / 3, in the
instance's own real units.

The Mankowska model (constraint 8 applies to every service pair of a caregiver's consecutive
stops) rules out one caregiver doing both services of a patient, so the checker does too.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from solver.problem import Dependency, Problem, Staff, Visit, Weights
from solver.result import Result

SCALE = 100
"""The solver works in hundredths of the instance's time unit. Travel is rounded *up*
(ceil(100 d)) so a plan that is feasible for the solver stays feasible with the real distances;
durations, windows and lags are integers in every instance, so they scale exactly."""

WEIGHTS = Weights(
    travel_per_s=1,
    tardiness_per_s=1,
    max_tardiness_per_s=1,
    unassigned=(10**10,) * 4,
    overqualification_per_level=0,
    outside_home_municipality=0,
    workload_per_s=0,
    new_staff_per_visit=0,
)
"""The instance's objective, dist + sum of tardiness + max tardiness (all in hundredths; the
division by 3 changes no comparison); every service must be planned. Home care's other soft
terms are not in it."""

TOLERANCE = 1e-6
"""Slack for comparing real-valued times (sums of floats)."""

_KEYWORDS = ("nbNodes", "nbVehi", "nbServi", "r", "DS", "a", "x", "y", "d", "p")
_KEYWORDS_TAIL = ("mind", "maxd", "e", "l")


@dataclass(frozen=True)
class HhcInstance:
    """An HHCRSP instance in its own units; `duration[i][s]` is the same for every caregiver."""

    name: str
    n_nodes: int
    n_vehicles: int
    n_services: int
    required: tuple[tuple[int, ...], ...]
    """Per node, the services it needs, ascending (empty for the depot)."""
    qualified: tuple[frozenset[int], ...]
    """Per caregiver, the services they may do."""
    dist: tuple[tuple[float, ...], ...]
    duration: tuple[tuple[float, ...], ...]
    min_lag: tuple[float, ...]
    max_lag: tuple[float, ...]
    earliest: tuple[float, ...]
    latest: tuple[float, ...]

    @property
    def patients(self) -> range:
        return range(1, self.n_nodes - 1)

    @property
    def end_depot(self) -> int:
        return self.n_nodes - 1

    def is_double(self, node: int) -> bool:
        return len(self.required[node]) == 2

    def is_synchronised(self, node: int) -> bool:
        return self.is_double(node) and self.min_lag[node] == 0 and self.max_lag[node] == 0

    def tasks(self) -> list[tuple[int, int]]:
        """Every required (patient, service) pair."""
        return [(i, s) for i in self.patients for s in self.required[i]]


class HhcStop(NamedTuple):
    node: int
    service: int
    start: float


@dataclass(frozen=True)
class HhcRoute:
    vehicle: int
    stops: tuple[HhcStop, ...]


@dataclass(frozen=True)
class HhcPlan:
    routes: tuple[HhcRoute, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "routes": [
                {
                    "vehicle": r.vehicle,
                    "stops": [
                        {"node": s.node, "service": s.service, "start": s.start} for s in r.stops
                    ],
                }
                for r in self.routes
            ]
        }


def plan_from_json(data: Mapping[str, object]) -> HhcPlan:
    """The inverse of `HhcPlan.to_json`."""
    routes = data["routes"]
    if not isinstance(routes, list):
        raise ValueError("routes must be a list")
    return HhcPlan(
        tuple(
            HhcRoute(
                vehicle=int(r["vehicle"]),
                stops=tuple(
                    HhcStop(int(s["node"]), int(s["service"]), float(s["start"]))
                    for s in r["stops"]
                ),
            )
            for r in routes
        )
    )


class HhcCost(NamedTuple):
    cost: float
    dist: float
    tard: float
    tmax: float


def instance_name(path: Path) -> str:
    """The file name without `.gz` and `.txt`."""
    name = path.name.removesuffix(".gz")
    return name.removesuffix(".txt")


def read_instance(path: Path) -> HhcInstance:
    """Parse a Mankowska instance, plain or gzip-compressed."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt") as f:
            text = f.read()
    else:
        text = path.read_text()
    values: dict[str, list[float]] = {}
    current: str | None = None
    for token in text.split():
        if token[0].isalpha():
            current = token
            values[current] = []
        elif current is None:
            raise ValueError(f"{path.name}: numbers before the first keyword")
        else:
            values[current].append(float(token))
    missing = [k for k in (*_KEYWORDS, *_KEYWORDS_TAIL) if k not in values]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    n, v, s = (int(values[k][0]) for k in ("nbNodes", "nbVehi", "nbServi"))
    _expect_length(path, values, {"r": n * s, "a": v * s, "d": n * n, "p": n * v * s})
    _expect_length(path, values, dict.fromkeys(("x", "y", *_KEYWORDS_TAIL), n))

    r = _matrix(values["r"], s)
    required = tuple(tuple(k for k in range(s) if r[i][k] == 1) for i in range(n))
    required = ((), *required[1 : n - 1], ())
    double = {int(i) - 1 for i in values["DS"]}
    for i in range(1, n - 1):
        count = len(required[i])
        if count not in (1, 2) or (count == 2) != (i in double):
            raise ValueError(f"{path.name}: node {i} needs {count} services; DS disagrees")
    p = values["p"]
    duration: list[tuple[float, ...]] = []
    for i in range(n):
        rows = [p[(i * v + k) * s : (i * v + k + 1) * s] for k in range(v)]
        if any(row != rows[0] for row in rows):
            raise ValueError(f"{path.name}: node {i} has durations that differ by caregiver")
        duration.append(tuple(rows[0]))
    for i in range(1, n - 1):
        if len({duration[i][k] for k in required[i]}) > 1:
            raise ValueError(f"{path.name}: node {i}'s two services differ in duration")
    return HhcInstance(
        name=instance_name(path),
        n_nodes=n,
        n_vehicles=v,
        n_services=s,
        required=required,
        qualified=tuple(
            frozenset(k for k in range(s) if row[k] == 1) for row in _matrix(values["a"], s)
        ),
        dist=tuple(tuple(row) for row in _matrix(values["d"], n)),
        duration=tuple(duration),
        min_lag=tuple(values["mind"]),
        max_lag=tuple(values["maxd"]),
        earliest=tuple(values["e"]),
        latest=tuple(values["l"]),
    )


def _expect_length(path: Path, values: Mapping[str, list[float]], sizes: Mapping[str, int]) -> None:
    for key, size in sizes.items():
        if len(values[key]) != size:
            raise ValueError(f"{path.name}: {key} has {len(values[key])} numbers, expected {size}")


def _matrix(flat: list[float], width: int) -> list[list[float]]:
    return [flat[k : k + width] for k in range(0, len(flat), width)]


# --- plans: evaluate, check, time ---------------------------------------------------------------


def evaluate_hhcrsp(instance: HhcInstance, plan: HhcPlan) -> HhcCost:
    """(distance + total tardiness + max tardiness) / 3 and its parts; tardiness per service."""
    dist = 0.0
    lateness: list[float] = []
    for route in plan.routes:
        nodes = [0, *(s.node for s in route.stops), instance.end_depot]
        if route.stops:
            dist += sum(instance.dist[a][b] for a, b in itertools.pairwise(nodes))
        lateness.extend(max(0.0, s.start - instance.latest[s.node]) for s in route.stops)
    tard = sum(lateness)
    tmax = max(lateness, default=0.0)
    return HhcCost(cost=(dist + tard + tmax) / 3, dist=dist, tard=tard, tmax=tmax)


def check_hhcrsp(instance: HhcInstance, plan: HhcPlan) -> list[str]:
    """Everything wrong with `plan`; empty means feasible.

    Rules: every required service exactly once, by a qualified caregiver, each caregiver at most
    one route; start >= e; on a route, each start is no earlier than the previous start plus
    its duration plus the travel (the first from the depot at time 0); a double-service patient
    is served by two different caregivers, the second service starting [mind, maxd] after the
    first (at the same moment for 0/0).
    """
    problems: list[str] = []
    vehicles = [r.vehicle for r in plan.routes]
    for v in sorted(set(vehicles)):
        if not 0 <= v < instance.n_vehicles:
            problems.append(f"vehicle {v} does not exist")
        elif vehicles.count(v) > 1:
            problems.append(f"vehicle {v} has {vehicles.count(v)} routes")
    done: dict[tuple[int, int], tuple[int, float]] = {}
    for route in plan.routes:
        for stop in route.stops:
            task = (stop.node, stop.service)
            if (
                stop.node not in instance.patients
                or stop.service not in instance.required[stop.node]
            ):
                problems.append(
                    f"vehicle {route.vehicle}: node {stop.node} needs no service {stop.service}"
                )
                continue
            if task in done:
                problems.append(f"node {stop.node} service {stop.service} is done twice")
            done[task] = (route.vehicle, stop.start)
            qualified = (
                instance.qualified[route.vehicle]
                if 0 <= route.vehicle < instance.n_vehicles
                else frozenset()
            )
            if stop.service not in qualified:
                problems.append(
                    f"vehicle {route.vehicle} is not qualified for service {stop.service}"
                )
            if stop.start < instance.earliest[stop.node] - TOLERANCE:
                problems.append(f"node {stop.node} service {stop.service} starts before e")
        problems.extend(_travel_problems(instance, route))
    missing = [t for t in instance.tasks() if t not in done]
    if missing:
        problems.append(f"{len(missing)} services not done, e.g. (node, service) {missing[:5]}")
    for i in instance.patients:
        if instance.is_double(i) and all((i, s) in done for s in instance.required[i]):
            first, second = (done[(i, s)] for s in instance.required[i])
            problems.extend(_lag_problems(instance, i, first, second))
    return problems


def _travel_problems(instance: HhcInstance, route: HhcRoute) -> list[str]:
    problems: list[str] = []
    ready, here = 0.0, 0
    for stop in route.stops:
        arrival = ready + instance.dist[here][stop.node]
        if stop.start < arrival - TOLERANCE:
            problems.append(
                f"vehicle {route.vehicle}: node {stop.node} starts at {stop.start:g}, "
                f"before it can arrive at {arrival:g}"
            )
        ready, here = stop.start + instance.duration[stop.node][stop.service], stop.node
    return problems


def _lag_problems(
    instance: HhcInstance, node: int, first: tuple[int, float], second: tuple[int, float]
) -> list[str]:
    problems: list[str] = []
    if first[0] == second[0]:
        problems.append(f"node {node}: both services by vehicle {first[0]}")
    lag = second[1] - first[1]
    low, high = instance.min_lag[node], instance.max_lag[node]
    if not low - TOLERANCE <= lag <= high + TOLERANCE:
        problems.append(
            f"node {node}: second service starts {lag:g} after the first, "
            f"outside [{low:g}, {high:g}]"
        )
    return problems


def earliest_schedule(
    instance: HhcInstance, sequences: Mapping[int, Sequence[tuple[int, int]]]
) -> HhcPlan | None:
    """The earliest start times for the given (vehicle -> [(node, service), ...]) sequences, or
    None when the lags cannot all be met.

    Every rule on start times is a difference constraint (start_b >= start_a + c), so the least
    solution exists whenever any does and is the longest-path fixed point; it minimises every
    start, hence both total and maximum tardiness, for these sequences. Found by relaxing the
    constraints until nothing moves (Bellman-Ford: more rounds than stops means a positive
    cycle, i.e. lags that contradict the routes).
    """
    start: dict[tuple[int, int], float] = {}
    edges: list[tuple[tuple[int, int] | None, tuple[int, int], float]] = []
    for stops in sequences.values():
        previous: tuple[int, int] | None = None
        for node, service in stops:
            task = (node, service)
            start[task] = instance.earliest[node]
            if previous is None:
                edges.append((None, task, instance.dist[0][node]))
            else:
                edges.append(
                    (
                        previous,
                        task,
                        instance.duration[previous[0]][previous[1]]
                        + instance.dist[previous[0]][node],
                    )
                )
            previous = task
    for i in instance.patients:
        if instance.is_double(i):
            a, b = ((i, s) for s in instance.required[i])
            if a in start and b in start:
                edges.append((a, b, instance.min_lag[i]))
                edges.append((b, a, -instance.max_lag[i]))
    for _ in range(len(start) + 1):
        moved = False
        for source, target, gap in edges:
            bound = gap if source is None else start[source] + gap
            if bound > start[target] + 1e-9:
                start[target] = bound
                moved = True
        if not moved:
            routes = tuple(
                HhcRoute(vehicle=v, stops=tuple(HhcStop(n, s, start[(n, s)]) for n, s in stops))
                for v, stops in sorted(sequences.items())
            )
            return HhcPlan(routes=routes)
    return None


# --- published solutions and results ------------------------------------------------------------


@dataclass(frozen=True)
class BrkgaSolution:
    """A `brkga_best_solutions/solution-N-I-S.txt` file: its header and routes (no times)."""

    cost: float
    dist: float
    tard: float
    tmax: float
    sequences: dict[int, list[tuple[int, int]]]


def read_brkga_solution(path: Path) -> BrkgaSolution:
    """Header `# Cost = .. Dist = .. Tard = .. TMax = ..`, then per route `<vehicle> <length>`
    and that many `<origin> <dest> <vehicle> <service>` arcs, from depot 0 back to 0."""
    header: dict[str, float] = {}
    numbers: list[int] = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            words = line.lstrip("#").replace("=", " ").split()
            for key, value in itertools.pairwise(words):
                if key in ("Cost", "Dist", "Tard", "TMax"):
                    header[key] = float(value)
        else:
            numbers.extend(int(w) for w in line.split())
    sequences: dict[int, list[tuple[int, int]]] = {}
    k = 0
    while k < len(numbers):
        vehicle, length = numbers[k], numbers[k + 1]
        arcs = [numbers[k + 2 + 4 * j : k + 6 + 4 * j] for j in range(length)]
        k += 2 + 4 * length
        node = 0
        stops: list[tuple[int, int]] = []
        for origin, dest, arc_vehicle, service in arcs:
            if origin != node or arc_vehicle != vehicle:
                raise ValueError(f"{path.name}: route of vehicle {vehicle} is not a path")
            if dest != 0:
                stops.append((dest, service))
            node = dest
        sequences[vehicle] = stops
    return BrkgaSolution(
        cost=header["Cost"],
        dist=header["Dist"],
        tard=header["Tard"],
        tmax=header["TMax"],
        sequences=sequences,
    )


def read_brkga_table(path: Path) -> dict[str, float]:
    """`brkga_gecco2020_best.csv`: instance name (no `.txt`) -> best cost."""
    with path.open(newline="") as f:
        return {
            instance_name(Path(row["instance_file"])): float(row["best_cost"])
            for row in csv.DictReader(f)
        }


def best_known(path: Path) -> float | None:
    """The BRKGA best cost for the instance at `path`, from the table in its folder."""
    table = path.parent / "brkga_gecco2020_best.csv"
    if not table.exists():
        return None
    return read_brkga_table(table).get(instance_name(path))


# --- to and from the solver ---------------------------------------------------------------------


def visit_id(node: int, services: Iterable[int]) -> str:
    return f"n{node}s" + "+".join(str(s) for s in services)


def services_of(visit_id: str) -> tuple[int, tuple[int, ...]]:
    """(node, services by part) of a visit made by `to_problem`."""
    node, _, services = visit_id.removeprefix("n").partition("s")
    return int(node), tuple(int(s) for s in services.split("+"))


def staff_id(vehicle: int) -> str:
    return f"v{vehicle}"


def horizon(instance: HhcInstance) -> float:
    """An upper bound on every start and return in an earliest schedule: a longest path through
    the difference constraints visits each stop once, each step at most max duration + max
    travel + max lag."""
    n_tasks = len(instance.tasks())
    step = max(max(row) for row in instance.duration) + max(max(row) for row in instance.dist)
    step += max(instance.min_lag)
    return max(instance.earliest) + (n_tasks + 1) * step


def to_problem(instance: HhcInstance) -> Problem:
    """The instance as a solver problem, in hundredths (see SCALE).

    A caregiver is a staff member with skills `s<k>` from `a`, shift [0, horizon] from depot 0 to
    depot N-1. A single service is a visit needing its skill. A synchronised double service is
    one joint visit of two staff, part i needing the i-th service's skill. Any other double
    service is two visits and a dependency (the second starts [mind, maxd] after the first, by
    a different caregiver, as the model's constraint (8) implies).
    Every visit starts no earlier than e, softly by l (tardiness), and hard by the horizon.
    """
    end = math.ceil(SCALE * horizon(instance))
    staff = tuple(
        Staff(
            id=staff_id(v),
            shift_start_s=0,
            shift_end_s=end,
            start_location=0,
            end_location=instance.end_depot,
            skills=frozenset(_skill(s) for s in instance.qualified[v]),
        )
        for v in range(instance.n_vehicles)
    )
    visits: list[Visit] = []
    dependencies: list[Dependency] = []
    for i in instance.patients:
        services = instance.required[i]
        if instance.is_synchronised(i):
            parts = tuple(frozenset({_skill(s)}) for s in services)
            visits.append(_visit(instance, i, services, end, staff_count=2, part_skills=parts))
            continue
        for s in services:
            visits.append(_visit(instance, i, (s,), end, skills=frozenset({_skill(s)})))
        if instance.is_double(i):
            dependencies.append(
                Dependency(
                    before=visit_id(i, services[:1]),
                    after=visit_id(i, services[1:]),
                    min_lag_s=_scaled(instance.min_lag[i]),
                    max_lag_s=_scaled(instance.max_lag[i]),
                    staff="different",
                )
            )
    travel = tuple(tuple(math.ceil(SCALE * d - 1e-6) for d in row) for row in instance.dist)
    return Problem(
        staff=staff, visits=tuple(visits), travel_s=travel, dependencies=tuple(dependencies)
    )


def _visit(
    instance: HhcInstance,
    node: int,
    services: tuple[int, ...],
    end: int,
    *,
    skills: frozenset[str] = frozenset(),
    staff_count: int = 1,
    part_skills: tuple[frozenset[str], ...] = (),
) -> Visit:
    return Visit(
        id=visit_id(node, services),
        location=node,
        duration_s=_scaled(instance.duration[node][services[0]]),
        earliest_start_s=_scaled(instance.earliest[node]),
        latest_start_s=end,
        skills=skills,
        staff_count=staff_count,
        part_skills=part_skills,
        soft_latest_start_s=_scaled(instance.latest[node]),
    )


def _skill(service: int) -> str:
    return f"s{service}"


def _scaled(value: float) -> int:
    scaled = SCALE * value
    if abs(scaled - round(scaled)) > 1e-6:
        raise ValueError(f"{value} is not a multiple of 1/{SCALE}")
    return round(scaled)


def from_result(result: Result) -> HhcPlan:
    """The solver's plan in instance terms: each stop's node, service (by part) and start."""
    routes: list[HhcRoute] = []
    for route in result.routes:
        stops: list[HhcStop] = []
        for stop in route.stops:
            node, services = services_of(stop.visit_id)
            stops.append(
                HhcStop(node=node, service=services[stop.part], start=stop.start_s / SCALE)
            )
        routes.append(HhcRoute(vehicle=int(route.staff_id.removeprefix("v")), stops=tuple(stops)))
    return HhcPlan(routes=tuple(routes))
