"""Per-organisation figures of a plan, and its joint visits that bring organisations together.

Computed from the stored plan rows like the municipalities' figures (any version, solved,
replanned or moved by hand, counts the same way). The rules:

- a staff member counts for their own organisation (not the ones it is part of); staff of no
  organisation count under "none" (id null);
- a visit counts for each organisation whose staff take part in it: a joint visit of a hospital
  team's specialist and a municipal nurse counts once for each (and once in the day total, so
  the rows may add up to more than the total);
- hours with patients are every staff member's own (two staff for an hour are two hours);
- drive time and distance are the whole route's of each staff member, as is overtime.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pydantic import BaseModel, computed_field
from sqlmodel import Session, col, select

from ambulant.models import Organisation, PlanRoute, PlanStop, Staff, VisitRequest

DAY_TOTAL_NAME = "Day total"
NO_ORGANISATION_NAME = "No organisation"


class OrganisationKpis(BaseModel):
    """One organisation's share of a plan; `organisation_id` null with `total` false: staff
    of no organisation; `total` true: the whole day."""

    organisation_id: int | None
    organisation_name: str
    total: bool = False
    staff: int = 0
    """Staff members with a route."""
    visits: int = 0
    joint_visits_across_organisations: int = 0
    visit_parts: int = 0
    service_s: int = 0
    """Time with patients, summed over this organisation's staff at each visit."""
    drive_s: int = 0
    distance_m: int = 0
    overtime_s: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hours_with_patients(self) -> float:
        return round(self.service_s / 3600, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def drive_hours(self) -> float:
        return round(self.drive_s / 3600, 2)


class JointPart(BaseModel):
    part: int
    staff_id: int
    organisation_id: int | None


class JointVisitView(BaseModel):
    """A visit done by several staff at once, with the organisation each comes from."""

    visit_id: int
    patient_id: int | None
    start_at: dt.datetime
    parts: list[JointPart]
    across_organisations: bool


def joint_visits(session: Session, *, plan_id: int) -> list[JointVisitView]:
    """The plan's joint visits in time order, each part with its staff member's organisation."""
    stops = session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id, PlanStop.kind == "visit")
    ).all()
    parts: dict[int, list[PlanStop]] = defaultdict(list)
    for stop in stops:
        if stop.visit_id is not None:
            parts[stop.visit_id].append(stop)
    joint = {v: sorted(p, key=lambda s: s.part) for v, p in parts.items() if len(p) > 1}
    if not joint:
        return []
    employer = _employers(session, {s.staff_id for p in joint.values() for s in p})
    patients = dict(
        session.exec(
            select(VisitRequest.id, VisitRequest.patient_id).where(
                col(VisitRequest.id).in_(list(joint))
            )
        ).all()
    )
    views = [
        JointVisitView(
            visit_id=visit_id,
            patient_id=patients.get(visit_id),
            start_at=own[0].start_at,
            parts=[
                JointPart(
                    part=s.part, staff_id=s.staff_id, organisation_id=employer.get(s.staff_id)
                )
                for s in own
            ],
            across_organisations=len({employer.get(s.staff_id) for s in own}) > 1,
        )
        for visit_id, own in joint.items()
    ]
    return sorted(views, key=lambda v: (v.start_at, v.visit_id))


def organisation_kpis(session: Session, *, plan_id: int) -> list[OrganisationKpis]:
    """One row per organisation with staff on a route (by id, "none" last), then the day
    total."""
    stops = session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id, PlanStop.kind == "visit")
    ).all()
    routes = session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan_id)).all()
    return organisation_kpis_of(session, stops=list(stops), routes=list(routes))


def organisation_kpis_of(
    session: Session, *, stops: list[PlanStop], routes: list[PlanRoute]
) -> list[OrganisationKpis]:
    """The rows of `organisation_kpis` from plan rows already chosen (visit stops only): one
    plan's, or the routes that count over several days."""
    employer = _employers(session, {r.staff_id for r in routes} | {s.staff_id for s in stops})
    rows: dict[int | None, OrganisationKpis] = {}
    total = OrganisationKpis(organisation_id=None, organisation_name=DAY_TOTAL_NAME, total=True)

    def row(organisation_id: int | None) -> OrganisationKpis:
        if organisation_id not in rows:
            rows[organisation_id] = OrganisationKpis(
                organisation_id=organisation_id, organisation_name=""
            )
        return rows[organisation_id]

    for route in routes:
        for figures in (row(employer.get(route.staff_id)), total):
            figures.staff += 1
            figures.drive_s += route.travel_s
            figures.distance_m += route.distance_m
            figures.overtime_s += route.overtime_s
    taking_part: dict[int, set[int | None]] = defaultdict(set)
    for stop in stops:
        assert stop.visit_id is not None
        organisation_id = employer.get(stop.staff_id)
        taking_part[stop.visit_id].add(organisation_id)
        service = int((stop.end_at - stop.start_at).total_seconds())
        for figures in (row(organisation_id), total):
            figures.visit_parts += 1
            figures.service_s += service
    total.visits = len(taking_part)
    for organisations in taking_part.values():
        across = len(organisations) > 1
        total.joint_visits_across_organisations += across
        for organisation_id in organisations:
            row(organisation_id).visits += 1
            row(organisation_id).joint_visits_across_organisations += across
    names = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_([k for k in rows if k is not None])
            )
        ).all()
    )
    for organisation_id, figures in rows.items():
        figures.organisation_name = (
            NO_ORGANISATION_NAME if organisation_id is None else names.get(organisation_id, "")
        )
    ordered = sorted(rows.values(), key=lambda r: (r.organisation_id is None, r.organisation_id))
    return [*ordered, total]


def _employers(session: Session, staff_ids: set[int]) -> dict[int, int | None]:
    if not staff_ids:
        return {}
    rows = session.exec(
        select(Staff.id, Staff.organisation_id).where(col(Staff.id).in_(sorted(staff_ids)))
    ).all()
    return {staff_id: organisation_id for staff_id, organisation_id in rows if staff_id}
