"""Split shifts and organisations from the stored day to the nurse's schedule and the plan detail:
the problem builder, a solved and published day, the per-organisation figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import Organisation, OrganisationKind, Shift, Staff
from ambulant.planning.plans import plan_detail, publish_plan, request_plan
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.timeutil import local
from ambulant.travel import GeodesicTravelTimes
from tests.builders import TinyRegion, add, make_patient, make_region, make_staff, make_visit

HOUR = 3600
SETTINGS = Settings(solve_time_limit_s=2, max_overtime_min=30)


def organisations(session: Session) -> tuple[Organisation, Organisation, Organisation]:
    trust = add(session, Organisation(name="St. Olavs", kind=OrganisationKind.HOSPITAL_TRUST))
    team = add(
        session,
        Organisation(
            name="St. Olavs ambulant team",
            kind=OrganisationKind.SPECIALIST_TEAM,
            parent_id=trust.id,
        ),
    )
    town = add(session, Organisation(name="Stjørdal", kind=OrganisationKind.MUNICIPALITY))
    return trust, team, town


def split_nurse(session: Session, region: TinyRegion, **overrides: object) -> Staff:
    """A nurse working 07:00-11:00 (no break) and 15:00-19:00 (a 20-minute break 16:30-18:00)."""
    nurse = make_staff(
        session, region, shift_start=dt.time(7, 0), shift_end=dt.time(11, 0), **overrides
    )
    first = session.exec(select(Shift).where(Shift.staff_id == nurse.id)).one()
    first.break_minutes = 0
    session.add(first)
    add(
        session,
        Shift(
            staff_id=nurse.id,
            date=region.day,
            start_at=local(region.day, dt.time(15, 0)),
            end_at=local(region.day, dt.time(19, 0)),
            break_minutes=20,
            break_earliest=local(region.day, dt.time(16, 30)),
            break_latest=local(region.day, dt.time(18, 0)),
        ),
    )
    return nurse


def test_the_builder_makes_one_day_with_time_off_and_each_shifts_break(session: Session) -> None:
    """Two shifts of one nurse are one solver staff member from 07:00 to 19:00 with time off
    11:00-15:00 and only the second shift's break; she works for the team and its trust."""
    region = make_region(session)
    trust, team, _ = organisations(session)
    nurse = split_nurse(session, region, organisation_id=team.id)
    patient = make_patient(session, region)
    joint = make_visit(
        session,
        region,
        patient,
        staff_count=2,
        part_organisation_ids=[team.id, None],
    )
    single = make_visit(session, region, patient, organisation_id=trust.id)
    session.commit()
    built = build_problem(
        session, day=region.day, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    member = built.problem.staff_member(str(nurse.id))
    assert (member.shift_start_s, member.shift_end_s) == (7 * HOUR, 19 * HOUR)
    assert [(o.start_s, o.end_s) for o in member.off_duty] == [(11 * HOUR, 15 * HOUR)]
    assert [(b.duration_s, b.earliest_start_s, b.latest_end_s) for b in member.breaks] == [
        (20 * 60, 16 * HOUR + 30 * 60, 18 * HOUR)
    ]
    assert member.organisations == {str(team.id), str(trust.id)}
    assert member.shifts() == ((7 * HOUR, 11 * HOUR), (15 * HOUR, 19 * HOUR))
    assert built.problem.visit(str(joint.id)).part_organisations == (str(team.id), None)
    assert built.problem.visit(str(single.id)).organisation == str(trust.id)
    assert not built.warnings


def test_a_split_day_is_planned_and_shown_as_two_shifts(engine: Engine) -> None:
    """A morning and an evening visit go to the split-shift nurse's two shifts; her published
    schedule has each shift with its own departure, return and break, and no stop in the time
    off."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        nurse = split_nurse(session, region)
        patient = make_patient(session, region)
        morning = make_visit(session, region, patient, start=dt.time(8, 0), end=dt.time(10, 0))
        evening = make_visit(session, region, patient, start=dt.time(16, 0), end=dt.time(18, 0))
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
    assert plan.id is not None and nurse.id is not None
    run_job(engine, plan_id=plan.id, settings=SETTINGS)
    with Session(engine, expire_on_commit=False) as session:
        publish_plan(session, plan_id=plan.id)
        session.commit()
        schedule = staff_schedule(session, staff_id=nurse.id, day=region.day)
        detail = plan_detail(session, plan_id=plan.id)
    assert detail.unassigned == []
    assert [s.number for s in schedule.shifts] == [1, 2]
    first, second = schedule.shifts
    at = lambda h, m=0: local(region.day, dt.time(h, m))  # noqa: E731
    assert first.start_at == at(7) and second.end_at == at(19)
    assert at(7) <= first.departure_at < first.return_at <= at(11)
    assert at(15) <= second.departure_at < second.return_at <= at(19, 30)
    assert first.break_start_at is None
    assert second.break_start_at is not None and second.break_end_at is not None
    assert at(16, 30) <= second.break_start_at < second.break_end_at <= at(18)
    visits = {s.visit_id: s for s in schedule.stops if s.kind == "visit"}
    assert visits[morning.id].shift == 1 and visits[evening.id].shift == 2
    assert {s.kind for s in schedule.stops} == {"visit", "break"}
    for stop in schedule.stops:
        assert not at(11) < stop.start_at < at(15)
    (route,) = detail.routes
    assert [s.kind for s in route.stops].count("off_duty") == 1


def test_the_plan_shows_joint_visits_across_organisations_and_figures_per_organisation(
    engine: Engine,
) -> None:
    """A specialist of the team and a municipal nurse do a joint visit: the plan lists it as
    across organisations, and each organisation counts the visit, its own hour with the patient
    and its own driving; the day total counts the visit once."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        _, team, town = organisations(session)
        specialist = make_staff(session, region, organisation_id=team.id)
        nurse = make_staff(session, region, organisation_id=town.id)
        patient = make_patient(session, region)
        joint = make_visit(
            session,
            region,
            patient,
            staff_count=2,
            duration_minutes=60,
            part_organisation_ids=[team.id, town.id],
        )
        make_visit(session, region, make_patient(session, region), organisation_id=town.id)
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
    assert plan.id is not None
    run_job(engine, plan_id=plan.id, settings=SETTINGS)
    with Session(engine, expire_on_commit=False) as session:
        detail = plan_detail(session, plan_id=plan.id)
    assert detail.unassigned == []
    (shared,) = detail.joint_visits
    assert shared.visit_id == joint.id and shared.across_organisations
    assert [(p.part, p.staff_id, p.organisation_id) for p in shared.parts] == [
        (0, specialist.id, team.id),
        (1, nurse.id, town.id),
    ]
    by_id = {row.organisation_id: row for row in detail.kpis_by_organisation if not row.total}
    total = detail.kpis_by_organisation[-1]
    assert total.total and total.visits == 2 and total.joint_visits_across_organisations == 1
    assert by_id[team.id].visits == 1 and by_id[town.id].visits == 2
    assert by_id[team.id].service_s == HOUR and by_id[team.id].hours_with_patients == 1.0
    assert by_id[town.id].service_s == HOUR + 30 * 60
    assert total.service_s == by_id[team.id].service_s + by_id[town.id].service_s
    routes = {r.staff_id: r for r in detail.routes}
    assert by_id[team.id].drive_s == routes[specialist.id].travel_s
    assert total.drive_s == sum(r.travel_s for r in detail.routes)
    assert routes[specialist.id].organisation_id == team.id


def test_a_shift_with_nothing_to_drive_to_shows_as_the_shift_itself(engine: Engine) -> None:
    """Only an evening visit: the morning shift has no stop, and shows its rostered times (as
    an idle day does); the evening shift leaves for its visit."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        nurse = split_nurse(session, region)
        patient = make_patient(session, region)
        make_visit(session, region, patient, start=dt.time(16, 0), end=dt.time(18, 0))
        plan = request_plan(session, day=region.day, scope="all")
        session.commit()
    assert plan.id is not None and nurse.id is not None
    run_job(engine, plan_id=plan.id, settings=SETTINGS)
    with Session(engine, expire_on_commit=False) as session:
        publish_plan(session, plan_id=plan.id)
        session.commit()
        schedule = staff_schedule(session, staff_id=nurse.id, day=region.day)
    morning, evening = schedule.shifts
    at = lambda h, m=0: local(region.day, dt.time(h, m))  # noqa: E731
    assert (morning.departure_at, morning.return_at) == (at(7), at(11))
    assert at(15) <= evening.departure_at < at(18)
    assert [s.shift for s in schedule.stops if s.kind == "visit"] == [2]
