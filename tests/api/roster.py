"""A published day for two nurses, made directly in the database: what access tests need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import Plan, PlanRoute, PlanStatus, PlanStop, Staff, VisitRequest
from ambulant.timeutil import now
from tests.builders import TinyRegion, make_patient, make_staff, make_visit


@dataclass
class Rostered:
    """Ann and Bob, nurses; Ann visits one patient today and one tomorrow (published), and
    has one more in a published plan the day after; Bob visits another patient today."""

    ann: int
    bob: int
    ann_today: int
    ann_tomorrow: int
    ann_later: int
    bob_today: int
    today: dt.date


def publish(session: Session, day: dt.date, routes: list[tuple[Staff, list[VisitRequest]]]) -> None:
    plan = Plan(date=day, status=PlanStatus.PUBLISHED, published_at=now())
    session.add(plan)
    session.flush()
    assert plan.id is not None
    for staff, visits in routes:
        assert staff.id is not None
        first, last = visits[0].window_start, visits[-1].window_end
        session.add(
            PlanRoute(plan_id=plan.id, staff_id=staff.id, departure_at=first, return_at=last)
        )
        for sequence, visit in enumerate(visits):
            end = visit.window_start + dt.timedelta(minutes=visit.duration_minutes)
            session.add(
                PlanStop(
                    plan_id=plan.id,
                    staff_id=staff.id,
                    visit_id=visit.id,
                    sequence=sequence,
                    arrival_at=visit.window_start,
                    start_at=visit.window_start,
                    end_at=end,
                )
            )
    session.flush()


def make_rostered(db: Engine, region: TinyRegion) -> Rostered:
    today = now().date()
    days = [TinyRegion(day=today + dt.timedelta(days=n), base=region.base) for n in range(3)]
    with Session(db, expire_on_commit=False) as session:
        ann = make_staff(session, days[0], name="Ann")
        bob = make_staff(session, days[0], name="Bob")
        patients = [make_patient(session, days[0]) for _ in range(4)]
        visits = [make_visit(session, days[n], patients[n]) for n in range(3)]
        bobs = make_visit(session, days[0], patients[3])
        publish(session, days[0].day, [(ann, [visits[0]]), (bob, [bobs])])
        publish(session, days[1].day, [(ann, [visits[1]])])
        publish(session, days[2].day, [(ann, [visits[2]])])
        session.commit()
    ids = [p.id for p in patients]
    assert ann.id is not None and bob.id is not None and None not in ids
    return Rostered(
        ann=ann.id,
        bob=bob.id,
        ann_today=ids[0],
        ann_tomorrow=ids[1],
        ann_later=ids[2],
        bob_today=ids[3],
        today=today,
    )


def republish_with_anns_visit_later(db: Engine, rostered: Rostered) -> int:
    """Version 2 of today: Ann's visit an hour later, Bob's day as it was."""
    with Session(db, expire_on_commit=False) as session:
        old = session.exec(select(Plan).where(Plan.date == rostered.today)).one()
        ann = session.get(Staff, rostered.ann)
        bob = session.get(Staff, rostered.bob)
        visits = {v.patient_id: v for v in session.exec(select(VisitRequest))}
        anns, bobs = visits[rostered.ann_today], visits[rostered.bob_today]
        anns.window_start += dt.timedelta(hours=1)
        session.add(anns)
        assert ann is not None and bob is not None and old.published_at is not None
        publish(session, rostered.today, [(ann, [anns]), (bob, [bobs])])
        new = session.exec(
            select(Plan).where(Plan.date == rostered.today).order_by(col(Plan.id).desc())
        ).first()
        assert new is not None and new.id is not None
        new.version, new.based_on_id = 2, old.id
        new.published_at = old.published_at + dt.timedelta(minutes=5)
        old.status = PlanStatus.SUPERSEDED
        session.add_all([old, new])
        session.commit()
        return new.id
