"""Plans written straight into the database with every leg's drive and every time given by hand,
so that figures computed from them can be checked to the second and the metre.

The day: Ann (a Stjørdal home nurse) and Tor (the shared ambulant team, employed by Stjørdal).
Ola lives in Stjørdal, Per and Siv in Meråker.

- Ann: 09:00-09:30 at Ola (drive 600 s, 8 000 m), 10:30-11:15 at Per (2 400 s, 40 000 m), home
  (3 000 s, 45 000 m); 900 s overtime.
- Tor: 13:00-14:00 at Siv (3 000 s, 42 000 m), home (3 200 s, 44 000 m).
- Ola's second visit is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from ambulant.models import (
    Organisation,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Team,
    UnassignedVisit,
    VisitRequest,
)
from ambulant.timeutil import local, now
from tests.builders import MERAKER, TinyRegion, add, make_patient, make_staff, make_visit


@dataclass(frozen=True)
class Leg:
    """A visit part on a route: the drive to it and the time there."""

    visit: VisitRequest
    start: dt.time
    end: dt.time
    travel_s: int
    distance_m: int


@dataclass
class HandDay:
    region: TinyRegion
    ann: int
    tor: int
    ola: int
    per: int
    siv: int
    ola_visit: VisitRequest
    ola_left_out: VisitRequest
    per_visit: VisitRequest
    siv_visit: VisitRequest
    home_care: int
    """Ann's organisation (Stjørdal home care); Tor's is the ambulant team's."""
    ambulant_team: int


def hand_plan(
    session: Session,
    day: dt.date,
    routes: dict[int, tuple[list[Leg], int, int, int]],
    *,
    unassigned: Sequence[VisitRequest] = (),
    status: PlanStatus = PlanStatus.PUBLISHED,
    scope: str = "all",
    version: int = 1,
    minutes_ago: int = 0,
) -> int:
    """`routes`: staff id -> (legs in order, drive home s, drive home m, overtime s)."""
    moment = now() - dt.timedelta(minutes=minutes_ago)
    plan = add(
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
    for staff_id, (legs, home_s, home_m, overtime_s) in routes.items():
        add(
            session,
            PlanRoute(
                plan_id=plan.id,
                staff_id=staff_id,
                departure_at=local(day, dt.time(8, 0)),
                return_at=local(day, dt.time(15, 0)),
                travel_s=sum(leg.travel_s for leg in legs) + home_s,
                return_travel_s=home_s,
                distance_m=sum(leg.distance_m for leg in legs) + home_m,
                overtime_s=overtime_s,
            ),
        )
        for sequence, leg in enumerate(legs, start=1):
            add(
                session,
                PlanStop(
                    plan_id=plan.id,
                    staff_id=staff_id,
                    visit_id=leg.visit.id,
                    sequence=sequence,
                    arrival_at=local(day, leg.start),
                    start_at=local(day, leg.start),
                    end_at=local(day, leg.end),
                    travel_s=leg.travel_s,
                    distance_m=leg.distance_m,
                ),
            )
    for visit in unassigned:
        add(session, UnassignedVisit(plan_id=plan.id, visit_id=visit.id, reason="no_room"))
    plan_id: int = plan.id
    return plan_id


def make_hand_day(session: Session, region: TinyRegion) -> HandDay:
    home_care = add(session, Organisation(name="Stjørdal home care", kind="municipality"))
    team = add(session, Organisation(name="Ambulant team", kind="specialist_team"))
    ann = make_staff(session, region, name="Ann", organisation_id=home_care.id)
    tor = make_staff(session, region, name="Tor", team=Team.AMBULANT_TEAM, organisation_id=team.id)
    ola = make_patient(session, region, name="Ola")
    per = make_patient(session, region, name="Per", municipality_code=MERAKER)
    siv = make_patient(session, region, name="Siv", municipality_code=MERAKER)
    return HandDay(
        region=region,
        ann=ann.id,
        tor=tor.id,
        ola=ola.id,
        per=per.id,
        siv=siv.id,
        ola_visit=make_visit(session, region, ola),
        ola_left_out=make_visit(session, region, ola, start=dt.time(14, 0), end=dt.time(15, 0)),
        per_visit=make_visit(session, region, per),
        siv_visit=make_visit(session, region, siv, start=dt.time(12, 0), end=dt.time(15, 0)),
        home_care=home_care.id,
        ambulant_team=team.id,
    )


def plan_hand_day(
    session: Session,
    d: HandDay,
    *,
    status: PlanStatus = PlanStatus.PUBLISHED,
    scope: str = "all",
    minutes_ago: int = 0,
) -> int:
    """The day described above, as one plan."""
    routes = {
        d.ann: (
            [
                Leg(d.ola_visit, dt.time(9, 0), dt.time(9, 30), 600, 8_000),
                Leg(d.per_visit, dt.time(10, 30), dt.time(11, 15), 2_400, 40_000),
            ],
            3_000,
            45_000,
            900,
        ),
        d.tor: (
            [Leg(d.siv_visit, dt.time(13, 0), dt.time(14, 0), 3_000, 42_000)],
            3_200,
            44_000,
            0,
        ),
    }
    return hand_plan(
        session,
        d.region.day,
        routes,
        unassigned=[d.ola_left_out],
        status=status,
        scope=scope,
        minutes_ago=minutes_ago,
    )
