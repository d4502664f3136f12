"""Checks on seeded data, written independently of the generator they check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from ambulant.models import (
    Base,
    CarePlan,
    Municipality,
    Organisation,
    Patient,
    Shift,
    Staff,
    VisitRequest,
)

TABLES: list[type[SQLModel]] = [
    Municipality,
    Organisation,
    Base,
    Staff,
    Shift,
    Patient,
    CarePlan,
    VisitRequest,
]


def dump(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every seeded row of every table, in id order, as plain dicts."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        key = col(Municipality.code) if table is Municipality else col(table.id)  # type: ignore[attr-defined]
        rows = session.exec(select(table).order_by(key))
        # JSON columns come back as plain strings where the model says enum: dump as JSON.
        out[table.__name__] = [row.model_dump(mode="json", warnings=False) for row in rows]
    return out


def uncovered_visits(session: Session, day: dt.date) -> list[VisitRequest]:
    """Visits no staff working on `day` may do: place, skills and level, organisation,
    refusals, a shift around the window.

    A joint visit needs two such staff, one of whom also brings the second staff skills; one
    naming an organisation per part needs one of each.
    """
    shifts = session.exec(select(Shift).where(Shift.date == day)).all()
    staff = {s.id: s for s in session.exec(select(Staff)).all()}
    patients = {p.id: p for p in session.exec(select(Patient)).all()}
    parent = {o.id: o.parent_id for o in session.exec(select(Organisation)).all()}

    def works_for(person: Staff, organisation: int | None) -> bool:
        mine = person.organisation_id
        return organisation is None or organisation in (mine, parent.get(mine))

    missing = []
    for visit in session.exec(select(VisitRequest).where(VisitRequest.date == day)).all():
        patient = patients[visit.patient_id]
        able = []
        for shift in shifts:
            person = staff[shift.staff_id]
            if not works_for(person, visit.organisation_id):
                continue
            if person.serves and patient.municipality_code not in person.serves:
                continue
            if person.id in patient.refused_staff or not set(visit.skills) <= set(person.skills):
                continue
            if person.skill_level < visit.required_skill_level:
                continue
            start = max(visit.window_start, shift.start_at)
            end = min(visit.window_end, shift.end_at)
            if end - start >= dt.timedelta(minutes=visit.duration_minutes):
                able.append(person)
        enough = len({p.id for p in able}) >= visit.staff_count
        if visit.staff_count == 2:
            enough = enough and any(set(visit.second_staff_skills) <= set(p.skills) for p in able)
        if visit.part_organisation_ids:
            first, second = visit.part_organisation_ids
            enough = enough and any(
                works_for(a, first) and works_for(b, second) and a.id != b.id
                for a in able
                for b in able
            )
        if not enough:
            missing.append(visit)
    return missing
