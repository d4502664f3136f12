"""Properties over random problems (hypothesis): whatever the staff, shifts (split ones too),
breaks, windows, skills, organisations, joint visits, dependencies and appointments, the
solver's plan passes the independent
validator, every visit is planned or has a reason that is true of the problem, and the validator
names the rule a plan breaks when a valid plan is broken on purpose."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from solver import (
    Appointment,
    Break,
    Dependency,
    OffDuty,
    Parameters,
    Priority,
    Problem,
    Reason,
    Result,
    Staff,
    Stop,
    Unassigned,
    Visit,
    solve,
    validate,
)
from tests.solver.solver_builders import HOUR, MINUTE, N_LOCATIONS, line_travel

SKILLS = ("care", "wound", "insulin")
ORGANISATIONS = ("selbu", "team")
# Few iterations: the property is about validity and truth, not quality.
QUICK = Parameters(time_limit_s=5, seed=0, guided_local_search=False, max_iterations=40)
EXAMPLES = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def staff_members(draw: st.DrawFn, index: int) -> Staff:
    start = draw(st.integers(6, 10)) * HOUR
    length = draw(st.integers(3, 9)) * HOUR
    home = draw(st.integers(0, N_LOCATIONS - 1))
    # A split shift: time off of an hour or two after the first two or three hours.
    off_duty: tuple[OffDuty, ...] = ()
    if length >= 7 * HOUR and draw(st.booleans()):
        off_start = start + draw(st.integers(2, 3)) * HOUR
        off_duty = (OffDuty(off_start, off_start + draw(st.integers(1, 2)) * HOUR),)
    breaks: tuple[Break, ...] = ()
    if length >= 6 * HOUR and draw(st.booleans()):
        if off_duty:
            breaks = (Break(20 * MINUTE, off_duty[0].end_s, start + length),)
        else:
            breaks = (Break(30 * MINUTE, start + 2 * HOUR, start + length - HOUR),)
    appointments: tuple[Appointment, ...] = ()
    if draw(st.booleans()):
        at = start + (HOUR if off_duty else draw(st.integers(1, max(1, length // HOUR - 2))) * HOUR)
        appointments = (Appointment(f"a{index}", at, at + 30 * MINUTE, 0),)
    return Staff(
        id=f"s{index}",
        shift_start_s=start,
        shift_end_s=start + length,
        start_location=home,
        end_location=home,
        skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), min_size=1))),
        breaks=breaks,
        appointments=appointments,
        max_overtime_s=draw(st.sampled_from([0, 30 * MINUTE])),
        organisations=frozenset(draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=1))),
        off_duty=off_duty,
    )


@st.composite
def visits(draw: st.DrawFn, index: int, staff_ids: list[str]) -> Visit:
    earliest = draw(st.integers(7 * 4, 16 * 4)) * 15 * MINUTE
    staff_count = draw(st.sampled_from([1, 1, 1, 2]))
    organisation = draw(st.sampled_from([None, None, None, *ORGANISATIONS]))
    part_organisations: tuple[str | None, ...] = ()
    if staff_count == 2 and organisation is None and draw(st.booleans()):
        part_organisations = ("team", "selbu")
    return Visit(
        id=f"v{index}",
        location=draw(st.integers(1, N_LOCATIONS - 1)),
        duration_s=draw(st.sampled_from([15, 30, 45, 60])) * MINUTE,
        earliest_start_s=earliest,
        latest_start_s=earliest + draw(st.sampled_from([0, 30, 60, 180])) * MINUTE,
        skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
        staff_count=staff_count,
        priority=draw(st.sampled_from(list(Priority))),
        refused_staff=frozenset(draw(st.sets(st.sampled_from(staff_ids), max_size=1))),
        organisation=organisation,
        part_organisations=part_organisations,
    )


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    staff = tuple(draw(staff_members(i)) for i in range(draw(st.integers(1, 4))))
    ids = [s.id for s in staff]
    items = tuple(draw(visits(i, ids)) for i in range(draw(st.integers(1, 10))))
    dependencies: tuple[Dependency, ...] = ()
    singles = [v.id for v in items if v.staff_count == 1]
    if len(singles) >= 2 and draw(st.booleans()):
        before, after = singles[0], singles[1]
        dependencies = (
            Dependency(before, after, min_lag_s=HOUR, staff=draw(st.sampled_from(["any", "same"]))),
        )
    return Problem(staff=staff, visits=items, travel_s=line_travel(), dependencies=dependencies)


def _planned(result: Result) -> set[str]:
    return {stop.visit_id for route in result.routes for stop in route.stops}


@EXAMPLES
@given(problems())
def test_every_plan_is_valid_and_every_visit_is_planned_or_has_a_true_reason(
    problem: Problem,
) -> None:
    result = solve(problem, QUICK)
    assert validate(problem, result) == []
    assert result.status == "ok"
    event(f"{len(_planned(result))} of {len(problem.visits)} planned")
    event("joint visit" if any(v.staff_count == 2 for v in problem.visits) else "no joint visit")
    event("split shift" if any(s.off_duty for s in problem.staff) else "no split shift")
    unassigned = {u.visit_id: u for u in result.unassigned}
    assert _planned(result) | set(unassigned) == {v.id for v in problem.visits}
    assert not _planned(result) & set(unassigned)
    for visit in problem.visits:
        item = unassigned.get(visit.id)
        if item is None:
            continue
        assert isinstance(item.reason, Reason)
        allowed = [
            s
            for s in problem.staff
            if s.id not in visit.refused_staff and visit.organisations_of_part(0) <= s.organisations
        ]
        skilled = [s for s in problem.staff if visit.skills <= s.skills]
        if item.reason == Reason.NO_SKILLED_STAFF:
            assert len(skilled) < visit.staff_count, "said no skilled staff, but there are"
        if item.reason == Reason.NO_STAFF_OF_ORGANISATION:
            needs = [visit.organisations_of_part(p) for p in range(visit.staff_count)]
            assert any(needs), "said no staff of the organisation, but it needs none"
            if visit.staff_count == 1:
                assert not any(needs[0] <= s.organisations for s in skilled)
        if item.reason == Reason.NO_ALLOWED_STAFF:
            assert len(skilled) >= visit.staff_count
            if visit.staff_count == 1:
                assert not [s for s in allowed if visit.skills <= s.skills]
        if item.reason == Reason.NO_SHIFT_COVERS_WINDOW and visit.staff_count == 1:
            for s in skilled:
                if s in allowed:
                    drive = line_travel()[s.start_location][visit.location]
                    back = line_travel()[visit.location][s.end_location]
                    starts = max(visit.earliest_start_s, s.shift_start_s + drive)
                    fits = (
                        starts <= visit.latest_start_s
                        and starts + visit.duration_s + back <= s.shift_end_s + s.max_overtime_s
                    )
                    # Breaks, appointments and time off can only take room away, never give it.
                    assert not fits or s.breaks or s.appointments or s.off_duty, (visit.id, s.id)


@EXAMPLES
@given(problems(), st.data())
def test_the_validator_names_the_rule_a_broken_plan_breaks(
    problem: Problem, data: st.DataObject
) -> None:
    result = solve(problem, QUICK)
    stops = [(r, i) for r, route in enumerate(result.routes) for i in range(len(route.stops))]
    if not stops:
        # Nothing planned: forgetting a visit entirely is still caught.
        dropped = replace(result, unassigned=result.unassigned[1:])
        assert "missing_visit" in {v.rule for v in validate(problem, dropped)}
        return
    r, i = data.draw(st.sampled_from(stops))
    route = result.routes[r]
    stop = route.stops[i]
    visit = problem.visit(stop.visit_id)

    def with_stop(new_stop: Stop) -> Result:
        changed = (*route.stops[:i], new_stop, *route.stops[i + 1 :])
        routes = (*result.routes[:r], replace(route, stops=changed), *result.routes[r + 1 :])
        return replace(result, routes=routes)

    late = visit.latest_start_s + HOUR
    too_late = with_stop(
        replace(stop, start_s=late, end_s=late + visit.duration_s, arrival_s=stop.arrival_s)
    )
    assert "time_window" in {v.rule for v in validate(problem, too_late)}
    short = with_stop(replace(stop, end_s=stop.start_s + visit.duration_s - MINUTE))
    assert "duration" in {v.rule for v in validate(problem, short)}
    twice = replace(result, unassigned=(*result.unassigned, _unassigned(stop.visit_id)))
    assert "assigned_and_unassigned" in {v.rule for v in validate(problem, twice)}
    lost = replace(
        result,
        routes=tuple(
            replace(x, stops=tuple(s for s in x.stops if s.visit_id != stop.visit_id))
            for x in result.routes
        ),
    )
    assert "missing_visit" in {v.rule for v in validate(problem, lost)}


def _unassigned(visit_id: str) -> Unassigned:
    return Unassigned(visit_id=visit_id, reason=Reason.NO_ROOM, detail="")
