"""Per-municipality figures of a plan: what the municipalities of a region share costs by.

Computed from the stored plan rows (stops, routes, visit requests, patients, staff), so any
version, solved, replanned or changed by hand, is counted the same way. The rules:

- a visit counts for the municipality its patient lives in; a joint visit is one visit, but its
  hours with patients are every staff member's (two nurses for an hour are two hours);
- each leg's drive (seconds and metres) counts for the municipality of the visit it drives to;
  the drives that end at no visit (to a fixed appointment, and home at the end of the day) count
  for the staff member's home municipality, so the municipalities' figures add up to the plan's;
- overtime counts for the staff member's home municipality (their employer pays it);
- an unassigned visit counts for its patient's municipality.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, computed_field
from sqlmodel import Session, col, select

from ambulant.models import (
    Municipality,
    Patient,
    PlanRoute,
    PlanStop,
    Staff,
    UnassignedVisit,
    VisitRequest,
)

DAY_TOTAL_CODE = "all"
DAY_TOTAL_NAME = "Day total"


class KpiFigures(BaseModel):
    """Exact integers; the hours and kilometres beside them are rounded for reading."""

    visits: int = 0
    visit_parts: int = 0
    """Staff members' stops at visits (a joint visit has two)."""
    service_s: int = 0
    """Time with patients, summed over the staff at each visit."""
    drive_s: int = 0
    distance_m: int = 0
    overtime_s: int = 0
    unassigned_visits: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hours_with_patients(self) -> float:
        return round(self.service_s / 3600, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def drive_hours(self) -> float:
        return round(self.drive_s / 3600, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def km(self) -> float:
        return round(self.distance_m / 1000, 1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overtime_hours(self) -> float:
        return round(self.overtime_s / 3600, 2)

    def add(self, other: KpiFigures) -> None:
        for name in KpiFigures.model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class MunicipalityKpis(KpiFigures):
    municipality_code: str
    municipality_name: str


class _Counts:
    """Running figures per municipality code; visits are counted once however many parts."""

    def __init__(self) -> None:
        self.figures: dict[str, KpiFigures] = defaultdict(KpiFigures)
        self.visits: dict[str, set[int]] = defaultdict(set)

    def visit(self, code: str, visit_id: int) -> None:
        self.visits[code].add(visit_id)

    def close(self) -> dict[str, KpiFigures]:
        for code, visit_ids in self.visits.items():
            self.figures[code].visits = len(visit_ids)
        return dict(self.figures)


def municipality_kpis(session: Session, *, plan_id: int) -> list[MunicipalityKpis]:
    """One row per municipality with any figure in the plan, by code, then the day total (code
    'all'), whose figures are the sums of the rows above it."""
    stops = list(session.exec(select(PlanStop).where(PlanStop.plan_id == plan_id)))
    routes = list(session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan_id)))
    unassigned = list(
        session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == plan_id))
    )
    return municipality_kpis_of(session, stops=stops, routes=routes, unassigned=unassigned)


def municipality_kpis_of(
    session: Session,
    *,
    stops: list[PlanStop],
    routes: list[PlanRoute],
    unassigned: list[UnassignedVisit],
) -> list[MunicipalityKpis]:
    """The rows of `municipality_kpis` from plan rows already chosen: one plan's, or the routes
    that count over several days (a visit id names one visit on one day, so days add up)."""
    visit_ids = {s.visit_id for s in stops if s.visit_id is not None}
    visit_ids |= {u.visit_id for u in unassigned}
    lives_in = patient_municipalities(session, visit_ids)
    employer = employers(session, {r.staff_id for r in routes} | {s.staff_id for s in stops})

    counts = _Counts()
    # Per route, (plan, staff member): rows over several days hold one route a day for each.
    to_visits: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for stop in stops:
        if stop.kind != "visit" or stop.visit_id is None:
            continue
        code = lives_in.get(stop.visit_id, "")
        figures = counts.figures[code]
        counts.visit(code, stop.visit_id)
        figures.visit_parts += 1
        figures.service_s += int((stop.end_at - stop.start_at).total_seconds())
        figures.drive_s += stop.travel_s
        figures.distance_m += stop.distance_m
        route_of = (stop.plan_id, stop.staff_id)
        seconds, metres = to_visits[route_of]
        to_visits[route_of] = (seconds + stop.travel_s, metres + stop.distance_m)
    for route in routes:
        home = counts.figures[employer.get(route.staff_id) or ""]
        seconds, metres = to_visits[(route.plan_id, route.staff_id)]
        # The route's totals hold every leg; what did not end at a visit is the employer's.
        home.drive_s += route.travel_s - seconds
        home.distance_m += route.distance_m - metres
        home.overtime_s += route.overtime_s
    for item in unassigned:
        counts.figures[lives_in.get(item.visit_id, "")].unassigned_visits += 1

    by_code = counts.close()
    names = dict(
        session.exec(
            select(Municipality.code, Municipality.name).where(col(Municipality.code).in_(by_code))
        ).all()
    )
    rows = [
        MunicipalityKpis(
            municipality_code=code,
            municipality_name=names.get(code, "unknown"),
            **figures.model_dump(include=set(KpiFigures.model_fields)),
        )
        for code, figures in sorted(by_code.items())
    ]
    total = MunicipalityKpis(municipality_code=DAY_TOTAL_CODE, municipality_name=DAY_TOTAL_NAME)
    for row in rows:
        total.add(row)
    return [*rows, total]


def patient_municipalities(session: Session, visit_ids: Iterable[int | None]) -> dict[int, str]:
    """Visit id -> the municipality its patient lives in: the one a visit counts for."""
    ids = sorted({v for v in visit_ids if v is not None})
    if not ids:
        return {}
    rows = session.exec(
        select(VisitRequest.id, Patient.municipality_code)
        .join(Patient, col(Patient.id) == col(VisitRequest.patient_id))
        .where(col(VisitRequest.id).in_(ids))
    )
    return {visit_id: code for visit_id, code in rows.all() if visit_id is not None}


def employers(session: Session, staff_ids: Iterable[int]) -> dict[int, str]:
    """Staff id -> the municipality that employs them: the one a drive to no visit counts for."""
    ids = sorted(set(staff_ids))
    if not ids:
        return {}
    rows = session.exec(select(Staff.id, Staff.municipality_code).where(col(Staff.id).in_(ids)))
    return {staff_id: code for staff_id, code in rows.all() if staff_id is not None}


CSV_COLUMNS = (
    "municipality_code",
    "municipality_name",
    "visits",
    "visit_parts",
    "hours_with_patients",
    "drive_hours",
    "km",
    "overtime_hours",
    "unassigned_visits",
)


def kpis_csv(rows: list[MunicipalityKpis]) -> str:
    """Plain comma-separated values, a header row first, dot decimals: hours to two decimals,
    kilometres to one (each row rounded on its own, so the rounded rows may differ from the
    rounded total by a last digit)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = row.model_dump()
        writer.writerow([values[column] for column in CSV_COLUMNS])
    return out.getvalue()
