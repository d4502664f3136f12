"""Appointments, skill levels, series, dependency rules and weights, from rows to the Problem."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

import solver
from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Appointment, Plan, PlanStatus
from ambulant.planning.plans import request_plan
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.weights import (
    WeightOverrides,
    plan_weights,
    stored_overrides,
    weights_record,
)
from ambulant.timeutil import local
from ambulant.travel import GeodesicTravelTimes
from tests.builders import TinyRegion, add, make_patient, make_region, make_staff, make_visit

SETTINGS = Settings(max_overtime_min=30)


def appointment(
    region: TinyRegion, staff_id: int | None, start: str, end: str, **place: object
) -> Appointment:
    values: dict[str, object] = {"base_id": region.base.id} | place
    return Appointment(
        staff_id=staff_id,
        title="Team meeting",
        start_at=local(region.day, dt.time.fromisoformat(start)),
        end_at=local(region.day, dt.time.fromisoformat(end)),
        date=region.day,
        **values,
    )


def build(session: Session, region: TinyRegion) -> tuple[solver.Problem, list[str]]:
    built = build_problem(
        session, day=region.day, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    return built.problem, built.warnings


def test_appointments_of_working_staff_join_the_problem_and_the_matrix(session: Session) -> None:
    """A meeting at the base and one at a point become the staff member's appointments in day
    seconds; the point is a new place in the matrix. Staff without a shift that day bring none
    (and no warning); one outside the shift, or overlapping another, is left out with a
    warning."""
    region = make_region(session)
    ann = make_staff(session, region)
    bob = make_staff(session, region, shift_start=dt.time(11, 0), shift_end=dt.time(19, 0))
    meeting = add(session, appointment(region, ann.id, "08:00", "08:30"))
    clinic = add(
        session, appointment(region, ann.id, "13:00", "14:00", base_id=None, lat=63.5, lon=10.95)
    )
    early = add(session, appointment(region, bob.id, "08:00", "08:30"))
    clash = add(session, appointment(region, ann.id, "13:30", "13:45"))
    tomorrow = TinyRegion(day=region.day + dt.timedelta(days=1), base=region.base)
    off = make_staff(session, tomorrow)  # works tomorrow, not today
    off_today = add(session, appointment(region, off.id, "08:00", "08:30"))
    session.commit()
    problem, warnings = build(session, region)

    member = problem.staff_member(str(ann.id))
    base = member.start_location
    assert [(a.id, a.start_s, a.end_s) for a in member.appointments] == [
        (str(meeting.id), 8 * 3600, 8 * 3600 + 1800),
        (str(clinic.id), 13 * 3600, 14 * 3600),
    ]
    assert member.appointments[0].location == base
    assert member.appointments[1].location not in (base,)
    assert len(problem.travel_s) == 2  # the base and the clinic: nobody else goes anywhere
    assert problem.staff_member(str(bob.id)).appointments == ()
    assert any(f"appointment {early.id} " in w and "outside the shift" in w for w in warnings)
    assert any(f"appointment {clash.id} " in w and "overlaps" in w for w in warnings)
    assert str(off.id) not in {s.id for s in problem.staff}
    assert not any(f"appointment {off_today.id} " in w for w in warnings)


def test_skill_levels_series_and_dependency_rules_reach_the_solver(session: Session) -> None:
    """Staff and visit levels are carried; series are named per patient, so two patients'
    'medication' series stay apart; a dependency keeps its anchor and staff rule."""
    region = make_region(session)
    nurse = make_staff(session, region, skill_level=2)
    ola, kari = make_patient(session, region), make_patient(session, region)
    morning = make_visit(session, region, ola, series="medication", required_skill_level=1)
    evening = make_visit(
        session,
        region,
        ola,
        series="medication",
        start=dt.time(12, 0),
        end=dt.time(14, 0),
        depends_on_id=morning.id,
        min_lag_minutes=120,
        max_lag_minutes=240,
        dependency_anchor="end",
        dependency_staff="same",
    )
    other = make_visit(session, region, kari, series="medication")
    plain = make_visit(session, region, kari)
    session.commit()
    problem, _ = build(session, region)

    assert problem.staff_member(str(nurse.id)).skill_level == 2
    assert problem.visit(str(morning.id)).skill_level == 1
    assert problem.visit(str(evening.id)).skill_level == 0
    series = {v.id: v.series for v in problem.visits}
    assert series[str(morning.id)] == series[str(evening.id)] is not None
    assert series[str(other.id)] not in (None, series[str(morning.id)])
    assert series[str(plain.id)] is None
    (dependency,) = problem.dependencies
    assert (dependency.before, dependency.after) == (str(morning.id), str(evening.id))
    assert (dependency.min_lag_s, dependency.max_lag_s) == (7200, 14400)
    assert (dependency.anchor, dependency.staff) == ("end", "same")


def test_default_weights_are_the_solvers_and_settings_and_requests_override_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With nothing set the plan's weights are solver.Weights(); AMBULANT_WEIGHT_* change them,
    and a plan request's overrides go on top. A negative or unknown weight is refused."""
    assert plan_weights(Settings()) == solver.Weights()
    monkeypatch.setenv("AMBULANT_WEIGHT_OVERQUALIFICATION_PER_LEVEL", "500")
    monkeypatch.setenv("AMBULANT_WEIGHT_UNASSIGNED", "[9, 8, 7, 6]")
    settings = Settings()
    weights = plan_weights(settings, {"workload_per_s": 2})
    assert weights.overqualification_per_level == 500
    assert weights.unassigned == (9, 8, 7, 6)
    assert weights.workload_per_s == 2
    assert weights.travel_per_s == solver.Weights().travel_per_s
    with pytest.raises(ValidationError):
        WeightOverrides.model_validate({"workload_per_s": -1})
    with pytest.raises(ValidationError):
        WeightOverrides.model_validate({"speed": 3})
    with pytest.raises(ValidationError):
        WeightOverrides.model_validate({"unassigned": [1, 2, 3, -4]})
    monkeypatch.setenv("AMBULANT_WEIGHT_OUTSIDE_HOME_MUNICIPALITY", "-3")
    with pytest.raises(ValidationError):
        Settings()


def test_a_plan_stores_the_weights_it_was_solved_with(engine: Engine) -> None:
    """Weights given with the plan request are used and stored in the plan's parameters, with
    the rest of the weights from the settings."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        make_staff(session, region)
        make_visit(session, region, make_patient(session, region))
        plan = request_plan(
            session,
            day=region.day,
            weights=WeightOverrides(workload_per_s=3, overqualification_per_level=50),
        )
        session.commit()
    assert plan.id is not None
    done = run_job(engine, plan_id=plan.id, settings=Settings(solve_time_limit_s=1))
    assert done.status == PlanStatus.DRAFT, done.error
    with Session(engine) as session:
        stored = session.get(Plan, plan.id)
        assert stored is not None
        weights = stored.parameters["weights"]
    assert weights["workload_per_s"] == 3 and weights["overqualification_per_level"] == 50
    assert weights["travel_per_s"] == solver.Weights().travel_per_s
    assert weights["unassigned"] == list(solver.Weights().unassigned)


def test_a_stored_plan_gives_back_the_weights_it_was_solved_with() -> None:
    """From the full record a solved plan stores, only the weights a plan may override come
    back (the replan's own costs do not), and they rebuild the same weights."""
    settings = Settings()
    solved_with = plan_weights(settings, {"workload_per_s": 2, "unassigned": [9, 8, 7, 6]})
    overrides = stored_overrides({"weights": weights_record(solved_with), "seed": 0})
    assert set(overrides) == set(WeightOverrides.model_fields)
    assert plan_weights(settings, overrides) == solved_with
    assert stored_overrides({}) == {} and stored_overrides(None) == {}
