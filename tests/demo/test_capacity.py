"""The capacity estimate: bundled regions pass it, and it notices overload and missing skills."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from ambulant.demo import estimate_capacity, seed_region
from tests.builders import make_patient, make_region, make_staff, make_visit

pytestmark = pytest.mark.one_database

WEDNESDAY = dt.date(2026, 11, 25)
THURSDAY = WEDNESDAY + dt.timedelta(days=1)


@pytest.mark.parametrize("region", ["vaernes", "drammen"])
def test_bundled_region_is_plannable_on_weekdays(session: Session, region: str) -> None:
    """Seed 0: no visit without staff, no time bucket overbooked, busiest staff within target."""
    seed_region(session, region=region, day=WEDNESDAY, days=2, seed=0)
    for day in (WEDNESDAY, THURSDAY):
        estimate = estimate_capacity(session, day=day, region=region)
        assert estimate.ok, estimate.summary()
        assert 0.5 <= estimate.overall_utilisation <= 0.72, estimate.summary()
        assert estimate.travel_minutes > 0.2 * estimate.visit_minutes


def test_vaernes_is_plannable_on_a_weekend(session: Session) -> None:
    """Saturday: home nursing alone carries the daily visits within target."""
    saturday = dt.date(2026, 11, 28)
    seed_region(session, region="vaernes", day=saturday, days=1, seed=0)
    estimate = estimate_capacity(session, day=saturday, region="vaernes")
    assert estimate.ok, estimate.summary()


def test_utilisation_is_work_over_working_minutes(session: Session) -> None:
    """One nurse (07:30-15:00, 30 min break: 420 min), four 30-min visits next to the base.

    Each visit costs 30 min plus the town's 5-min hop, and the drive out is nil: 4 * 35 / 420.
    """
    region = make_region(session, day=WEDNESDAY)
    make_staff(session, region)
    patient = make_patient(session, region, lat=63.4695, lon=10.919)
    for _ in range(4):
        make_visit(session, region, patient)
    estimate = estimate_capacity(session, day=WEDNESDAY, region="vaernes")
    assert estimate.utilisation == pytest.approx(140 / 420, abs=0.002)
    assert (estimate.visit_minutes, estimate.working_minutes) == (120, 420)
    assert estimate.ok


def test_fixed_time_pile_up_is_overload(session: Session) -> None:
    """Eight 15-min visits all inside 08:00-08:30 for one nurse cannot fit, whatever the day."""
    region = make_region(session, day=WEDNESDAY)
    make_staff(session, region)
    patient = make_patient(session, region, lat=63.4695, lon=10.919)
    for _ in range(8):
        make_visit(
            session, region, patient, start=dt.time(8, 0), end=dt.time(8, 30), duration_minutes=15
        )
    estimate = estimate_capacity(session, day=WEDNESDAY, region="vaernes")
    # 8 * (15 + 5) = 160 minutes of work against 0.9 * 30 = 27 minutes of the nurse's time.
    assert estimate.overload_minutes == pytest.approx(160 - 27, abs=0.5)
    assert estimate.utilisation < 0.75
    assert not estimate.ok


def test_visit_nobody_can_do_is_uncovered(session: Session) -> None:
    """A psychiatric visit with only a home nurse on duty is reported as uncovered."""
    region = make_region(session, day=WEDNESDAY)
    make_staff(session, region)
    patient = make_patient(session, region)
    make_visit(session, region, patient)
    psychiatric = make_visit(session, region, patient, skills=["psychiatric_care"])
    estimate = estimate_capacity(session, day=WEDNESDAY, region="vaernes")
    assert estimate.uncovered_visit_ids == [psychiatric.id]
    assert not estimate.ok


def test_staff_outside_their_municipality_do_not_count(session: Session) -> None:
    """A nurse who serves only Meråker cannot take a Stjørdal visit."""
    region = make_region(session, day=WEDNESDAY)
    make_staff(session, region, serves=["5034"])
    visit = make_visit(session, region, make_patient(session, region))
    estimate = estimate_capacity(session, day=WEDNESDAY, region="vaernes")
    assert estimate.uncovered_visit_ids == [visit.id]
