"""What a cost-sharing agreement between municipalities needs beyond the figures per
municipality: who crosses a border to visit whom, and where the shared team's hours go.

Computed from stored plan rows like `municipality_kpis` (any version counts the same way). The
rules:

- a **border crossing** is a staff member employed by municipality A doing a visit for a patient
  living in B (A != B); it is counted per (from A, to B) pair, once per staff member at the
  visit (a joint visit of two Stjørdal nurses in Meråker is two crossings), with the hours with
  the patient and the drive of the leg to the visit;
- the **shared team** is the inter-municipal ambulant team (staff whose team is
  `ambulant_team`, whoever employs them); its hours with patients, its visits and the drive of
  its legs to them are split by the municipality the patient lives in. The team's drives that
  end at no visit (to a meeting, home at the end of the day) belong to no municipality served
  and are counted in the total only.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, computed_field
from sqlmodel import Session, col, select

from ambulant.models import (
    Municipality,
    PlanRoute,
    PlanStop,
    Staff,
    Team,
)
from ambulant.planning.municipality_kpis import patient_municipalities

SHARED_TEAM = Team.AMBULANT_TEAM
ALL = "all"


class BorderCrossing(BaseModel):
    """Staff of `from_code` visiting patients living in `to_code`."""

    from_code: str
    from_name: str
    to_code: str
    to_name: str
    visit_parts: int = 0
    """Staff members' stops at such visits (a joint visit of two from A is two)."""
    service_s: int = 0
    drive_s: int = 0
    """The drive of the legs to those visits."""
    distance_m: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hours_with_patients(self) -> float:
        return round(self.service_s / 3600, 2)


class SharedTeamShare(BaseModel):
    """The shared team's work for the patients of one municipality (code 'all': the total,
    which adds the team's drives that end at no visit)."""

    municipality_code: str
    municipality_name: str
    visits: int = 0
    visit_parts: int = 0
    service_s: int = 0
    drive_s: int = 0
    distance_m: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hours_with_patients(self) -> float:
        return round(self.service_s / 3600, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def drive_hours(self) -> float:
        return round(self.drive_s / 3600, 2)


class CostSharing(BaseModel):
    border_crossings: list[BorderCrossing] = []
    """Per (from, to) pair, by codes."""
    shared_team_by_municipality: list[SharedTeamShare] = []
    """Per municipality served, by code, then the total (code 'all')."""


def cost_sharing(session: Session, *, plan_id: int) -> CostSharing:
    stops = session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id, PlanStop.kind == "visit")
    ).all()
    routes = session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan_id)).all()
    return cost_sharing_of(session, stops=list(stops), routes=list(routes))


def cost_sharing_of(
    session: Session, *, stops: list[PlanStop], routes: list[PlanRoute]
) -> CostSharing:
    """From plan rows already chosen (visit stops and their routes): one plan's, or the routes
    that count over several days."""
    visit_stops = [s for s in stops if s.kind == "visit" and s.visit_id is not None]
    staff_ids = {s.staff_id for s in visit_stops} | {r.staff_id for r in routes}
    staff = {
        staff_id: (code, team)
        for staff_id, code, team in session.exec(
            select(Staff.id, Staff.municipality_code, Staff.team).where(
                col(Staff.id).in_(sorted(staff_ids))
            )
        ).all()
        if staff_id is not None
    }
    lives_in = patient_municipalities(session, {s.visit_id for s in visit_stops})

    crossings: dict[tuple[str, str], BorderCrossing] = {}
    shares: dict[str, SharedTeamShare] = {}
    team_visits: dict[str, set[int]] = defaultdict(set)
    # Per route, (plan, staff member): a report over days holds one route a day for each.
    team_to_visits: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for stop in visit_stops:
        assert stop.visit_id is not None
        employer, team = staff.get(stop.staff_id, ("", ""))
        served = lives_in.get(stop.visit_id, "")
        service = int((stop.end_at - stop.start_at).total_seconds())
        if employer != served:
            crossing = crossings.setdefault(
                (employer, served),
                BorderCrossing(from_code=employer, from_name="", to_code=served, to_name=""),
            )
            crossing.visit_parts += 1
            crossing.service_s += service
            crossing.drive_s += stop.travel_s
            crossing.distance_m += stop.distance_m
        if team == SHARED_TEAM:
            share = shares.setdefault(
                served, SharedTeamShare(municipality_code=served, municipality_name="")
            )
            team_visits[served].add(stop.visit_id)
            share.visit_parts += 1
            share.service_s += service
            share.drive_s += stop.travel_s
            share.distance_m += stop.distance_m
            route_of = (stop.plan_id, stop.staff_id)
            seconds, metres = team_to_visits[route_of]
            team_to_visits[route_of] = (seconds + stop.travel_s, metres + stop.distance_m)
    for code, visit_ids in team_visits.items():
        shares[code].visits = len(visit_ids)

    codes = {c for pair in crossings for c in pair} | set(shares)
    names = dict(
        session.exec(
            select(Municipality.code, Municipality.name).where(col(Municipality.code).in_(codes))
        ).all()
    )
    for (from_code, to_code), crossing in crossings.items():
        crossing.from_name = names.get(from_code, "unknown")
        crossing.to_name = names.get(to_code, "unknown")
    rows = [shares[code] for code in sorted(shares)]
    for row in rows:
        row.municipality_name = names.get(row.municipality_code, "unknown")
    total = SharedTeamShare(municipality_code=ALL, municipality_name="Total")
    for row in rows:
        for name in ("visits", "visit_parts", "service_s", "drive_s", "distance_m"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    for route in routes:
        if staff.get(route.staff_id, ("", ""))[1] != SHARED_TEAM:
            continue
        seconds, metres = team_to_visits[(route.plan_id, route.staff_id)]
        total.drive_s += route.travel_s - seconds
        total.distance_m += route.distance_m - metres
    return CostSharing(
        border_crossings=[crossings[key] for key in sorted(crossings)],
        shared_team_by_municipality=[*rows, total] if rows or total.drive_s else [],
    )
