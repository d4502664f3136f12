"""From stored rows to the solver's problem: seconds, indices and ids mapped faithfully."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

import solver
from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.planning.problem_builder import build_problem
from ambulant.travel import GeodesicTravelTimes
from tests.builders import (
    MERAKER,
    make_patient,
    make_region,
    make_small_day,
    make_staff,
    make_visit,
)

SETTINGS = Settings(max_overtime_min=30)


def test_shifts_breaks_and_windows_become_day_seconds(session: Session) -> None:
    """07:30-15:00 is 27000-54000 s; a visit in 09:00-13:00 lasting 30 min may start until 12:30."""
    region = make_small_day(session)
    built = build_problem(
        session, day=region.day, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    staff = built.problem.staff_member(str(region.staff[0].id))
    assert (staff.shift_start_s, staff.shift_end_s) == (27000, 54000)
    assert staff.breaks == (solver.Break(1800, 39600, 45000),)
    assert staff.max_overtime_s == 1800
    visit = built.problem.visit(str(region.visits[0].id))
    assert (visit.earliest_start_s, visit.latest_start_s) == (32400, 45000)
    assert visit.skills == frozenset({"medication"})
    joint = built.problem.visit(str(region.visits[-1].id))
    assert joint.staff_count == 2


def test_locations_are_shared_and_matrix_matches(session: Session) -> None:
    """Both nurses start at the base (one location); two visits at one home share an index."""
    region = make_small_day(session)
    built = build_problem(
        session, day=region.day, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    starts = {s.start_location for s in built.problem.staff}
    assert len(starts) == 1
    first, joint = (
        built.problem.visit(str(region.visits[0].id)),
        built.problem.visit(str(region.visits[-1].id)),
    )
    assert first.location == joint.location
    assert len(built.points) == 1 + 4
    assert len(built.problem.travel_s) == len(built.points)


def test_scope_limits_staff_and_visits_to_a_municipality(session: Session) -> None:
    """A Meråker plan has only Meråker staff and Meråker patients."""
    region = make_region(session)
    make_staff(session, region)
    make_staff(session, region, municipality_code=MERAKER, name="Meråker nurse")
    make_visit(session, region, make_patient(session, region))
    make_visit(session, region, make_patient(session, region, municipality_code=MERAKER))
    built = build_problem(
        session, day=region.day, scope=MERAKER, travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    assert [s.id for s in built.problem.staff] == [str(region.staff[1].id)]
    assert [v.id for v in built.problem.visits] == [str(region.visits[1].id)]


def test_dependencies_and_patient_preferences_are_carried(session: Session) -> None:
    """depends_on becomes a Dependency; refused and preferred staff come from the patient."""
    region = make_region(session)
    nurse = make_staff(session, region)
    other = make_staff(session, region)
    patient = make_patient(session, region, refused_staff=[other.id], preferred_staff=[nurse.id])
    first = make_visit(session, region, patient)
    follow = make_visit(
        session,
        region,
        patient,
        depends_on_id=first.id,
        min_lag_minutes=120,
        max_lag_minutes=240,
        start=dt.time(11, 0),
        end=dt.time(15, 0),
    )
    built = build_problem(
        session, day=region.day, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    assert built.problem.dependencies == (
        solver.Dependency(str(first.id), str(follow.id), 7200, 14400),
    )
    visit = built.problem.visit(str(first.id))
    assert visit.refused_staff == frozenset({str(other.id)})
    assert visit.preferred_staff == frozenset({str(nurse.id)})


def test_a_day_without_shifts_is_refused_naming_the_date(session: Session) -> None:
    """No shifts means nothing to plan: a clear error on the date field."""
    region = make_small_day(session)
    with pytest.raises(InvalidInput) as error:
        build_problem(
            session,
            day=region.day + dt.timedelta(days=1),
            scope="all",
            travel=GeodesicTravelTimes(),
            settings=SETTINGS,
        )
    assert error.value.field == "date"
