"""Organisations a visit needs and days of split shifts, on tiny line-world days.

Line world: the base is location 0, location k is k * 10 minutes' drive away. Unless a test says
otherwise the staff work 08:00-16:00 from the base with the skill "care".
"""

from __future__ import annotations

from solver import OffDuty, Reason, Staff, recommend, solve, validate
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

SPLIT = (OffDuty(11 * HOUR, 15 * HOUR),)


def split_staff(**overrides: object) -> Staff:
    """kari works 07:00-11:00 and 15:00-19:00 (time off at the base in between)."""
    fields: dict[str, object] = {
        "id": "kari",
        "shift_start_s": 7 * HOUR,
        "shift_end_s": 19 * HOUR,
        "off_duty": SPLIT,
    }
    fields.update(overrides)
    return make_staff(**fields)


def test_a_visit_needing_an_organisation_goes_to_its_staff() -> None:
    """Two staff alike but for their organisation: the visit goes to the one it needs."""
    problem = make_problem(
        staff=(
            make_staff(id="ola", organisations=frozenset({"selbu"})),
            make_staff(id="per", organisations=frozenset({"st-olavs-team", "st-olavs"})),
        ),
        visits=(make_visit(id="v1", organisation="st-olavs"),),
    )
    result = solve_valid(problem)
    assert staff_of(result, "v1") == ["per"]


def test_a_joint_visit_takes_each_part_from_its_organisation() -> None:
    """Part 1 from the hospital's team, part 2 from the municipality, at one start."""
    problem = make_problem(
        staff=(
            make_staff(id="nurse-a", organisations=frozenset({"selbu"})),
            make_staff(id="nurse-b", organisations=frozenset({"selbu"})),
            make_staff(id="specialist", organisations=frozenset({"team"})),
        ),
        visits=(make_visit(id="j1", staff_count=2, part_organisations=("team", "selbu")),),
    )
    result = solve_valid(problem)
    first, second = staff_of(result, "j1")
    assert first == "specialist"
    assert second in {"nurse-a", "nurse-b"}


def test_nobody_of_the_organisation_on_shift_is_the_reason() -> None:
    """Skilled staff exist, none of the organisation the visit needs: that is what it says."""
    problem = make_problem(
        staff=(make_staff(id="ola", organisations=frozenset({"selbu"})),),
        visits=(make_visit(id="v1", organisation="st-olavs"),),
    )
    result = solve_valid(problem)
    (item,) = result.unassigned
    assert item.reason == Reason.NO_STAFF_OF_ORGANISATION
    assert item.detail == "no staff of organisation st-olavs on shift"


def test_staff_of_the_organisation_without_the_skills_is_said_so() -> None:
    """The organisation's staff are on shift but lack the skills of the part that needs it."""
    problem = make_problem(
        staff=(
            make_staff(id="kari", organisations=frozenset({"selbu"})),
            make_staff(id="ola", organisations=frozenset({"selbu"})),
            make_staff(id="per", skills=frozenset({"talk"}), organisations=frozenset({"team"})),
        ),
        visits=(make_visit(id="j1", staff_count=2, part_organisations=("team", None)),),
    )
    result = solve_valid(problem)
    (item,) = result.unassigned
    assert item.reason == Reason.NO_STAFF_OF_ORGANISATION
    assert "lack the skills or level for part 1" in item.detail


def test_visits_fall_in_either_shift_and_never_in_the_time_off() -> None:
    """A split day takes a morning and an evening visit; one that only fits the time off stays
    out, as no shift covering its window."""
    problem = make_problem(
        staff=(split_staff(),),
        visits=(
            make_visit(id="morning", earliest_start_s=8 * HOUR, latest_start_s=9 * HOUR),
            make_visit(id="evening", earliest_start_s=16 * HOUR, latest_start_s=17 * HOUR),
            make_visit(id="midday", earliest_start_s=12 * HOUR, latest_start_s=13 * HOUR),
        ),
    )
    result = solve_valid(problem)
    assert {u.visit_id: u.reason for u in result.unassigned} == {
        "midday": Reason.NO_SHIFT_COVERS_WINDOW
    }
    (route,) = result.routes
    (off,) = route.off_duty
    assert (off.start_s, off.end_s) == (11 * HOUR, 15 * HOUR)
    assert off.arrival_s <= off.start_s
    assert start_of(result, "morning") < off.arrival_s
    assert start_of(result, "evening") >= off.end_s
    assert route.working_s == route.return_s - route.departure_s - 4 * HOUR


def test_after_time_off_the_route_leaves_when_the_next_visit_needs_it() -> None:
    """Nobody waits at a door after time off: the next visit is reached just at its start."""
    problem = make_problem(
        staff=(split_staff(),),
        visits=(
            make_visit(
                id="evening", location=2, earliest_start_s=16 * HOUR, latest_start_s=16 * HOUR
            ),
        ),
    )
    result = solve_valid(problem)
    (stop,) = result.routes[0].stops
    assert stop.arrival_s == stop.start_s == 16 * HOUR
    assert stop.travel_s == 20 * MINUTE


def test_a_series_across_the_two_shifts_is_one_person() -> None:
    """A patient's morning and evening visits (one series) go to the one person who works both
    ends of the day, in her two shifts."""
    problem = make_problem(
        staff=(
            split_staff(),
            make_staff(id="ola", shift_start_s=7 * HOUR, shift_end_s=19 * HOUR),
        ),
        visits=(
            make_visit(
                id="am", earliest_start_s=8 * HOUR, latest_start_s=9 * HOUR, series="medication"
            ),
            make_visit(
                id="pm",
                earliest_start_s=17 * HOUR,
                latest_start_s=18 * HOUR,
                series="medication",
                preferred_staff=frozenset({"kari"}),
            ),
        ),
    )
    result = solve_valid(problem)
    assert staff_of(result, "am") == staff_of(result, "pm") == ["kari"]


def test_a_joint_visit_never_has_one_person_twice() -> None:
    """In the evening only kari works: a joint visit then cannot be planned, even though kari
    has two shifts."""
    problem = make_problem(
        staff=(
            split_staff(),
            make_staff(id="ola", shift_start_s=7 * HOUR, shift_end_s=11 * HOUR),
        ),
        visits=(
            make_visit(
                id="j1", staff_count=2, earliest_start_s=16 * HOUR, latest_start_s=17 * HOUR
            ),
        ),
    )
    result = solve_valid(problem)
    assert unassigned_ids(result) == {"j1"}
    assert result.unassigned[0].reason == Reason.NO_SHIFT_COVERS_WINDOW


def test_refusals_and_pins_hold_in_every_shift_of_a_person() -> None:
    """A patient who refuses kari refuses her evening shift too; a visit pinned to her can
    go to either of her shifts."""
    problem = make_problem(
        staff=(split_staff(), make_staff(id="ola", shift_start_s=7 * HOUR, shift_end_s=19 * HOUR)),
        visits=(
            make_visit(
                id="refusing",
                earliest_start_s=16 * HOUR,
                latest_start_s=17 * HOUR,
                refused_staff=frozenset({"kari"}),
                preferred_staff=frozenset({"kari"}),
            ),
            make_visit(
                id="pinned",
                earliest_start_s=16 * HOUR,
                latest_start_s=17 * HOUR,
                pinned_staff=("kari",),
            ),
        ),
    )
    result = solve_valid(problem)
    assert staff_of(result, "refusing") == ["ola"]
    assert staff_of(result, "pinned") == ["kari"]


def test_recommendations_for_a_split_day_never_fall_in_the_time_off() -> None:
    """Options for a new visit with a wide window lie in a shift of the split day."""
    staff = (split_staff(),)
    problem = make_problem(staff=staff, visits=(make_visit(id="v1"),))
    plan = solve(problem, FAST)
    new = make_visit(id="new", earliest_start_s=9 * HOUR, latest_start_s=18 * HOUR)
    (option,) = recommend(problem, plan, new, params=FAST)
    assert option.feasible
    assert not 11 * HOUR - 30 * MINUTE < option.start_s < 15 * HOUR
    (route,) = option.routes
    full = make_problem(staff=staff, visits=(make_visit(id="v1"), new))
    others = tuple(r for r in plan.routes if r.staff_id != route.staff_id)
    assert validate(full, plan.__class__(routes=(*others, route), unassigned=())) == []


def test_recommendations_offer_only_staff_of_the_organisation_a_visit_needs() -> None:
    """Who could take a new visit needing St. Olavs: only its staff, however close the others."""
    problem = make_problem(
        staff=(
            make_staff(id="ola", organisations=frozenset({"selbu"})),
            make_staff(id="per", organisations=frozenset({"st-olavs"}), start_location=5),
        ),
        visits=(make_visit(id="v1"),),
    )
    plan = solve(problem, FAST)
    new = make_visit(id="new", location=1, organisation="st-olavs")
    options = recommend(problem, plan, new, params=FAST)
    assert [o.staff_ids for o in options] == [("per",)]
    assert options[0].feasible
