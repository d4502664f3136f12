"""Seeding a region: the right amount of work, valid rows, servable visits, same seed same data."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from ambulant.db import create_all, make_engine
from ambulant.demo import SeedSummary, extend_region, is_seeded, load_region, seed_region
from ambulant.errors import Conflict
from ambulant.models import (
    CarePlan,
    CarePlanCreate,
    Patient,
    PatientCreate,
    Priority,
    Shift,
    ShiftCreate,
    Staff,
    StaffCreate,
    StartFrom,
    Team,
    VisitRequest,
    VisitRequestCreate,
)
from ambulant.timeutil import OSLO
from tests.demo.helpers import dump, uncovered_visits

pytestmark = pytest.mark.one_database

WEDNESDAY = dt.date(2026, 11, 25)
THURSDAY = WEDNESDAY + dt.timedelta(days=1)
SATURDAY = dt.date(2026, 11, 28)


@pytest.fixture
def vaernes(session: Session) -> SeedSummary:
    return seed_region(session, region="vaernes", day=WEDNESDAY, days=2, seed=0)


def visits_on(session: Session, day: dt.date) -> list[VisitRequest]:
    return list(session.exec(select(VisitRequest).where(VisitRequest.date == day)).all())


def test_vaernes_weekday_has_the_planned_size(session: Session, vaernes: SeedSummary) -> None:
    """About 30 staff and 250-275 visits a weekday (the replanning benchmark needs >= 250 visits
    and >= 25 staff); 4-6 % joint, 3-5 % dependent, a few urgent. Two of the staff work a split
    shift: two shifts a day."""
    assert (vaernes.municipalities, vaernes.bases, vaernes.staff) == (4, 5, 32)
    assert vaernes.shifts == 2 * (32 + 2)
    for day in (WEDNESDAY, THURSDAY):
        visits = visits_on(session, day)
        assert vaernes.visits_by_day[day] == len(visits)
        assert 250 <= len(visits) <= 275
        joint = sum(v.staff_count == 2 for v in visits) / len(visits)
        dependent = sum(v.depends_on_id is not None for v in visits) / len(visits)
        assert 0.04 <= joint <= 0.06, joint
        assert 0.03 <= dependent <= 0.05, dependent
        assert sum(v.priority == Priority.URGENT for v in visits) == 3
        assert sum(v.priority == Priority.HIGH for v in visits) >= 5


def test_vaernes_work_follows_population(session: Session, vaernes: SeedSummary) -> None:
    """Stjørdal has most visits, Tydal fewest; every municipality gets some."""
    municipality = {p.id: p.municipality_code for p in session.exec(select(Patient)).all()}
    per_place = Counter(municipality[v.patient_id] for v in visits_on(session, WEDNESDAY))
    assert per_place.most_common()[0][0] == "5035"
    assert per_place.most_common()[-1][0] == "5033"
    assert per_place["5033"] >= 5


def test_ambulant_team_works_weekdays_from_the_dms(session: Session, vaernes: SeedSummary) -> None:
    """The ambulant team (6-8) serves every municipality; home nurses serve their own."""
    staff = session.exec(select(Staff)).all()
    ambulant = [s for s in staff if s.team == Team.AMBULANT_TEAM]
    assert 6 <= len(ambulant) <= 8
    assert all(s.serves == [] for s in ambulant)
    assert all(s.serves == [s.municipality_code] for s in staff if s.team == Team.HOME_NURSING)
    assert sum(s.start_from == StartFrom.HOME for s in staff) >= 3


def test_every_row_passes_the_create_schemas(session: Session, vaernes: SeedSummary) -> None:
    """Read back from the database, every row is valid API input."""
    session.expunge_all()
    for staff in session.exec(select(Staff)).all():
        StaffCreate.model_validate(staff, from_attributes=True)
    for shift in session.exec(select(Shift)).all():
        valid = ShiftCreate.model_validate(shift, from_attributes=True)
        assert valid.local_date == shift.date
    for patient in session.exec(select(Patient)).all():
        PatientCreate.model_validate(patient, from_attributes=True)
    for plan in session.exec(select(CarePlan)).all():
        CarePlanCreate.model_validate(plan, from_attributes=True)
    visits = session.exec(select(VisitRequest)).all()
    for visit in visits:
        valid_visit = VisitRequestCreate.model_validate(visit, from_attributes=True)
        assert valid_visit.local_date == visit.date
        assert visit.window_start.tzinfo is not None
    assert len(visits) == vaernes.visit_requests


@pytest.mark.parametrize("day", [WEDNESDAY, THURSDAY])
def test_every_visit_can_be_served(session: Session, vaernes: SeedSummary, day: dt.date) -> None:
    """Each visit has staff working that day, allowed there, with the skills, not refused."""
    assert uncovered_visits(session, day) == []


def test_dependencies_can_be_met(session: Session, vaernes: SeedSummary) -> None:
    """A follow-up is for the same patient and day, and its window allows the required lag."""
    visits = {v.id: v for v in session.exec(select(VisitRequest)).all()}
    follow_ups = [v for v in visits.values() if v.depends_on_id is not None]
    assert follow_ups
    for after in follow_ups:
        before = visits[after.depends_on_id]
        assert (before.patient_id, before.date) == (after.patient_id, after.date)
        assert after.max_lag_minutes is not None
        # Earliest and latest starts of each visit; some pair must be min..max lag apart.
        b0, b1 = (
            before.window_start,
            before.window_end - dt.timedelta(minutes=before.duration_minutes),
        )
        a0, a1 = after.window_start, after.window_end - dt.timedelta(minutes=after.duration_minutes)
        lo = max(a0, b0 + dt.timedelta(minutes=after.min_lag_minutes))
        hi = min(a1, b1 + dt.timedelta(minutes=after.max_lag_minutes))
        assert lo <= hi, (before.id, after.id)


def test_patients_have_usual_nurses_and_a_few_refusals(
    session: Session, vaernes: SeedSummary
) -> None:
    """Continuity: 1-2 preferred home nurses from the patient's municipality; few refusals."""
    staff = {s.id: s for s in session.exec(select(Staff)).all()}
    patients = session.exec(select(Patient)).all()
    for patient in patients:
        assert 1 <= len(patient.preferred_staff) <= 2
        for sid in patient.preferred_staff:
            assert staff[sid].municipality_code == patient.municipality_code
            assert staff[sid].team == Team.HOME_NURSING
        assert not set(patient.preferred_staff) & set(patient.refused_staff)
    refusing = sum(bool(p.refused_staff) for p in patients)
    assert 1 <= refusing <= 0.1 * len(patients)


def test_homes_lie_around_the_settlements(session: Session, vaernes: SeedSummary) -> None:
    """Every home is within its radius of a settlement in the patient's own municipality."""
    spec = load_region("vaernes")

    def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        north = (lat1 - lat2) * 111.32
        east = (lon1 - lon2) * 111.32 * math.cos(math.radians(lat2))
        return math.hypot(north, east)

    for p in session.exec(select(Patient)).all():
        places = spec.settlements_in(p.municipality_code)
        assert any(km(p.lat, p.lon, s.lat, s.lon) <= s.radius_km + 0.01 for s in places), p.name


def test_visit_windows_are_local_times(session: Session, vaernes: SeedSummary) -> None:
    """Insulin visits open at 07:30 and close at 08:30 Oslo time."""
    insulin = [v for v in visits_on(session, WEDNESDAY) if v.description == "Insulin, morning"]
    assert insulin
    for v in insulin:
        assert v.window_start.astimezone(OSLO).time() == dt.time(7, 30)
        assert v.window_end.astimezone(OSLO).time() == dt.time(8, 30)


def test_weekend_has_no_ambulant_team(session: Session) -> None:
    """On Saturday only home nursing works, and every visit can still be served."""
    summary = seed_region(session, region="vaernes", day=SATURDAY, days=1, seed=0)
    ambulant = {s.id for s in session.exec(select(Staff)).all() if s.team == Team.AMBULANT_TEAM}
    shifts = session.exec(select(Shift)).all()
    assert shifts and not any(s.staff_id in ambulant for s in shifts)
    assert summary.visits_by_day[SATURDAY] > 150
    assert uncovered_visits(session, SATURDAY) == []


def test_drammen_is_a_smaller_region_from_the_same_generator(session: Session) -> None:
    """Drammen: 10-12 staff, about 100 visits on a weekday, all servable."""
    summary = seed_region(session, region="drammen", day=WEDNESDAY, days=1, seed=0)
    assert summary.region == "drammen"
    assert (summary.municipalities, summary.bases) == (3, 4)
    assert 10 <= summary.staff <= 12
    assert 90 <= summary.visits_by_day[WEDNESDAY] <= 115
    municipalities = set(session.exec(select(Patient.municipality_code)).all())
    assert municipalities == {"0602", "0713", "0711"}
    assert uncovered_visits(session, WEDNESDAY) == []


def test_seeding_twice_is_refused(session: Session) -> None:
    """is_seeded turns true after seeding, and a second seed is a Conflict."""
    assert not is_seeded(session)
    seed_region(session, region="drammen", day=WEDNESDAY, days=1)
    assert is_seeded(session)
    with pytest.raises(Conflict):
        seed_region(session, region="drammen", day=WEDNESDAY, days=1)


def test_days_must_be_positive(session: Session) -> None:
    """Zero days is a mistake, not an empty seed."""
    with pytest.raises(ValueError, match="days must be at least 1"):
        seed_region(session, region="drammen", day=WEDNESDAY, days=0)


def seeded_rows(tmp_path: Path, name: str, seed: int) -> dict[str, list[dict[str, object]]]:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    create_all(engine)
    with Session(engine) as session:
        seed_region(session, region="vaernes", day=WEDNESDAY, days=2, seed=seed)
        session.commit()
        rows = dump(session)
    engine.dispose()
    return rows


def test_same_seed_gives_identical_rows(tmp_path: Path) -> None:
    """Two fresh databases seeded with the same seed hold exactly the same rows."""
    assert seeded_rows(tmp_path, "a.db", seed=7) == seeded_rows(tmp_path, "b.db", seed=7)


def test_different_seeds_give_different_rows(tmp_path: Path) -> None:
    """Another seed moves homes, names and plans, but not the region's shape."""
    a, b = seeded_rows(tmp_path, "a.db", seed=1), seeded_rows(tmp_path, "b.db", seed=2)
    assert a["Municipality"] == b["Municipality"] and a["Base"] == b["Base"]
    assert a["Patient"] != b["Patient"]
    assert a["VisitRequest"] != b["VisitRequest"]
    assert len(a["Staff"]) == len(b["Staff"])


def test_extending_adds_a_day_as_seeding_would_have(tmp_path: Path) -> None:
    """Seed Wednesday, extend by Thursday: the same rows as seeding both days at once."""
    both = seeded_rows(tmp_path, "both.db", seed=3)
    engine = make_engine(f"sqlite:///{tmp_path / 'stepwise.db'}")
    create_all(engine)
    with Session(engine) as session:
        seed_region(session, region="vaernes", day=WEDNESDAY, days=1, seed=3)
        session.commit()
        added = extend_region(session, region="vaernes", day=THURSDAY, days=1, seed=3)
        session.commit()
        stepwise = dump(session)
    engine.dispose()
    assert stepwise == both
    assert (added.staff, added.patients, added.care_plans) == (0, 0, 0)
    assert added.visits_by_day[THURSDAY] == sum(
        1 for v in both["VisitRequest"] if v["date"] == str(THURSDAY)
    )


def test_extending_skips_days_that_exist(session: Session) -> None:
    """Days already seeded are left alone; only the new one gets shifts and visits."""
    seed_region(session, region="drammen", day=WEDNESDAY, days=1)
    before = len(visits_on(session, WEDNESDAY))
    added = extend_region(session, region="drammen", day=WEDNESDAY, days=2)
    assert list(added.visits_by_day) == [THURSDAY]
    assert len(visits_on(session, WEDNESDAY)) == before
    assert uncovered_visits(session, THURSDAY) == []


def test_extending_needs_a_seeded_database_of_the_same_region(session: Session) -> None:
    """Extending nothing, or with another region's file, is a Conflict."""
    with pytest.raises(Conflict, match="seed it first"):
        extend_region(session, region="drammen", day=WEDNESDAY)
    seed_region(session, region="drammen", day=WEDNESDAY, days=1)
    with pytest.raises(Conflict, match="do not match region 'vaernes'"):
        extend_region(session, region="vaernes", day=THURSDAY)
