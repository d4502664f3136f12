"""Three days of stored plans for continuity reports, made directly in the database.

Staff Ann, Bob and Cai; patients Ola (prefers Ann) and Kari (no preference) in Stjørdal, Per in
Meråker. Day 1: a published plan (Ann at Ola; Bob at Kari, and Bob with Cai at a joint visit;
Cai at Per) and an older draft that the published one beats. Day 2: two drafts, the newer
counts (Ann at Ola; Kari's visit left out), and a failed plan. Day 3: no plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from ambulant.models import Plan, PlanRoute, PlanStatus, PlanStop, UnassignedVisit, VisitRequest
from ambulant.timeutil import local, now
from tests.builders import MERAKER, TinyRegion, add, make_patient, make_staff, make_visit


@dataclass
class Scenario:
    day1: dt.date
    ann: int
    bob: int
    cai: int
    ola: int
    kari: int
    per: int
    published_day1: int
    newer_draft_day2: int


def plan(
    session: Session,
    day: dt.date,
    status: PlanStatus,
    stops: list[tuple[VisitRequest, list[int]]],
    *,
    version: int,
    scope: str = "all",
    unassigned: list[VisitRequest] | None = None,
    minutes_ago: int = 0,
) -> int:
    moment = now() - dt.timedelta(minutes=minutes_ago)
    row = add(
        session,
        Plan(
            date=day,
            scope=scope,
            version=version,
            status=status,
            finished_at=moment,
            published_at=moment if status == PlanStatus.PUBLISHED else None,
        ),
    )
    staff_ids = sorted({s for _, staff in stops for s in staff})
    for staff_id in staff_ids:
        start = local(day, dt.time(8, 0))
        add(
            session,
            PlanRoute(plan_id=row.id, staff_id=staff_id, departure_at=start, return_at=start),
        )
    for sequence, (visit, staff) in enumerate(stops, start=1):
        for part, staff_id in enumerate(staff):
            add(
                session,
                PlanStop(
                    plan_id=row.id,
                    staff_id=staff_id,
                    visit_id=visit.id,
                    sequence=sequence,
                    part=part,
                    arrival_at=visit.window_start,
                    start_at=visit.window_start,
                    end_at=visit.window_end,
                ),
            )
    for visit in unassigned or []:
        assert visit.id is not None
        add(session, UnassignedVisit(plan_id=row.id, visit_id=visit.id, reason="no_room"))
    plan_id: int = row.id
    return plan_id


def make_scenario(session: Session, region: TinyRegion) -> Scenario:
    day1 = region.day
    days = [TinyRegion(day=day1 + dt.timedelta(days=n), base=region.base) for n in range(3)]
    ann = make_staff(session, days[0], name="Ann")
    bob = make_staff(session, days[0], name="Bob")
    cai = make_staff(session, days[0], name="Cai", serves=[])
    ola = make_patient(session, days[0], preferred_staff=[ann.id])
    kari = make_patient(session, days[0])
    per = make_patient(session, days[0], municipality_code=MERAKER)
    ola1 = make_visit(session, days[0], ola)
    kari1 = make_visit(session, days[0], kari)
    kari1_joint = make_visit(session, days[0], kari, staff_count=2, start=dt.time(13, 0))
    per1 = make_visit(session, days[0], per)
    ola2 = make_visit(session, days[1], ola)
    kari2 = make_visit(session, days[1], kari)

    plan(session, day1, PlanStatus.SUPERSEDED, [(ola1, [cai.id])], version=1, minutes_ago=60)
    plan(session, day1, PlanStatus.DRAFT, [(ola1, [cai.id])], version=3, minutes_ago=1)
    published = plan(
        session,
        day1,
        PlanStatus.PUBLISHED,
        [(ola1, [ann.id]), (kari1, [bob.id]), (kari1_joint, [bob.id, cai.id]), (per1, [cai.id])],
        version=2,
        minutes_ago=30,
    )
    plan(session, days[1].day, PlanStatus.DRAFT, [(ola2, [bob.id])], version=1, minutes_ago=50)
    newer = plan(
        session,
        days[1].day,
        PlanStatus.DRAFT,
        [(ola2, [ann.id])],
        version=2,
        unassigned=[kari2],
        minutes_ago=20,
    )
    plan(session, days[1].day, PlanStatus.FAILED, [], version=3, minutes_ago=5)
    session.commit()
    ids = [_id(x.id) for x in (ann, bob, cai, ola, kari, per)]
    return Scenario(day1, *ids, published_day1=published, newer_draft_day2=newer)


def _id(value: int | None) -> int:
    assert value is not None
    return value
