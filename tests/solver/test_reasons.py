"""Each unassigned visit gets the first true reason, in the Reason enum's order."""

from __future__ import annotations

from solver import Dependency, Reason, Result
from tests.solver.solver_builders import (
    HOUR,
    MINUTE,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
)


def reasons(result: Result) -> dict[str, Reason]:
    return {u.visit_id: u.reason for u in result.unassigned}


def test_no_skilled_staff() -> None:
    """Nobody welds: NO_SKILLED_STAFF, and the detail names the skill."""
    result = solve_valid(make_problem(visits=(make_visit(skills=frozenset({"welding"})),)))
    (item,) = result.unassigned
    assert item.reason is Reason.NO_SKILLED_STAFF and "welding" in item.detail


def test_no_skilled_staff_when_a_joint_visit_needs_more_staff_than_have_the_skill() -> None:
    """Two nurses needed, one nurse working: the parts cannot go to different staff."""
    staff = (make_staff(id="nina", skills=frozenset({"care", "nurse"})), make_staff(id="ola"))
    visit = make_visit(staff_count=2, skills=frozenset({"nurse"}))
    assert reasons(solve_valid(make_problem(staff=staff, visits=(visit,)))) == {
        "v1": Reason.NO_SKILLED_STAFF
    }


def test_pinned_staff_not_working() -> None:
    """Pinned to someone without a shift today."""
    visit = make_visit(pinned_staff=("per",))
    result = solve_valid(make_problem(visits=(visit,)))
    (item,) = result.unassigned
    assert item.reason is Reason.PINNED_STAFF_NOT_WORKING and "per" in item.detail


def test_no_allowed_staff() -> None:
    """The only skilled staff member is refused, the other does not cover the municipality."""
    staff = (
        make_staff(id="kari"),
        make_staff(id="ola", municipalities=frozenset({"Nordvik"})),
    )
    visit = make_visit(refused_staff=frozenset({"kari"}), municipality="Sørdal")
    result = solve_valid(make_problem(staff=staff, visits=(visit,)))
    (item,) = result.unassigned
    assert item.reason is Reason.NO_ALLOWED_STAFF
    assert "kari" in item.detail and "Sørdal" in item.detail


def test_no_shift_covers_window() -> None:
    """Fifty minutes' drive from base, window closing ten minutes into the shift."""
    visit = make_visit(location=5, earliest_start_s=8 * HOUR, latest_start_s=8 * HOUR + 10 * MINUTE)
    assert reasons(solve_valid(make_problem(visits=(visit,)))) == {
        "v1": Reason.NO_SHIFT_COVERS_WINDOW
    }


def test_dependency_unplanned() -> None:
    """The follow-up fits, but its first visit needs a skill nobody has."""
    visits = (
        make_visit(id="first", skills=frozenset({"welding"})),
        make_visit(id="then", earliest_start_s=9 * HOUR, latest_start_s=15 * HOUR),
    )
    dep = Dependency("first", "then", min_lag_s=HOUR)
    result = solve_valid(make_problem(visits=visits, dependencies=(dep,)))
    assert reasons(result) == {
        "first": Reason.NO_SKILLED_STAFF,
        "then": Reason.DEPENDENCY_UNPLANNED,
    }


def test_no_room_names_the_closest_staff_member() -> None:
    """Two visits at 10:00 sharp, one staff member: the one left out says whose route is
    closest and by how much (it would start 10 min late after the other and the drive)."""
    visits = (
        make_visit(
            id="a", duration_s=20 * MINUTE, earliest_start_s=10 * HOUR, latest_start_s=10 * HOUR
        ),
        make_visit(
            id="b",
            location=2,
            duration_s=20 * MINUTE,
            earliest_start_s=10 * HOUR,
            latest_start_s=10 * HOUR + 20 * MINUTE,
        ),
    )
    result = solve_valid(make_problem(visits=visits))
    (item,) = result.unassigned
    assert item.reason is Reason.NO_ROOM
    assert item.closest_staff == "kari"
    assert "10 min" in item.detail and "kari" in item.detail
