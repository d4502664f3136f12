"""The Værnes demo's weekly team meeting and skill levels, and region files that state them."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest
from sqlmodel import Session, select

from ambulant.demo import estimate_capacity, extend_region, load_region, seed_region
from ambulant.demo.region_spec import (  # noqa: F401
    REGIONS_DIR,
    REGIONS_PACKAGE,
    RegionFileError,
    RegionSpec,
    parse_region,
)
from ambulant.models import (
    Appointment,
    AppointmentCreate,
    Base,
    Discipline,
    Shift,
    Staff,
    Team,
    VisitRequest,
)
from ambulant.timeutil import local
from tests.demo.helpers import uncovered_visits

pytestmark = pytest.mark.one_database

MONDAY = dt.date(2026, 11, 23)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
LEVELS = {
    Discipline.AUXILIARY_NURSE: 1,
    Discipline.REGISTERED_NURSE: 2,
    Discipline.PHYSIOTHERAPIST: 2,
    Discipline.OCCUPATIONAL_THERAPIST: 2,
    Discipline.SPECIALIST_NURSE: 3,
    Discipline.PHYSICIAN: 3,
}


MEETING = "Team meeting, ambulant team"


def test_the_ambulant_team_meets_at_the_dms_on_mondays(session: Session) -> None:
    """Monday 08:00-08:30: every ambulant-team member working that day has the team meeting at
    the DMS, inside the shift and valid as API input; nobody else has it, and on Wednesday
    nobody does (the split-shift nurses' daily morning report is another appointment). The
    Monday stays plannable: every visit servable, capacity within target."""
    summary = seed_region(session, region="vaernes", day=MONDAY, days=3, seed=0)
    dms = session.exec(select(Base).where(Base.kind == "dms")).one()
    team = {s.id for s in session.exec(select(Staff).where(Staff.team == Team.AMBULANT_TEAM)).all()}
    every = session.exec(select(Appointment)).all()
    appointments = [a for a in every if a.title == MEETING]
    assert len(appointments) == len(team)
    assert summary.appointments == len(every) == len(team) + 3 * 2
    for a in appointments:
        assert a.date == MONDAY and a.staff_id in team and a.base_id == dms.id
        assert (a.start_at, a.end_at) == (local(MONDAY, dt.time(8)), local(MONDAY, dt.time(8, 30)))
        AppointmentCreate.model_validate(a, from_attributes=True)
        shift = session.exec(
            select(Shift).where(Shift.staff_id == a.staff_id, Shift.date == MONDAY)
        ).one()
        assert shift.start_at <= a.start_at and a.end_at <= shift.end_at
    assert uncovered_visits(session, MONDAY) == []
    assert estimate_capacity(session, day=MONDAY, region="vaernes").ok


def test_extending_to_a_monday_adds_its_meeting(session: Session) -> None:
    """A database seeded on a Wednesday gets the meeting when a Monday is added later."""
    seed_region(session, region="vaernes", day=WEDNESDAY, days=1, seed=0)
    meetings = select(Appointment).where(Appointment.title == MEETING)
    assert session.exec(meetings).all() == []
    next_monday = MONDAY + dt.timedelta(days=7)
    summary = extend_region(session, region="vaernes", day=next_monday, days=1, seed=0)
    assert summary.appointments == 7 + 2  # the meeting, and two nurses' morning report
    assert {a.date for a in session.exec(meetings).all()} == {next_monday}


def test_staff_and_visits_carry_skill_levels(session: Session) -> None:
    """Staff get their discipline's level; every visit states the level it needs, and someone
    working that day has it (insulin and wound care need a nurse, medication an assistant)."""
    seed_region(session, region="vaernes", day=WEDNESDAY, days=1, seed=0)
    for staff in session.exec(select(Staff)).all():
        assert staff.skill_level == LEVELS[Discipline(staff.discipline)]
    visits = session.exec(select(VisitRequest).where(VisitRequest.date == WEDNESDAY)).all()
    by_name = {v.description: v.required_skill_level for v in visits}
    assert by_name["Insulin, morning"] == 2 and by_name["Medication, morning"] == 1
    assert {v.required_skill_level for v in visits} == {1, 2, 3}
    assert uncovered_visits(session, WEDNESDAY) == []


def _vaernes_with(**changes: object) -> dict[str, object]:
    data: dict[str, object] = load_region("vaernes").model_dump(mode="json")
    return data | changes


@pytest.mark.parametrize(
    ("appointment", "message"),
    [
        ({"base": "nowhere"}, "unknown 'nowhere'"),
        ({"start": "06:00:00"}, "outside the shift"),
        ({"weekdays": [5]}, "no staff pool works"),
        ({"municipality": "9999"}, "unknown '9999'"),
    ],
)
def test_bad_appointments_in_a_region_file_are_refused(
    appointment: dict[str, object], message: str
) -> None:
    """A meeting at an unknown base, outside the attendees' shifts, on days they do not work or
    in an unknown municipality: the region file does not load."""
    meeting = {
        "title": "Team meeting",
        "base": "dms",
        "start": "08:00:00",
        "end": "08:30:00",
        "weekdays": [0],
        "team": "ambulant_team",
    } | appointment
    with pytest.raises(ValueError, match=message):
        RegionSpec.model_validate(_vaernes_with(appointments=[meeting]))


def test_a_visit_type_above_every_level_is_refused() -> None:
    """A visit type needing a level no staff pool has cannot be served: the file is refused."""
    text = (resources.files("ambulant.demo") / "regions" / "vaernes.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["visit_types"][0]["skill_level"] = 5
    with pytest.raises(ValueError, match="at level 5"):
        RegionSpec.model_validate(data)
    assert isinstance(parse_region(text), RegionSpec)
    with pytest.raises(RegionFileError):
        parse_region(text.replace("skill_level = 1\n", "skill_level = 9\n", 1))
