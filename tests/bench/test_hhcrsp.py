"""Mankowska HHCRSP reading, the evaluator and the checker, proven on the BRKGA best solutions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ambulant.bench import hhcrsp
from ambulant.bench.hhcrsp import HhcPlan, HhcRoute, HhcStop
from solver.result import Result, Route, Stop
from tests.bench.data import MANKOWSKA, brkga_pairs, mankowska

INSTANCE_FILES = sorted(MANKOWSKA.glob("Instanz*"))
VEHICLES = {10: 3, 25: 5, 50: 10, 75: 15, 100: 20, 200: 30, 300: 40}


def test_every_shipped_instance_parses() -> None:
    """All 56 files (the 300s gzipped) parse with N-2 patients, the family's fleet, 6 services,
    and every patient needing one or two services."""
    assert len(INSTANCE_FILES) == 56
    for path in INSTANCE_FILES:
        instance = hhcrsp.read_instance(path)
        size = int(instance.name.split("_")[2])
        assert len(instance.patients) == size
        assert instance.n_vehicles == VEHICLES[size]
        assert instance.n_services == 6
        assert all(len(instance.required[i]) in (1, 2) for i in instance.patients)
        assert instance.required[0] == instance.required[instance.end_depot] == ()


def test_small_instance_values() -> None:
    """A1 (10_1), read by hand from the file: DS '11 10 9' are 1-based, so patients 8, 9, 10
    (0-based) need two services; patient 8 needs 4 and 5 together (mind = maxd = 0), patient 9
    needs 0 then 3 within [51, 102]; caregiver 1 does services 4 and 5; d[0][1] = 38.470768."""
    instance = hhcrsp.read_instance(mankowska(10, 1))
    assert instance.name == "InstanzCPLEX_HCSRP_10_1"
    assert [i for i in instance.patients if instance.is_double(i)] == [8, 9, 10]
    assert instance.required[8] == (4, 5)
    assert instance.is_synchronised(8)
    assert instance.required[9] == (0, 3)
    assert (instance.min_lag[9], instance.max_lag[9]) == (51, 102)
    assert not instance.is_synchronised(9)
    assert instance.qualified[1] == frozenset({4, 5})
    assert instance.dist[0][1] == pytest.approx(38.470768)
    assert instance.duration[1][3] == 14
    assert (instance.earliest[1], instance.latest[1]) == (345, 465)


def test_brkga_table_covers_every_instance() -> None:
    """The BRKGA table has a best cost for every shipped instance, found by name (also .gz)."""
    for path in INSTANCE_FILES:
        assert hhcrsp.best_known(path) is not None, path.name
    assert hhcrsp.best_known(mankowska(300, 1)) == 1778.54


@pytest.mark.parametrize(("instance_path", "solution_path"), brkga_pairs(), ids=lambda p: p.stem)
def test_brkga_best_solution_reproduces_its_header(
    instance_path: Path, solution_path: Path
) -> None:
    """A BRKGA best solution, timed as early as its routes allow, passes the checker and costs
    what its header says (to the header's six significant digits)."""
    instance = hhcrsp.read_instance(instance_path)
    solution = hhcrsp.read_brkga_solution(solution_path)
    plan = hhcrsp.earliest_schedule(instance, solution.sequences)
    assert plan is not None
    assert hhcrsp.check_hhcrsp(instance, plan) == []
    cost = hhcrsp.evaluate_hhcrsp(instance, plan)
    assert cost.cost == pytest.approx(solution.cost, rel=1e-5, abs=1e-3)
    assert cost.dist == pytest.approx(solution.dist, rel=1e-5, abs=1e-3)
    assert cost.tard == pytest.approx(solution.tard, rel=1e-5, abs=1e-3)
    assert cost.tmax == pytest.approx(solution.tmax, rel=1e-5, abs=1e-3)


# --- a tiny instance for the rules: depot 0 / 3 at (0, 0), patient 1 at (3, 4), patient 2 at
# (6, 8) needing services 0 and 1 ------------------------------------------------------------


def tiny(min_lag: float = 0, max_lag: float = 0) -> hhcrsp.HhcInstance:
    """Distances 5 (depot-1, 1-2) and 10 (depot-2); durations 10; windows e = 0, l = 20."""
    points = [(0, 0), (3, 4), (6, 8), (0, 0)]
    dist = tuple(
        tuple(float(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5) for bx, by in points)
        for ax, ay in points
    )
    return hhcrsp.HhcInstance(
        name="tiny",
        n_nodes=4,
        n_vehicles=2,
        n_services=2,
        required=((), (0,), (0, 1), ()),
        qualified=(frozenset({0}), frozenset({0, 1})),
        dist=dist,
        duration=((0, 0), (10, 10), (10, 10), (0, 0)),
        min_lag=(0, 0, min_lag, 0),
        max_lag=(0, 0, max_lag, 0),
        earliest=(0, 0, 0, 0),
        latest=(600, 20, 20, 600),
    )


def plan_of(*routes: tuple[int, list[tuple[int, int, float]]]) -> HhcPlan:
    return HhcPlan(tuple(HhcRoute(v, tuple(HhcStop(*s) for s in stops)) for v, stops in routes))


def test_evaluate_counts_distance_and_tardiness_per_service() -> None:
    """Vehicle 0: depot -> 1 (start 5) -> 2 (start 20) -> depot: 5 + 5 + 10 = 20. Vehicle 1:
    depot -> 2 (start 20) -> depot: 20. Starts 5, 20, 20 against l = 20: no tardiness; with
    patient 2's pair at 30, tardiness 10 + 10 = 20, max 10, cost (40 + 20 + 10) / 3."""
    instance = tiny()
    on_time = plan_of((0, [(1, 0, 5), (2, 0, 20)]), (1, [(2, 1, 20)]))
    assert hhcrsp.evaluate_hhcrsp(instance, on_time) == (40 / 3, 40, 0, 0)
    late = plan_of((0, [(1, 0, 5), (2, 0, 30)]), (1, [(2, 1, 30)]))
    assert hhcrsp.check_hhcrsp(instance, late) == []
    assert hhcrsp.evaluate_hhcrsp(instance, late) == (70 / 3, 40, 20, 10)


def test_earliest_schedule_waits_for_the_partner() -> None:
    """Vehicle 0 reaches 2 at 5 + 10 + 5 = 20; vehicle 1 could start there at 10 but the pair is
    synchronised, so both start at 20."""
    instance = tiny()
    plan = hhcrsp.earliest_schedule(instance, {0: [(1, 0), (2, 0)], 1: [(2, 1)]})
    assert plan == plan_of((0, [(1, 0, 5), (2, 0, 20)]), (1, [(2, 1, 20)]))


def test_earliest_schedule_with_a_lag_and_without_a_way() -> None:
    """With service 1 due [30, 40] after service 0: vehicle 1's start at 10 moves to 20 + 30 =
    50. When one route does service 1 before service 0, the lag contradicts it: no schedule."""
    instance = tiny(min_lag=30, max_lag=40)
    plan = hhcrsp.earliest_schedule(instance, {0: [(1, 0), (2, 0)], 1: [(2, 1)]})
    assert plan == plan_of((0, [(1, 0, 5), (2, 0, 20)]), (1, [(2, 1, 50)]))
    # 2/s1 >= 2/s0 + 30 (lag) and 2/s0 >= 2/s1 + 10 + 5 + 10 + 5 (route): a positive cycle.
    impossible = hhcrsp.earliest_schedule(instance, {1: [(2, 1), (1, 0), (2, 0)]})
    assert impossible is None


def test_checker_accepts_a_feasible_plan() -> None:
    """The earliest plan of the tiny instance breaks no rule."""
    plan = plan_of((0, [(1, 0, 5), (2, 0, 20)]), (1, [(2, 1, 20)]))
    assert hhcrsp.check_hhcrsp(tiny(), plan) == []


def test_checker_rejects_an_unqualified_caregiver() -> None:
    """Caregiver 0 is not qualified for service 1."""
    plan = plan_of((0, [(1, 0, 5), (2, 1, 20)]), (1, [(2, 0, 20)]))
    assert hhcrsp.check_hhcrsp(tiny(), plan) == ["vehicle 0 is not qualified for service 1"]


def test_checker_rejects_a_missing_and_a_repeated_service() -> None:
    """Leaving out patient 1 and doing 2/s0 twice (by caregiver 1 and caregiver 0)."""
    plan = plan_of((0, [(2, 0, 10)]), (1, [(2, 0, 10), (2, 1, 20)]))
    problems = hhcrsp.check_hhcrsp(tiny(), plan)
    assert "node 2 service 0 is done twice" in problems
    assert "1 services not done, e.g. (node, service) [(1, 0)]" in problems


def test_checker_rejects_a_start_before_e_and_before_arrival() -> None:
    """With e = 3 at patient 1, a start at 2 is early; it is also before arrival (5)."""
    instance = replace(tiny(), earliest=(0, 3, 0, 0))
    plan = plan_of((0, [(1, 0, 2), (2, 0, 20)]), (1, [(2, 1, 20)]))
    assert hhcrsp.check_hhcrsp(instance, plan) == [
        "node 1 service 0 starts before e",
        "vehicle 0: node 1 starts at 2, before it can arrive at 5",
    ]


def test_checker_rejects_a_broken_synchronisation() -> None:
    """The two services of patient 2 are synchronised; starting them at 20 and 21 is not."""
    plan = plan_of((0, [(1, 0, 5), (2, 0, 20)]), (1, [(2, 1, 21)]))
    assert hhcrsp.check_hhcrsp(tiny(), plan) == [
        "node 2: second service starts 1 after the first, outside [0, 0]"
    ]


def test_checker_rejects_a_lag_out_of_range() -> None:
    """Lag [30, 40]: the second service 29 after the first is too early, 41 too late."""
    instance = tiny(min_lag=30, max_lag=40)
    for lag in (29, 41):
        plan = plan_of((0, [(1, 0, 5), (2, 0, 20)]), (1, [(2, 1, 20 + lag)]))
        assert hhcrsp.check_hhcrsp(instance, plan) == [
            f"node 2: second service starts {lag} after the first, outside [30, 40]"
        ]


def test_checker_rejects_one_caregiver_doing_both_services() -> None:
    """Caregiver 1 does both services of patient 2, 30 apart (lag [30, 40] met): not allowed."""
    instance = tiny(min_lag=30, max_lag=40)
    plan = plan_of((0, [(1, 0, 5)]), (1, [(2, 0, 10), (2, 1, 40)]))
    assert hhcrsp.check_hhcrsp(instance, plan) == ["node 2: both services by vehicle 1"]


# --- to and from the solver ---------------------------------------------------------------------


def test_to_problem_maps_services_skills_and_lags() -> None:
    """A1: 7 single-service patients -> 7 visits; patient 8 (4 and 5 together) -> one joint visit
    of 2 with a part per skill; patients 9 and 10 (lags) -> 2 visits each and a dependency with
    lags in hundredths. Travel is rounded up, windows are e hard and l soft."""
    instance = hhcrsp.read_instance(mankowska(10, 1))
    problem = hhcrsp.to_problem(instance)
    assert len(problem.visits) == 7 + 1 + 2 * 2
    assert [s.skills for s in problem.staff][1] == frozenset({"s4", "s5"})
    joint = problem.visit(hhcrsp.visit_id(8, (4, 5)))
    assert joint.staff_count == 2
    assert joint.part_skills == (frozenset({"s4"}), frozenset({"s5"}))
    assert {(d.before, d.after, d.min_lag_s, d.max_lag_s) for d in problem.dependencies} == {
        ("n9s0", "n9s3", 5100, 10200),
        ("n10s2", "n10s5", 800, 1600),
    }
    single = problem.visit("n1s3")
    assert (single.duration_s, single.earliest_start_s, single.soft_latest_start_s) == (
        1400,
        34500,
        46500,
    )
    assert single.skills == frozenset({"s3"})
    assert single.latest_start_s == problem.staff[0].shift_end_s
    assert problem.travel_s[0][1] == 3848  # ceil(3847.0768)
    assert all(
        problem.travel_s[i][j] >= 100 * instance.dist[i][j] for i in range(12) for j in range(12)
    )


def test_from_result_reads_nodes_services_and_times() -> None:
    """A joint visit's part 1 is its second service; starts go back to the instance's units."""
    result = Result(
        routes=(
            Route("v1", 0, 9000, stops=(Stop("n8s4+5", 1, 1000, 1234, 2634, 1000),)),
            Route("v2", 0, 9000, stops=(Stop("n9s0", 0, 900, 900, 2300, 900),)),
        ),
        unassigned=(),
    )
    assert hhcrsp.from_result(result) == plan_of((1, [(8, 5, 12.34)]), (2, [(9, 0, 9.0)]))


def test_plan_json_shape() -> None:
    """The written JSON is {"routes": [{"vehicle", "stops": [{"node", "service", "start"}]}]}."""
    plan = plan_of((1, [(8, 5, 12.5)]))
    assert plan.to_json() == {
        "routes": [{"vehicle": 1, "stops": [{"node": 8, "service": 5, "start": 12.5}]}]
    }
