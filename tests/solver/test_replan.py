"""Replanning: the cost of moving visits, warm starts from a previous plan, mid-day starts."""

from __future__ import annotations

from dataclasses import replace

from solver import Parameters, Priority, Weights, solve, validate, with_previous_plan
from solver.instances import synthetic_day
from tests.solver.solver_builders import (
    FAST,
    HOUR,
    MINUTE,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
    staff_of,
    start_of,
    unassigned_ids,
)


def test_previous_staff_keeps_the_visit_when_reassigning_costs_more_than_the_detour() -> None:
    """kari had the visit; ola is closer by 60 min of driving (3600), a reassignment costs
    10000: kari keeps it. Free to reassign, ola takes it."""
    staff = (make_staff(id="kari", start_location=5, end_location=5), make_staff(id="ola"))
    visit = make_visit(previous_staff=("kari",))
    sticky = Parameters(**{**FAST.__dict__, "weights": Weights(reassign_per_visit=10_000)})
    kept = solve_valid(make_problem(staff=staff, visits=(visit,)), sticky)
    assert staff_of(kept, "v1") == ["kari"]
    assert kept.breakdown["reassign"] == 0 and kept.kpis["visits_reassigned"] == 0
    loose = Parameters(**{**FAST.__dict__, "weights": Weights(reassign_per_visit=0)})
    assert staff_of(solve_valid(make_problem(staff=staff, visits=(visit,)), loose), "v1") == ["ola"]


def test_a_visit_whose_previous_staff_is_gone_counts_as_reassigned() -> None:
    """per had it and is not working: kari takes it, one reassignment of 3000 (the default)."""
    result = solve_valid(make_problem(visits=(make_visit(previous_staff=("per",)),)))
    assert result.breakdown["reassign"] == 3000
    assert result.kpis["visits_reassigned"] == 1


def test_joint_visit_reassignment_compares_the_set_of_staff() -> None:
    """A joint visit done by kari and ola before, in either part order now, is not reassigned."""
    staff = (make_staff(id="kari"), make_staff(id="ola"))
    visit = make_visit(staff_count=2, previous_staff=("ola", "kari"))
    result = solve_valid(make_problem(staff=staff, visits=(visit,)))
    assert sorted(staff_of(result, "v1")) == ["kari", "ola"]
    assert result.breakdown["reassign"] == 0


def test_replanned_visit_keeps_its_time_within_the_tolerance() -> None:
    """Previously at 13:00 in a 09:00-14:00 window: it starts at 13:00 again, not at 09:00 as a
    fresh plan would."""
    fresh = solve_valid(make_problem())
    assert start_of(fresh, "v1") == 9 * HOUR
    moved = make_visit(previous_start_s=13 * HOUR)
    result = solve_valid(make_problem(visits=(moved,)))
    assert start_of(result, "v1") == 13 * HOUR
    assert result.breakdown["move"] == 0 and result.kpis["visits_moved"] == 0


def test_a_visit_that_must_move_pays_per_second_beyond_the_tolerance() -> None:
    """Previously at 12:00, now it must start by 10:00: 2 h less 15 min = 6300 s at 2 per s."""
    visit = make_visit(latest_start_s=10 * HOUR, previous_start_s=12 * HOUR)
    result = solve_valid(make_problem(visits=(visit,)))
    assert start_of(result, "v1") == 10 * HOUR
    assert result.breakdown["move"] == 6300 * 2
    assert result.kpis["visits_moved"] == 1


def test_warm_start_keeps_the_plan_and_adds_the_new_urgent_visit() -> None:
    """A 40-visit day solved, then replanned from its own plan with one new urgent visit: the
    new visit is planned, what makes room for it (a visit, or a visit and its follow-up) is less
    important in all than it, and at most a tenth of the visits change staff (this 4-staff day
    is full, so the urgent visit's route has to hand some on)."""
    day = synthetic_day(n_visits=40, n_staff=4, seed=3)
    base = solve_valid(day)
    new = make_visit(
        id="urgent",
        location=7,
        earliest_start_s=10 * HOUR,
        latest_start_s=11 * HOUR,
        skills=frozenset({"personal_care"}),
        priority=Priority.URGENT,
        municipality=day.visits[5].municipality,
    )
    replanned = replace(with_previous_plan(day, base), visits=(*day.visits, new))
    replanned = with_previous_plan(replanned, base)
    result = solve(replanned, FAST, initial=base)
    assert validate(replanned, result) == []
    assert "urgent" not in unassigned_ids(result)
    bumped = unassigned_ids(result) - unassigned_ids(base)
    weights = FAST.weights
    assert len(bumped) <= 2
    assert sum(weights.unassigned_penalty(replanned.visit(v).priority) for v in bumped) < (
        weights.unassigned_penalty(Priority.URGENT)
    )
    assert result.kpis["visits_reassigned"] <= 0.1 * len(day.visits)


def test_warm_start_from_a_plan_that_no_longer_fits() -> None:
    """The previous plan gave a1 to per (now off sick) and b1 a start outside its new window;
    it names a visit and a staff member that no longer exist. The replan is valid and plans
    both visits."""
    staff = (make_staff(id="kari"), make_staff(id="ola", start_location=5, end_location=5))
    visits = (make_visit(id="a1"), make_visit(id="b1", location=2, latest_start_s=10 * HOUR))
    problem = make_problem(staff=staff, visits=visits)
    previous = solve_valid(
        make_problem(
            staff=(*staff, make_staff(id="per")),
            visits=(
                make_visit(id="a1", pinned_staff=("per",)),
                make_visit(id="b1", location=2, earliest_start_s=13 * HOUR),
                make_visit(id="gone", location=3),
            ),
        )
    )
    result = solve(problem, FAST, initial=previous)
    assert validate(problem, result) == []
    assert unassigned_ids(result) == set()


def test_staff_can_start_mid_day_away_from_base_and_end_elsewhere() -> None:
    """kari starts at 12:00 at location 3 (where her last visit was) and ends at base 0: she
    drives 10 minutes to the visit at 2, no earlier than 12:00, and 20 minutes home."""
    kari = make_staff(shift_start_s=12 * HOUR, start_location=3, end_location=0)
    visit = make_visit(location=2, earliest_start_s=9 * HOUR, latest_start_s=14 * HOUR)
    result = solve_valid(make_problem(staff=(kari,), visits=(visit,)))
    (route,) = result.routes
    assert route.departure_s >= 12 * HOUR
    assert route.stops[0].travel_s == 10 * MINUTE
    assert route.stops[0].start_s == 12 * HOUR + 10 * MINUTE
    assert route.return_travel_s == 20 * MINUTE


def test_mid_day_start_on_a_synthetic_day_is_valid() -> None:
    """Every staff member of a 40-visit day resumes at 11:00 from a different place than where
    they end: the plan is valid and no route leaves before 11:00."""
    day = synthetic_day(n_visits=40, n_staff=4, seed=5)
    n = len(day.travel_s)
    staff = tuple(
        replace(s, shift_start_s=11 * HOUR, start_location=(7 + 3 * i) % n, breaks=())
        for i, s in enumerate(day.staff)
    )
    problem = replace(day, staff=staff)
    result = solve_valid(problem)
    assert result.routes and all(r.departure_s >= 11 * HOUR for r in result.routes)
