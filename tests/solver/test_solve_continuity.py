"""Continuity over the days as an objective: a visit part by someone the patient has not seen
costs `new_staff_per_visit`, in the insertion, the search and the breakdown alike."""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import Staff, Weights, validate
from tests.solver.solver_builders import (
    FAST,
    make_problem,
    make_staff,
    make_visit,
    solve_valid,
    staff_of,
)

WITH_CONTINUITY = replace(FAST, weights=Weights(new_staff_per_visit=900))


def twins() -> tuple[Staff, Staff]:
    """Two staff alike in every way but their name: the cost cannot tell them apart."""
    return (make_staff(id="anna"), make_staff(id="bente"))


def test_the_staff_member_the_patient_has_seen_gets_the_visit() -> None:
    """Whichever of two identical staff members the patient has seen gets the visit, by
    insertion and search alike, and the plan passes the validator; the breakdown counts no new
    face, and the KPIs one part by a seen one."""
    for seen in ("anna", "bente"):
        visit = make_visit(seen_staff=frozenset({seen}))
        result = solve_valid(make_problem(staff=twins(), visits=(visit,)), WITH_CONTINUITY)
        assert staff_of(result, "v1") == [seen]
        assert result.breakdown["new_staff"] == 0
        assert result.kpis["parts_by_seen_staff"] == 1
        assert result.kpis["parts_by_new_staff"] == 0


def test_a_new_face_costs_the_weight_per_part_in_the_breakdown() -> None:
    """Pinned to the unseen staff member, the visit costs the weight once; a joint visit of
    two with one seen costs it once; a patient with no history costs nothing."""
    seen_anna = make_visit(seen_staff=frozenset({"anna"}), pinned_staff=("bente",))
    result = solve_valid(make_problem(staff=twins(), visits=(seen_anna,)), WITH_CONTINUITY)
    assert result.breakdown["new_staff"] == 900
    assert result.kpis["parts_by_new_staff"] == 1
    assert result.objective == sum(result.breakdown.values())

    joint = make_visit(seen_staff=frozenset({"anna"}), staff_count=2)
    result = solve_valid(make_problem(staff=twins(), visits=(joint,)), WITH_CONTINUITY)
    assert result.breakdown["new_staff"] == 900
    assert (result.kpis["parts_by_seen_staff"], result.kpis["parts_by_new_staff"]) == (1, 1)

    result = solve_valid(make_problem(staff=twins(), visits=(make_visit(),)), WITH_CONTINUITY)
    assert result.breakdown["new_staff"] == 0
    assert result.kpis["parts_by_new_staff"] == result.kpis["parts_by_seen_staff"] == 0


def test_continuity_gives_way_to_a_long_detour() -> None:
    """The seen nurse starts 5 locations away (50 min each way) and the unseen one at the
    patient's door: at 900 a new face is cheaper than 6 000 s of driving, so the unseen one
    goes; at weight 0 too. The validator checks both plans."""
    staff = (make_staff(id="far", start_location=5, end_location=5), make_staff(id="near"))
    visit = make_visit(location=0, seen_staff=frozenset({"far"}))
    for params in (WITH_CONTINUITY, FAST):
        problem = make_problem(staff=staff, visits=(visit,))
        result = solve_valid(problem, params)
        assert staff_of(result, "v1") == ["near"]
        assert not validate(problem, result)


def test_weights_refuse_a_negative_new_staff_cost() -> None:
    """Weights check themselves like the others."""
    with pytest.raises(ValueError, match="new_staff_per_visit"):
        Weights(new_staff_per_visit=-1)
