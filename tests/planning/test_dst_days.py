"""Planning on the days Norway changes its clocks: the problem's seconds are true elapsed seconds
from local midnight, so a 25-hour day is not cut short and a 23-hour day gains no hour, and a
solved plan's times land on the wall-clock times people asked for."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.config import Settings
from ambulant.jobs.lifecycle import run_job
from ambulant.models import PlanStatus, PlanStop, Shift
from ambulant.planning.plans import request_plan
from ambulant.planning.problem_builder import build_problem
from ambulant.timeutil import local
from ambulant.travel import GeodesicTravelTimes
from tests.builders import add, make_patient, make_region, make_staff, make_visit

pytestmark = pytest.mark.dates

SPRING = dt.date(2027, 3, 28)  # 23 hours: 02:00 becomes 03:00
AUTUMN = dt.date(2026, 10, 25)  # 25 hours: 03:00 becomes 02:00
SETTINGS = Settings(max_overtime_min=0, solve_time_limit_s=1)
H = 3600


def without_break(session: Session, staff_id: int | None) -> Shift:
    """The staff member's shift, with its lunch break taken out (it is not what is tested)."""
    shift = session.exec(select(Shift).where(Shift.staff_id == staff_id)).one()
    shift.break_minutes, shift.break_earliest, shift.break_latest = 0, None, None
    return add(session, shift)


@pytest.mark.parametrize(("day", "gained_s"), [(SPRING, -H), (AUTUMN, H)])
def test_evening_shift_and_window_seconds_count_the_changed_hour(
    session: Session, day: dt.date, gained_s: int
) -> None:
    """An evening shift 15:00-23:30 starts 14 h after midnight on the spring day and 16 h on the
    autumn day, lasts 8.5 h on both, and a 22:00-23:30 window keeps its 90 minutes."""
    region = make_region(session, day=day)
    nurse = make_staff(session, region, shift_start=dt.time(15), shift_end=dt.time(23, 30))
    without_break(session, nurse.id)
    patient = make_patient(session, region)
    make_visit(session, region, patient, start=dt.time(22), end=dt.time(23, 30))
    built = build_problem(
        session, day=day, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    staff, visit = built.problem.staff[0], built.problem.visits[0]
    assert staff.shift_start_s == 15 * H + gained_s
    assert staff.shift_end_s - staff.shift_start_s == 8 * H + H // 2
    assert visit.earliest_start_s == 22 * H + gained_s
    assert visit.latest_start_s + visit.duration_s == 23 * H + H // 2 + gained_s


@pytest.mark.parametrize(
    ("eve", "hours"), [(SPRING - dt.timedelta(1), 8), (AUTUMN - dt.timedelta(1), 10)]
)
def test_night_shift_over_the_change_is_as_long_as_it_is_worked(
    session: Session, eve: dt.date, hours: int
) -> None:
    """22:00 to 07:00 the next morning gives the solver 8 hours over the spring change and 10
    over the autumn change."""
    region = make_region(session, day=eve)
    nurse = make_staff(session, region)
    shift = without_break(session, nurse.id)
    shift.start_at = local(eve, dt.time(22))
    shift.end_at = local(eve + dt.timedelta(days=1), dt.time(7))
    add(session, shift)
    built = build_problem(
        session, day=eve, scope="all", travel=GeodesicTravelTimes(), settings=SETTINGS
    )
    staff = built.problem.staff[0]
    assert staff.shift_end_s - staff.shift_start_s == hours * H
    assert staff.shift_end_s == 24 * H + 7 * H + (hours - 9) * H


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_a_solved_change_day_keeps_wall_clock_windows(engine: Engine, day: dt.date) -> None:
    """Solved and stored, each visit starts inside its wall-clock window and lasts its duration,
    the evening one included, on both change days."""
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session, day=day)
        nurse = make_staff(session, region, shift_start=dt.time(7), shift_end=dt.time(23, 30))
        without_break(session, nurse.id)
        windows = [(dt.time(9), dt.time(11)), (dt.time(22), dt.time(23))]
        for start, end in windows:
            make_visit(session, region, make_patient(session, region), start=start, end=end)
        plan = request_plan(session, day=day)
        session.commit()
    stored = run_job(engine, plan_id=plan.id, settings=SETTINGS)
    assert stored.status == PlanStatus.DRAFT, stored.error
    with Session(engine) as session:
        stops = session.exec(select(PlanStop).order_by(PlanStop.start_at)).all()
    assert len(stops) == 2
    for stop, (start, end) in zip(stops, windows, strict=True):
        assert local(day, start) <= stop.start_at
        assert stop.end_at <= local(day, end)
        assert stop.end_at - stop.start_at == dt.timedelta(minutes=30)
        assert stop.start_at.date() == day
