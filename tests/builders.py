"""Small, readable data sets for tests: a tiny region with sane defaults, overridable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from ambulant.models import (
    Base,
    Discipline,
    Municipality,
    Patient,
    Shift,
    Staff,
    StartFrom,
    VisitRequest,
)
from ambulant.timeutil import local

DAY = dt.date(2026, 11, 25)  # a Wednesday
STJORDAL = "5035"
MERAKER = "5034"


@dataclass
class TinyRegion:
    day: dt.date
    base: Base
    staff: list[Staff] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    visits: list[VisitRequest] = field(default_factory=list)


def add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()  # tables have no relationships, so inserts are not ordered by foreign key
    return row


def make_region(session: Session, *, day: dt.date = DAY) -> TinyRegion:
    add(session, Municipality(code=STJORDAL, name="Stjørdal"))
    add(session, Municipality(code=MERAKER, name="Meråker"))
    base = add(
        session,
        Base(name="Home care Stjørdal", municipality_code=STJORDAL, lat=63.4695, lon=10.919),
    )
    return TinyRegion(day=day, base=base)


def make_staff(session: Session, region: TinyRegion, **overrides: Any) -> Staff:
    values: dict[str, Any] = {
        "name": f"Nurse {len(region.staff) + 1}",
        "discipline": Discipline.REGISTERED_NURSE,
        "skills": ["medication", "wound_care", "personal_care"],
        "municipality_code": STJORDAL,
        "serves": [],
        "start_from": StartFrom.BASE,
        "base_id": region.base.id,
    }
    shift_start = overrides.pop("shift_start", dt.time(7, 30))
    shift_end = overrides.pop("shift_end", dt.time(15, 0))
    values.update(overrides)
    staff = add(session, Staff(**values))
    add(
        session,
        Shift(
            staff_id=staff.id,
            date=region.day,
            start_at=local(region.day, shift_start),
            end_at=local(region.day, shift_end),
            break_minutes=30,
            break_earliest=local(region.day, dt.time(11, 0)),
            break_latest=local(region.day, dt.time(12, 30)),
        ),
    )
    region.staff.append(staff)
    return staff


def make_patient(session: Session, region: TinyRegion, **overrides: Any) -> Patient:
    n = len(region.patients) + 1
    values: dict[str, Any] = {
        "name": f"Patient {n}",
        "address": f"Testvegen {n}, Stjørdal",
        "lat": 63.46 + 0.004 * n,
        "lon": 10.90 + 0.01 * n,
        "municipality_code": STJORDAL,
        "notes": "Key box by the door.",
    }
    values.update(overrides)
    patient = add(session, Patient(**values))
    region.patients.append(patient)
    return patient


def make_visit(
    session: Session, region: TinyRegion, patient: Patient, **overrides: Any
) -> VisitRequest:
    start = overrides.pop("start", dt.time(9, 0))
    end = overrides.pop("end", dt.time(13, 0))
    values: dict[str, Any] = {
        "patient_id": patient.id,
        "description": "Medication",
        "window_start": local(region.day, start),
        "window_end": local(region.day, end),
        "duration_minutes": 30,
        "skills": ["medication"],
        "date": region.day,
    }
    values.update(overrides)
    visit = add(session, VisitRequest(**values))
    region.visits.append(visit)
    return visit


def make_small_day(session: Session) -> TinyRegion:
    """Two nurses, four patients, five visits (one joint), all plannable."""
    region = make_region(session)
    make_staff(session, region)
    make_staff(session, region, name="Nurse 2")
    for _ in range(4):
        patient = make_patient(session, region)
        make_visit(session, region, patient)
    make_visit(
        session,
        region,
        region.patients[0],
        description="Transfer with two staff",
        skills=["personal_care"],
        staff_count=2,
        start=dt.time(13, 0),
        end=dt.time(14, 30),
    )
    session.commit()
    return region
