"""The figures per municipality, the border crossings and the shared team's split, on a plan
whose every drive and time is given by hand: exact numbers."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ambulant.models import PlanRoute, PlanStop, UnassignedVisit
from ambulant.planning.cost_sharing import cost_sharing, cost_sharing_of
from ambulant.planning.municipality_kpis import municipality_kpis, municipality_kpis_of
from ambulant.planning.organisation_kpis import organisation_kpis
from tests.builders import MERAKER, STJORDAL, make_region
from tests.planning.hand_plan import make_hand_day, plan_hand_day


def test_municipality_rows_attribute_each_leg_to_the_visit_it_leads_to(session: Session) -> None:
    """Meråker gets its two visits' hours and the legs to them; Stjørdal its one visit, the leg
    to it, both drives home and Ann's overtime (the employer's), and the visit left out."""
    d = make_hand_day(session, make_region(session))
    plan_id = plan_hand_day(session, d)
    meraker, stjordal, total = municipality_kpis(session, plan_id=plan_id)

    assert meraker.municipality_code == MERAKER
    assert (meraker.visits, meraker.visit_parts, meraker.service_s) == (2, 2, 45 * 60 + 60 * 60)
    assert (meraker.drive_s, meraker.distance_m) == (2_400 + 3_000, 40_000 + 42_000)
    assert (meraker.overtime_s, meraker.unassigned_visits) == (0, 0)
    assert stjordal.municipality_code == STJORDAL
    assert (stjordal.visits, stjordal.service_s) == (1, 30 * 60)
    assert stjordal.drive_s == 600 + 3_000 + 3_200
    assert stjordal.distance_m == 8_000 + 45_000 + 44_000
    assert (stjordal.overtime_s, stjordal.unassigned_visits) == (900, 1)
    assert (total.visits, total.drive_s, total.distance_m) == (3, 12_200, 179_000)
    assert (meraker.hours_with_patients, meraker.km, stjordal.overtime_hours) == (1.75, 82.0, 0.25)


def test_border_crossings_and_the_shared_teams_split(session: Session) -> None:
    """Both Stjørdal staff cross into Meråker once: one (5035 -> 5034) row of two visit parts.
    The shared team (Tor) worked an hour for Meråker; its total adds the drive home."""
    d = make_hand_day(session, make_region(session))
    sharing = cost_sharing(session, plan_id=plan_hand_day(session, d))

    [crossing] = sharing.border_crossings
    assert (crossing.from_code, crossing.to_code) == (STJORDAL, MERAKER)
    assert (crossing.from_name, crossing.to_name) == ("Stjørdal", "Meråker")
    assert (crossing.visit_parts, crossing.service_s) == (2, 6_300)
    assert (crossing.drive_s, crossing.distance_m) == (5_400, 82_000)
    assert crossing.hours_with_patients == 1.75

    meraker, total = sharing.shared_team_by_municipality
    assert (meraker.municipality_code, meraker.municipality_name) == (MERAKER, "Meråker")
    assert (meraker.visits, meraker.visit_parts, meraker.service_s) == (1, 1, 3_600)
    assert (meraker.drive_s, meraker.distance_m) == (3_000, 42_000)
    assert total.municipality_code == "all"
    assert (total.visits, total.service_s) == (1, 3_600)
    assert (total.drive_s, total.distance_m) == (6_200, 86_000)


def test_organisation_rows_count_visits_and_hours(session: Session) -> None:
    """Ann's home care did two visits (1 h 15 min), the ambulant team one (1 h)."""
    d = make_hand_day(session, make_region(session))
    home_care, team, total = organisation_kpis(session, plan_id=plan_hand_day(session, d))
    assert (home_care.organisation_id, home_care.visits, home_care.service_s) == (
        d.home_care,
        2,
        4_500,
    )
    assert (team.organisation_id, team.visits, team.service_s) == (d.ambulant_team, 1, 3_600)
    assert (total.visits, total.service_s, total.overtime_s) == (3, 8_100, 900)


def test_figures_over_two_routes_of_each_staff_member_add_up(session: Session) -> None:
    """Over several days each staff member has a route a day: the drive that ends at no visit is
    taken from each route's own legs. Two plans of the hand day, as a report over two days
    reads them, give exactly twice one plan's figures (before, every route's legs to visits were
    summed over both days and taken from each route: negative hours and km)."""
    d = make_hand_day(session, make_region(session))
    first, second = plan_hand_day(session, d), plan_hand_day(session, d)
    plans = [first, second]
    stops = list(session.exec(select(PlanStop).where(col(PlanStop.plan_id).in_(plans))))
    routes = list(session.exec(select(PlanRoute).where(col(PlanRoute.plan_id).in_(plans))))
    unassigned = list(
        session.exec(select(UnassignedVisit).where(col(UnassignedVisit.plan_id).in_(plans)))
    )

    once = municipality_kpis(session, plan_id=first)
    twice = municipality_kpis_of(session, stops=stops, routes=routes, unassigned=unassigned)
    assert [(r.drive_s, r.distance_m, r.overtime_s) for r in twice] == [
        (2 * r.drive_s, 2 * r.distance_m, 2 * r.overtime_s) for r in once
    ]
    shared_once = cost_sharing(session, plan_id=first).shared_team_by_municipality[-1]
    shared_twice = cost_sharing_of(session, stops=stops, routes=routes)
    assert shared_twice.shared_team_by_municipality[-1].drive_s == 2 * shared_once.drive_s
    assert shared_twice.shared_team_by_municipality[-1].distance_m == 2 * shared_once.distance_m
