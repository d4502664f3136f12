"""VRPLIB VRPTW reading, the DIMACS convention and the instance checker, proven on the shipped
best-known solutions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ambulant.bench import vrplib
from tests.bench.data import GH, SOLOMON, solomon

SOLOMON_FILES = sorted(SOLOMON.glob("*.vrp"))
GH_FILES = sorted(GH.glob("GH*/*.vrp"))


def _bks(path: Path) -> tuple[vrplib.VrptwInstance, vrplib.VrptwSolution]:
    return vrplib.read_instance(path), vrplib.read_solution(path.with_suffix(".sol"))


def test_every_shipped_instance_parses() -> None:
    """All 40 Solomon and 54 Gehring-Homberger files parse with their fleet and size."""
    assert len(SOLOMON_FILES) == 40
    assert len(GH_FILES) == 54
    for path in SOLOMON_FILES:
        instance = vrplib.read_instance(path)
        assert (instance.n_customers, instance.vehicles, instance.name) == (100, 25, path.stem)
    for path in GH_FILES:
        instance = vrplib.read_instance(path)
        size = 200 if "_2_" in path.stem else 400
        assert (instance.n_customers, instance.vehicles) == (size, size // 4)


def test_c101_values_in_tenths() -> None:
    """C101: depot (40, 50) open [0, 1236], service 90, customer 1 at (45, 68) with demand 10,
    window [912, 967]; all times are held in tenths."""
    instance = vrplib.read_instance(solomon("C101"))
    assert instance.coords[0] == (40, 50)
    assert (instance.ready[0], instance.due[0], instance.service[0]) == (0, 12360, 0)
    assert instance.coords[1] == (45, 68)
    assert (instance.demand[1], instance.ready[1], instance.due[1]) == (10, 9120, 9670)
    assert instance.service[1] == 900
    assert instance.capacity == 200


def test_dimacs_travel_truncates_to_tenths() -> None:
    """floor(10 d): d((0,0),(1,1)) = 1.414.. -> 14; (3,4) -> exactly 50; (1,2) = 2.236.. -> 22."""
    travel = vrplib.dimacs_travel([(0, 0), (1, 1), (3, 4), (1, 2)])
    assert travel[0][1] == 14
    assert travel[0][2] == 50
    assert travel[0][3] == 22
    assert travel[2][0] == 50


@pytest.mark.parametrize("path", SOLOMON_FILES, ids=lambda p: p.stem)
def test_solomon_best_known_solution_is_feasible_and_costs_its_cost_line(path: Path) -> None:
    """Each shipped Solomon .sol passes the checker and its DIMACS distance equals `Cost` exactly,
    which proves the parser and the convention."""
    instance, solution = _bks(path)
    assert solution.cost is not None
    assert vrplib.check_vrptw(instance, solution.routes) == []
    assert vrplib.distance(instance, solution.routes) == round(solution.cost * vrplib.SCALE)


def test_gehring_homberger_best_known_solutions_are_feasible_and_exact() -> None:
    """The same holds for all 54 shipped Gehring-Homberger solutions (200 and 400 customers)."""
    for path in GH_FILES:
        instance, solution = _bks(path)
        assert solution.cost is not None
        assert vrplib.check_vrptw(instance, solution.routes) == [], path.stem
        assert vrplib.distance(instance, solution.routes) == round(solution.cost * 10), path.stem


def test_bks_tables_agree_with_the_sol_files() -> None:
    """The BKS CSVs' DIMACS column equals each .sol file's Cost, and best_known finds it."""
    table = vrplib.read_bks_csv(SOLOMON / "solomon_bks.csv") | vrplib.read_bks_csv(
        GH / "gh_bks.csv"
    )
    for path in [*SOLOMON_FILES, *GH_FILES]:
        cost = vrplib.read_solution(path.with_suffix(".sol")).cost
        assert table[path.stem] == cost
        assert vrplib.best_known(path) == cost


def test_written_solution_reads_back() -> None:
    """format_solution writes the CVRPLIB format: the routes and cost read back unchanged."""
    instance, solution = _bks(solomon("R101"))
    text = vrplib.format_solution(
        [[], *solution.routes], vrplib.distance(instance, solution.routes)
    )
    assert text.startswith("Route #1: ")
    assert text.endswith("Cost 1637.7\n")
    again = vrplib.parse_solution(text)
    assert again == solution


# --- the checker's rules, each respected (above, by the BKS) and violated here ------------------


def test_missing_customer_is_reported() -> None:
    """Dropping customer 5 from C101's BKS leaves exactly one customer unserved."""
    instance, solution = _bks(solomon("C101"))
    routes = [[c for c in r if c != 5] for r in solution.routes]
    assert vrplib.check_vrptw(instance, routes) == ["1 customers not served, e.g. [5]"]


def test_customer_served_twice_is_reported() -> None:
    """Appending route 1's last customer to route 2 serves it twice (times may break too)."""
    instance, solution = _bks(solomon("C201"))
    routes = [list(r) for r in solution.routes]
    twice = routes[0][-1]
    routes[1].append(twice)
    problems = vrplib.check_vrptw(instance, routes)
    assert f"customer {twice} is on route 1 and again on route 2" in problems


def test_capacity_is_checked() -> None:
    """The same routes with capacity lowered to one less than the heaviest route's load: exactly
    that route breaks capacity."""
    instance, solution = _bks(solomon("R201"))
    loads = [sum(instance.demand[c] for c in r) for r in solution.routes]
    heaviest = max(loads)
    tight = replace(instance, capacity=heaviest - 1)
    problems = vrplib.check_vrptw(tight, solution.routes)
    over = [k + 1 for k, load in enumerate(loads) if load == heaviest]
    assert problems == [f"route {k}: load {heaviest} exceeds capacity {heaviest - 1}" for k in over]


def test_late_start_is_reported() -> None:
    """Closing one C101 customer's window 0.1 before its start in the BKS schedule makes exactly
    that customer late by 0.1 (the checker carries on with the late start)."""
    instance, solution = _bks(solomon("C101"))
    route = solution.routes[0]
    customer = route[3]
    start = _starts(instance, route)[3]
    due = list(instance.due)
    due[customer] = start - 1
    problems = vrplib.check_vrptw(replace(instance, due=tuple(due)), solution.routes)
    assert problems == [f"route 1: customer {customer} starts 0.1 after its due time"]


def test_late_return_to_depot_is_reported() -> None:
    """With the depot closing 0.1 before the latest BKS route returns, that route is late."""
    instance, solution = _bks(solomon("RC201"))
    returns = [_return_time(instance, r) for r in solution.routes]
    closing = max(returns) - 1
    early = replace(instance, due=(closing, *instance.due[1:]))
    problems = vrplib.check_vrptw(early, solution.routes)
    late = [k + 1 for k, back in enumerate(returns) if back > closing]
    assert problems == [f"route {k}: returns 0.1 after depot closes" for k in late]


def test_fleet_limit_is_checked() -> None:
    """One route per customer uses 100 vehicles on a fleet of 25."""
    instance = vrplib.read_instance(solomon("C101"))
    routes = [[c] for c in range(1, 101)]
    assert "100 routes exceed the fleet limit of 25" in vrplib.check_vrptw(instance, routes)


def _starts(instance: vrplib.VrptwInstance, route: tuple[int, ...]) -> list[int]:
    starts: list[int] = []
    time, here = 0, 0
    for c in route:
        starts.append(max(time + instance.travel[here][c], instance.ready[c]))
        time, here = starts[-1] + instance.service[c], c
    return starts


def _return_time(instance: vrplib.VrptwInstance, route: tuple[int, ...]) -> int:
    last = route[-1]
    return _starts(instance, route)[-1] + instance.service[last] + instance.travel[last][0]


# --- to the solver ------------------------------------------------------------------------------


def test_to_problem_maps_fleet_capacity_windows_and_demand() -> None:
    """C101 becomes 25 staff with capacity 200 and shift [0, 12360] from/to location 0, and 100
    visits in tenths: customer 1 has demand 10, duration 900, window [9120, 9670]."""
    instance = vrplib.read_instance(solomon("C101"))
    problem = vrplib.to_problem(instance)
    assert len(problem.staff) == 25
    assert {
        (s.capacity, s.shift_start_s, s.shift_end_s, s.start_location, s.end_location)
        for s in problem.staff
    } == {(200, 0, 12360, 0, 0)}
    assert len(problem.visits) == 100
    first = problem.visit(vrplib.visit_id(1))
    assert (first.location, first.demand, first.duration_s) == (1, 10, 900)
    assert (first.earliest_start_s, first.latest_start_s) == (9120, 9670)
    assert problem.travel_s == instance.travel
    assert vrplib.customer_of(first.id) == 1
