"""A day big enough that its solve takes a while (seconds, not milliseconds): for watching a
job's progress and cancelling it mid-solve."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.models import Plan
from ambulant.planning.plans import request_plan
from tests.builders import TinyRegion, make_patient, make_region, make_staff, make_visit


def make_busy_day(session: Session, *, visits: int = 60, staff: int = 6) -> TinyRegion:
    """`staff` nurses and `visits` visits to as many patients scattered around Stjørdal, with
    windows from one to five hours: more than the nurses can do, so the search keeps trying."""
    rng = random.Random(7)
    region = make_region(session)
    for _ in range(staff):
        make_staff(session, region)
    for _ in range(visits):
        patient = make_patient(
            session, region, lat=63.40 + 0.15 * rng.random(), lon=10.80 + 0.35 * rng.random()
        )
        start = rng.randint(8, 13)
        end = min(15, start + rng.randint(1, 5))
        make_visit(
            session,
            region,
            patient,
            start=dt.time(start, 0),
            end=dt.time(end, 0),
            duration_minutes=rng.choice((20, 30, 45)),
        )
    session.commit()
    return region


def queued_busy_plan(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        region = make_busy_day(session)
        plan: Plan = request_plan(session, day=region.day, scope="all")
        session.commit()
        assert plan.id is not None
        return plan.id
