"""The Værnes demo's organisations and split shifts: who works for whom, St. Olavs' joint visits
with a Selbu nurse, and the DMS nurses' morning and evening, down to the solver's problem."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.demo import seed_region
from ambulant.models import (
    Appointment,
    Base,
    Organisation,
    OrganisationKind,
    Shift,
    Staff,
    VisitRequest,
)
from ambulant.planning.problem_builder import build_problem
from ambulant.travel import GeodesicTravelTimes

pytestmark = pytest.mark.one_database

MONDAY = dt.date(2026, 11, 23)
# Monday to Wednesday: the week's two Selbu joint visits fall on these days with seed 0.
DAYS = [MONDAY + dt.timedelta(days=i) for i in range(3)]


def test_vaernes_organisations_and_who_works_for_them(session: Session) -> None:
    """Four municipalities and St. Olavs with its ambulant team; every base and staff member
    belongs to one; the team's one specialist works from the DMS."""
    seed_region(session, region="vaernes", day=MONDAY, days=1, seed=0)
    organisations = {o.name: o for o in session.exec(select(Organisation)).all()}
    kinds = sorted(o.kind for o in organisations.values())
    assert kinds == ["hospital_trust", *["municipality"] * 4, "specialist_team"]
    team = organisations["St. Olavs hospital, ambulant psychiatric team"]
    assert team.parent_id == organisations["St. Olavs hospital HF"].id
    assert organisations["Selbu kommune"].municipality_code == "5032"
    assert organisations["Selbu kommune"].kind == OrganisationKind.MUNICIPALITY
    staff = session.exec(select(Staff)).all()
    assert all(s.organisation_id is not None for s in staff)
    (specialist,) = [s for s in staff if s.organisation_id == team.id]
    dms = session.exec(select(Base).where(Base.kind == "dms")).one()
    assert specialist.base_id == dms.id and "psychiatric_care" in specialist.skills
    assert all(b.organisation_id is not None for b in session.exec(select(Base)).all())


def test_vaernes_has_joint_visits_across_organisations_and_split_shifts(
    session: Session,
) -> None:
    """Monday to Wednesday: Selbu's joint psychiatric visits name St. Olavs' team for part 1
    and Selbu for part 2; two nurses work 07:00-11:00 and 15:00-19:00 each day, with the DMS's
    morning report, and evening medication visits wait for them; the day stays about 260
    visits. The solver's problem of a day with a joint visit has both."""
    summary = seed_region(session, region="vaernes", day=MONDAY, days=len(DAYS), seed=0)
    organisations = {o.name: o.id for o in session.exec(select(Organisation)).all()}
    team = organisations["St. Olavs hospital, ambulant psychiatric team"]
    selbu = organisations["Selbu kommune"]
    visits = session.exec(select(VisitRequest)).all()
    joint = [v for v in visits if v.part_organisation_ids]
    assert len(joint) == 2
    assert all(v.part_organisation_ids == [team, selbu] and v.staff_count == 2 for v in joint)
    assert all(
        v.organisation_id == team for v in visits if v.description == "Psychiatric follow-up"
    )
    for day in DAYS:
        assert 250 <= summary.visits_by_day[day] <= 275
        shifts = session.exec(select(Shift).where(Shift.date == day)).all()
        per_staff: dict[int, list[Shift]] = {}
        for shift in shifts:
            per_staff.setdefault(shift.staff_id, []).append(shift)
        split = {k: v for k, v in per_staff.items() if len(v) == 2}
        assert len(split) == 2
        for two in split.values():
            first, second = sorted(two, key=lambda s: s.start_at)
            assert (first.end_at, second.start_at) == (
                first.start_at + dt.timedelta(hours=4),
                first.start_at + dt.timedelta(hours=8),
            )
        reports = session.exec(
            select(Appointment).where(
                Appointment.date == day, Appointment.title == "Morning report at the DMS"
            )
        ).all()
        assert {a.staff_id for a in reports} == set(split)
        evening = [v for v in visits if v.date == day and v.description == "Medication, evening"]
        assert evening
    # Built for the solver, the split-shift nurses have time off 11:00-15:00 and St. Olavs'
    # specialist is of the team and of the trust.
    day = next(v.date for v in session.exec(select(VisitRequest)) if v.part_organisation_ids)
    built = build_problem(
        session, day=day, scope="all", travel=GeodesicTravelTimes(), settings=Settings()
    )
    split = [s for s in built.problem.staff if s.off_duty]
    assert len(split) == 2
    assert all(
        (s.off_duty[0].start_s, s.off_duty[0].end_s) == (11 * 3600, 15 * 3600) for s in split
    )
    joint = [v for v in built.problem.visits if v.part_organisations]
    assert joint
    team, selbu = joint[0].part_organisations
    assert team is not None and selbu is not None
    specialists = [s for s in built.problem.staff if team in s.organisations]
    assert len(specialists) == 1 and len(specialists[0].organisations) == 2
    assert any(selbu in s.organisations for s in built.problem.staff)
