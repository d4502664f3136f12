"""The spread of working time in a stored plan: per staff member on shift, from the routes'
departure and return less the time off of a split shift; idle staff at 0 in their own mean."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from ambulant.models import Plan, PlanRoute, PlanStop
from ambulant.planning.workload_kpis import spread, workload_spread
from ambulant.timeutil import local
from tests.builders import add, make_region, make_staff
from tests.planning.hand_plan import make_hand_day, plan_hand_day


def test_spread_over_the_working_and_mean_over_everyone_on_shift(session: Session) -> None:
    """Ann works 08:00-15:00 less 30 min off (390 min), Tor 08:00-12:00 (240), Idun is on
    shift with no route: spread 150, s.d. 75, mean 315 over the two working, 210 over all."""
    d = make_hand_day(session, make_region(session))
    idun = make_staff(session, d.region, name="Idun")
    plan_id = plan_hand_day(session, d)
    tor = session.exec(
        select(PlanRoute).where(PlanRoute.plan_id == plan_id, PlanRoute.staff_id == d.tor)
    ).one()
    tor.return_at = local(d.region.day, dt.time(12, 0))
    off = local(d.region.day, dt.time(11, 30))
    add(
        session,
        PlanStop(
            plan_id=plan_id,
            staff_id=d.ann,
            kind="off_duty",
            sequence=9,
            arrival_at=off,
            start_at=off,
            end_at=off + dt.timedelta(minutes=30),
        ),
    )
    session.flush()
    plan = session.get(Plan, plan_id)
    assert plan is not None

    found = workload_spread(session, plan)
    assert (found.staff_on_shift, found.staff_working, found.staff_idle) == (3, 2, 1)
    assert (found.min_min, found.max_min, found.spread_min) == (240, 390, 150)
    assert (found.stdev_min, found.mean_min, found.mean_min_on_shift) == (75.0, 315.0, 210.0)
    assert [(s.staff_id, s.working_min) for s in found.staff] == [
        (d.ann, 390),
        (d.tor, 240),
        (idun.id, 0),
    ]


def test_an_empty_day_has_no_spread() -> None:
    """Nobody working: zeros, not an error."""
    found = spread({}, [1, 2])
    assert (found.staff_idle, found.spread_min, found.stdev_min, found.mean_min) == (2, 0, 0.0, 0.0)
