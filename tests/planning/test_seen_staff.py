"""Who a patient has seen: the staff of the published plans of the last seven days and the day
itself, filled into the solver's visits by the problem builder."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

import solver
from ambulant.config import Settings
from ambulant.models import PlanStatus, VisitRequest
from ambulant.planning.continuity_kpis import continuity_kpis
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.seen_staff import seen_staff
from ambulant.travel import GeodesicTravelTimes
from tests.builders import make_region
from tests.planning.hand_plan import Leg, hand_plan, make_hand_day, plan_hand_day


def test_published_plans_of_the_horizon_count_and_nothing_else(session: Session) -> None:
    """Today's published plan (Ann at Ola and Per, Tor at Siv) and one published 7 days before
    (Tor at Per) count; a draft of today (Tor at Ola) and a published plan 8 days before (Tor
    at Ola) do not."""
    d = make_hand_day(session, make_region(session))
    day = d.region.day
    plan_hand_day(session, d)

    def tor_at(visit_day: dt.date, visit: VisitRequest, status: PlanStatus) -> None:
        leg = Leg(visit, dt.time(10), dt.time(10, 30), 60, 1_000)
        hand_plan(session, visit_day, {d.tor: ([leg], 60, 1_000, 0)}, status=status)

    tor_at(day, d.ola_visit, PlanStatus.DRAFT)
    tor_at(day - dt.timedelta(days=8), d.ola_visit, PlanStatus.PUBLISHED)
    tor_at(day - dt.timedelta(days=7), d.per_visit, PlanStatus.PUBLISHED)
    session.flush()

    seen = seen_staff(session, day=day, patient_ids=[d.ola, d.per, d.siv])
    assert seen == {
        d.ola: frozenset({d.ann}),
        d.per: frozenset({d.ann, d.tor}),
        d.siv: frozenset({d.tor}),
    }
    assert seen_staff(session, day=day, patient_ids=[]) == {}

    built = build_problem(
        session, day=day, scope="all", travel=GeodesicTravelTimes(), settings=Settings()
    )
    assert built.problem.visit(str(d.ola_left_out.id)).seen_staff == frozenset({str(d.ann)})
    assert built.problem.visit(str(d.per_visit.id)).seen_staff == frozenset(
        {str(d.ann), str(d.tor)}
    )


def test_continuity_kpis_count_seen_faces_and_distinct_staff(session: Session) -> None:
    """With today's published plan as history (Ola and Per saw Ann, Siv saw Tor), a plan in
    which Ann visits Ola, Tor visits Per and Ann visits Siv has one part of three by a seen
    face, and 1, 2 and 2 distinct staff per patient over the horizon."""
    d = make_hand_day(session, make_region(session))
    plan_hand_day(session, d)
    session.flush()
    built = build_problem(
        session, day=d.region.day, scope="all", travel=GeodesicTravelTimes(), settings=Settings()
    )

    def stop(visit: VisitRequest, hour: int) -> solver.Stop:
        return solver.Stop(str(visit.id), 0, hour * 3600, hour * 3600, hour * 3600 + 1800, 60)

    result = solver.Result(
        routes=(
            solver.Route(
                str(d.ann), 8 * 3600, 15 * 3600, (stop(d.ola_visit, 9), stop(d.siv_visit, 12))
            ),
            solver.Route(str(d.tor), 8 * 3600, 15 * 3600, (stop(d.per_visit, 10),)),
        ),
        unassigned=(),
    )
    kpis = continuity_kpis(built, result)
    assert kpis["seen_staff_share"] == round(1 / 3, 4)
    assert kpis["horizon_distinct_staff_mean"] == round(5 / 3, 3)
    assert kpis["horizon_distinct_staff_median"] == 2.0
