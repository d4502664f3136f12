"""The figures a cost-sharing agreement needs over a range of days, from the published plans.

Which rows count (the rule a nurse's schedule follows, day by day):

- a staff member's day is their route in the newest published plan of that day that has a
  route for them; its stops, drive and overtime count, those of older or other plans do not;
- a visit left out counts as left out when the newest published plan of its day that mentions
  it leaves it out and no counted route does it;
- drafts, superseded, failed and unpublished plans never count; a day with no published plan is
  listed in `days_without_published_plan`.

On the rows that count, the rules of `municipality_kpis`, `organisation_kpis` and
`cost_sharing` apply unchanged. A caller limited to some municipalities sees their rows, the
border crossings from or to them and the shared team's work for them, each total summed over
what they see; the organisations' figures are then those of the visits to patients living there
and the routes of staff employed there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.models import (
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    UnassignedVisit,
)
from ambulant.planning.cost_sharing import (
    ALL,
    BorderCrossing,
    SharedTeamShare,
    cost_sharing_of,
)
from ambulant.planning.municipality_kpis import (
    DAY_TOTAL_CODE,
    KpiFigures,
    MunicipalityKpis,
    employers,
    municipality_kpis_of,
    patient_municipalities,
)
from ambulant.planning.organisation_kpis import OrganisationKpis, organisation_kpis_of

MAX_DAYS = 366
RANGE_TOTAL_NAME = "Total"


class PublishedPlan(BaseModel):
    date: dt.date
    scope: str
    version: int
    plan_id: int


class MunicipalityReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_date: dt.date = Field(alias="from")
    to_date: dt.date = Field(alias="to")
    days_without_published_plan: list[dt.date]
    plans: list[PublishedPlan]
    """The published plans with a route or a visit that counts."""
    municipalities: list[MunicipalityKpis]
    """Per municipality by code, then the total (code 'all')."""
    border_crossings: list[BorderCrossing]
    shared_team_by_municipality: list[SharedTeamShare]
    organisations: list[OrganisationKpis]


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("to must not be before from", field="to")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(
            f"to: the range holds {days} days; at most {MAX_DAYS} are allowed", field="to"
        )


def municipality_report(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    within: Collection[str] | None = None,
) -> MunicipalityReport:
    """`within`: the municipalities the caller may see (None: all)."""
    check_range(start, end)
    plans = list(
        session.exec(
            select(Plan)
            .where(
                col(Plan.date) >= start,
                col(Plan.date) <= end,
                Plan.status == PlanStatus.PUBLISHED,
            )
            .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
        )
    )
    newest_first = [p.id for p in plans if p.id is not None]
    day_of = {p.id: p.date for p in plans}
    routes, stops, unassigned = _counted_rows(session, newest_first, day_of)

    if within is not None:
        allowed = set(within)
        lives_in = patient_municipalities(
            session, {s.visit_id for s in stops} | {u.visit_id for u in unassigned}
        )
        employer = employers(session, {r.staff_id for r in routes})
        org_stops = [s for s in stops if lives_in.get(s.visit_id or 0) in allowed]
        org_routes = [r for r in routes if employer.get(r.staff_id) in allowed]
    else:
        org_stops, org_routes = stops, routes

    rows = municipality_kpis_of(session, stops=stops, routes=routes, unassigned=unassigned)
    sharing = cost_sharing_of(session, stops=stops, routes=routes)
    counted_plans = {s.plan_id for s in stops} | {r.plan_id for r in routes}
    counted_plans |= {u.plan_id for u in unassigned}
    planned_days = {p.date for p in plans}
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return MunicipalityReport(
        from_date=start,
        to_date=end,
        days_without_published_plan=[d for d in days if d not in planned_days],
        plans=[
            PublishedPlan(date=p.date, scope=p.scope, version=p.version, plan_id=p.id)
            for p in sorted(plans, key=lambda p: (p.date, p.scope, p.id or 0))
            if p.id in counted_plans
        ],
        municipalities=_visible_municipalities(rows, within),
        border_crossings=[
            c
            for c in sharing.border_crossings
            if within is None or c.from_code in within or c.to_code in within
        ],
        shared_team_by_municipality=_visible_shares(sharing.shared_team_by_municipality, within),
        organisations=organisation_kpis_of(session, stops=org_stops, routes=org_routes),
    )


def _counted_rows(
    session: Session, newest_first: list[int], day_of: dict[int | None, dt.date]
) -> tuple[list[PlanRoute], list[PlanStop], list[UnassignedVisit]]:
    if not newest_first:
        return [], [], []
    rank = {plan_id: n for n, plan_id in enumerate(newest_first)}
    all_routes = session.exec(select(PlanRoute).where(col(PlanRoute.plan_id).in_(newest_first)))
    chosen: dict[tuple[dt.date, int], PlanRoute] = {}
    for route in all_routes:
        key = (day_of[route.plan_id], route.staff_id)
        if key not in chosen or rank[route.plan_id] < rank[chosen[key].plan_id]:
            chosen[key] = route
    routes = sorted(chosen.values(), key=lambda r: (rank[r.plan_id], r.staff_id))
    counted = {(r.plan_id, r.staff_id) for r in routes}
    stops = [
        s
        for s in session.exec(
            select(PlanStop).where(
                col(PlanStop.plan_id).in_(newest_first), PlanStop.kind == "visit"
            )
        )
        if (s.plan_id, s.staff_id) in counted
    ]
    planned = {s.visit_id for s in stops}
    # The newest published plan mentioning a visit decides whether it was left out.
    decided: dict[int, int] = {}
    mentions = session.exec(
        select(PlanStop.plan_id, PlanStop.visit_id).where(
            col(PlanStop.plan_id).in_(newest_first), col(PlanStop.visit_id).is_not(None)
        )
    ).all()
    left_out = list(
        session.exec(select(UnassignedVisit).where(col(UnassignedVisit.plan_id).in_(newest_first)))
    )
    for plan_id, visit_id in [*mentions, *((u.plan_id, u.visit_id) for u in left_out)]:
        if visit_id is None:
            continue
        if visit_id not in decided or rank[plan_id] < rank[decided[visit_id]]:
            decided[visit_id] = plan_id
    unassigned = [
        u for u in left_out if decided[u.visit_id] == u.plan_id and u.visit_id not in planned
    ]
    return routes, stops, unassigned


def _visible_municipalities(
    rows: list[MunicipalityKpis], within: Collection[str] | None
) -> list[MunicipalityKpis]:
    *municipalities, _ = rows
    shown = [r for r in municipalities if within is None or r.municipality_code in within]
    total = MunicipalityKpis(municipality_code=DAY_TOTAL_CODE, municipality_name=RANGE_TOTAL_NAME)
    for row in shown:
        total.add(row)
    return [*shown, total]


def _visible_shares(
    rows: list[SharedTeamShare], within: Collection[str] | None
) -> list[SharedTeamShare]:
    if within is None:
        return rows
    shown = [r for r in rows if r.municipality_code != ALL and r.municipality_code in within]
    if not shown:
        return []
    total = SharedTeamShare(municipality_code=ALL, municipality_name="Total")
    for row in shown:
        for name in ("visits", "visit_parts", "service_s", "drive_s", "distance_m"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return [*shown, total]


CSV_COLUMNS = (
    "section",
    "code",
    "name",
    "to_code",
    "to_name",
    "visits",
    "visit_parts",
    "hours_with_patients",
    "drive_hours",
    "km",
    "overtime_hours",
    "unassigned_visits",
)


def report_csv(report: MunicipalityReport) -> str:
    """One table, a header row first, dot decimals; `section` says what a row is:
    `municipality` (code 'all': the total), `border_crossing` (code: from, to_code: to),
    `shared_team` and `organisation` (code: the organisation's id, empty for none and the
    total). A column that does not apply to a section is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def write(section: str, values: dict[str, object]) -> None:
        writer.writerow([section, *(values.get(c, "") for c in CSV_COLUMNS[1:])])

    for row in report.municipalities:
        names = {"code": row.municipality_code, "name": row.municipality_name}
        write("municipality", {**_figures(row), **names})
    for c in report.border_crossings:
        write(
            "border_crossing",
            {
                "code": c.from_code,
                "name": c.from_name,
                "to_code": c.to_code,
                "to_name": c.to_name,
                "visit_parts": c.visit_parts,
                "hours_with_patients": c.hours_with_patients,
                "drive_hours": round(c.drive_s / 3600, 2),
                "km": round(c.distance_m / 1000, 1),
            },
        )
    for s in report.shared_team_by_municipality:
        write(
            "shared_team",
            {
                "code": s.municipality_code,
                "name": s.municipality_name,
                "visits": s.visits,
                "visit_parts": s.visit_parts,
                "hours_with_patients": s.hours_with_patients,
                "drive_hours": s.drive_hours,
                "km": round(s.distance_m / 1000, 1),
            },
        )
    for o in report.organisations:
        write(
            "organisation",
            {
                "code": "" if o.organisation_id is None else o.organisation_id,
                "name": o.organisation_name,
                "visits": o.visits,
                "visit_parts": o.visit_parts,
                "hours_with_patients": o.hours_with_patients,
                "drive_hours": o.drive_hours,
                "km": round(o.distance_m / 1000, 1),
                "overtime_hours": round(o.overtime_s / 3600, 2),
            },
        )
    return out.getvalue()


def _figures(row: KpiFigures) -> dict[str, object]:
    values = row.model_dump()
    return {c: values[c] for c in CSV_COLUMNS if c in values}
