"""Turns a day's stored staff, shifts and visit requests into the solver's Problem.

This is where dates become seconds, places become matrix indices and database ids become the
solver's string ids; `BuiltProblem` keeps the way back. A staff member with several shifts on the
day (a split shift: a morning at the medical centre, visits in the evening) is one solver staff
member whose day has time off between the shifts; organisations become the ids of a staff
member's organisation and those it is part of.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

import solver
from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.models import (
    Appointment,
    Base,
    Organisation,
    Patient,
    Shift,
    Staff,
    StartFrom,
    VisitRequest,
)
from ambulant.models.vocabulary import Priority
from ambulant.planning.seen_staff import seen_staff
from ambulant.registry.organisations import with_parents
from ambulant.timeutil import to_day_seconds
from ambulant.travel import Point, TravelMatrix, TravelTimes

PRIORITY = {
    Priority.URGENT: solver.Priority.URGENT,
    Priority.HIGH: solver.Priority.HIGH,
    Priority.NORMAL: solver.Priority.NORMAL,
    Priority.LOW: solver.Priority.LOW,
}


@dataclass
class BuiltProblem:
    day: dt.date
    problem: solver.Problem
    matrix: TravelMatrix
    points: list[Point]
    staff: dict[int, Staff]
    visits: dict[int, VisitRequest]
    patients: dict[int, Patient]
    warnings: list[str] = field(default_factory=list)
    extra_locations: list[int] = field(default_factory=list)
    """Matrix indices of `extra_points`, in their order (replanning: where staff are now)."""
    appointments: dict[int, Appointment] = field(default_factory=dict)
    """The fixed appointments in the problem, by id."""
    shifts: dict[int, list[Shift]] = field(default_factory=dict)
    """Per staff member the shifts of the day in the problem, in time order."""


class _Locations:
    """Deduplicated points; the solver sees only their indices."""

    def __init__(self) -> None:
        self.points: list[Point] = []
        self._index: dict[tuple[float, float], int] = {}

    def index(self, lat: float, lon: float) -> int:
        key = (round(lat, 6), round(lon, 6))
        if key not in self._index:
            self._index[key] = len(self.points)
            self.points.append(Point(lat, lon))
        return self._index[key]


def staff_in_scope(session: Session, *, day: dt.date, scope: str) -> list[tuple[Staff, Shift]]:
    query = select(Staff, Shift).join(Shift, col(Shift.staff_id) == col(Staff.id))
    query = query.where(Shift.date == day).order_by(col(Staff.id), col(Shift.start_at))
    if scope != "all":
        query = query.where(Staff.municipality_code == scope)
    return [(s, sh) for s, sh in session.exec(query).all()]


def visits_in_scope(
    session: Session, *, day: dt.date, scope: str
) -> list[tuple[VisitRequest, Patient]]:
    query = select(VisitRequest, Patient).join(
        Patient, col(Patient.id) == col(VisitRequest.patient_id)
    )
    query = query.where(VisitRequest.date == day).order_by(col(VisitRequest.id))
    if scope != "all":
        query = query.where(Patient.municipality_code == scope)
    return [(v, p) for v, p in session.exec(query).all()]


def build_problem(
    session: Session,
    *,
    day: dt.date,
    scope: str,
    travel: TravelTimes,
    settings: Settings,
    extra_points: Sequence[Point] = (),
    extra_visits: Sequence[tuple[VisitRequest, Patient]] = (),
) -> BuiltProblem:
    """`extra_points` join the travel matrix; `extra_visits` are visits not stored (yet), e.g.
    one a coordinator asks a recommendation for."""
    rows = staff_in_scope(session, day=day, scope=scope)
    if not rows:
        raise InvalidInput(f"no shifts on {day} in scope {scope!r}", field="date")
    warnings: list[str] = []
    locations = _Locations()
    bases = {b.id: b for b in session.exec(select(Base)).all()}

    organisations = {o.id: o for o in session.exec(select(Organisation)).all()}
    staff_by_id: dict[int, Staff] = {}
    shifts_of: dict[int, list[Shift]] = {}
    for member, shift in rows:
        assert member.id is not None
        staff_by_id[member.id] = member
        shifts_of.setdefault(member.id, []).append(shift)
    solver_staff: list[solver.Staff] = []
    stored = appointments_on(session, day=day, staff_ids=list(staff_by_id))
    appointments: dict[int, Appointment] = {}
    for staff_id, member in staff_by_id.items():
        shifts_of[staff_id] = day_shifts = apart(shifts_of[staff_id], warnings)
        start = _start_location(member, bases, locations)
        member_appointments = _solver_appointments(
            stored.get(staff_id, []), day_shifts, day, bases, locations, warnings
        )
        appointments.update((int(kept.id), row) for kept, row in member_appointments)
        solver_staff.append(
            _solver_staff(
                member,
                day_shifts,
                start,
                day,
                settings,
                tuple(a for a, _ in member_appointments),
                organisations_of(organisations, member.organisation_id),
            )
        )

    visit_rows = visits_in_scope(session, day=day, scope=scope) + list(extra_visits)
    visits = {v.id: v for v, _ in visit_rows if v.id is not None}
    patients = {p.id: p for _, p in visit_rows if p.id is not None}
    familiar = seen_staff(session, day=day, patient_ids=[p for p in patients if p is not None])
    solver_visits = [
        _solver_visit(v, p, locations.index(p.lat, p.lon), day, familiar.get(p.id or 0))
        for v, p in visit_rows
    ]
    dependencies = _dependencies(visits, warnings)

    extra_locations = [locations.index(p.lat, p.lon) for p in extra_points]
    matrix = travel.matrix(locations.points)
    problem = solver.Problem(
        staff=tuple(solver_staff),
        visits=tuple(solver_visits),
        travel_s=tuple(tuple(row) for row in matrix.durations_s),
        dependencies=tuple(dependencies),
    )
    return BuiltProblem(
        day=day,
        problem=problem,
        matrix=matrix,
        points=locations.points,
        staff=staff_by_id,
        visits=visits,
        patients=patients,
        warnings=warnings,
        extra_locations=extra_locations,
        appointments=appointments,
        shifts=shifts_of,
    )


def apart(shifts: Sequence[Shift], warnings: list[str]) -> list[Shift]:
    """The day's shifts in time order, each after the one before; one overlapping an earlier one
    (stored before overlaps were refused) is left out with a warning."""
    kept: list[Shift] = []
    for shift in sorted(shifts, key=lambda s: (s.start_at, s.id or 0)):
        if kept and shift.start_at < kept[-1].end_at:
            warnings.append(
                f"shift {shift.id} of staff {shift.staff_id} overlaps shift {kept[-1].id}; "
                "it is not in the plan"
            )
            continue
        kept.append(shift)
    return kept


def organisations_of(
    organisations: dict[int | None, Organisation], organisation_id: int | None
) -> frozenset[str]:
    """A staff member's organisation and those it is part of, as the solver's ids."""
    if organisation_id is None:
        return frozenset()
    known = {k: o for k, o in organisations.items() if k is not None}
    return frozenset(str(i) for i in with_parents(known, organisation_id))


def _start_location(member: Staff, bases: dict[int | None, Base], locations: _Locations) -> int:
    if member.start_from == StartFrom.HOME and member.home_lat is not None:
        assert member.home_lon is not None
        return locations.index(member.home_lat, member.home_lon)
    base = bases.get(member.base_id)
    if base is None:
        raise InvalidInput(f"staff {member.id} has no base to start from", field="base_id")
    return locations.index(base.lat, base.lon)


def appointments_on(
    session: Session, *, day: dt.date, staff_ids: Sequence[int]
) -> dict[int, list[Appointment]]:
    """The day's appointments of these staff members, by staff id, in time order."""
    if not staff_ids:
        return {}
    query = (
        select(Appointment)
        .where(Appointment.date == day, col(Appointment.staff_id).in_(sorted(set(staff_ids))))
        .order_by(col(Appointment.start_at), col(Appointment.id))
    )
    found: dict[int, list[Appointment]] = {}
    for appointment in session.exec(query):
        found.setdefault(appointment.staff_id, []).append(appointment)
    return found


def appointment_point(appointment: Appointment, bases: dict[int | None, Base]) -> Point | None:
    """Where an appointment is held: its base, or its own point (None: the base is gone)."""
    if appointment.base_id is not None:
        base = bases.get(appointment.base_id)
        return None if base is None else Point(base.lat, base.lon)
    if appointment.lat is None or appointment.lon is None:
        return None
    return Point(appointment.lat, appointment.lon)


def _solver_appointments(
    stored: Sequence[Appointment],
    shifts: Sequence[Shift],
    day: dt.date,
    bases: dict[int | None, Base],
    locations: _Locations,
    warnings: list[str],
) -> list[tuple[solver.Appointment, Appointment]]:
    """The appointments the solver can keep: inside a shift, not overlapping an earlier one.
    Any other is left out with a warning rather than failing the whole plan."""
    spans = [(to_day_seconds(day, s.start_at), to_day_seconds(day, s.end_at)) for s in shifts]
    kept: list[tuple[solver.Appointment, Appointment]] = []
    for appointment in stored:
        start_s = to_day_seconds(day, appointment.start_at)
        end_s = to_day_seconds(day, appointment.end_at)
        point = appointment_point(appointment, bases)
        problem = None
        if point is None:
            problem = "has no place"
        elif not any(start <= start_s and end_s <= end for start, end in spans):
            problem = "lies outside the shift" if len(spans) == 1 else "lies outside the shifts"
        elif kept and start_s < kept[-1][0].end_s:
            problem = f"overlaps appointment {kept[-1][1].id}"
        if problem is not None or point is None:
            warnings.append(
                f"appointment {appointment.id} of staff {appointment.staff_id} {problem}; "
                "it is not in the plan"
            )
            continue
        location = locations.index(point.lat, point.lon)
        kept.append(
            (solver.Appointment(str(appointment.id), start_s, end_s, location), appointment)
        )
    return kept


def _solver_staff(
    member: Staff,
    shifts: Sequence[Shift],
    location: int,
    day: dt.date,
    settings: Settings,
    appointments: tuple[solver.Appointment, ...] = (),
    organisations: frozenset[str] = frozenset(),
) -> solver.Staff:
    """One staff member's day: from the first shift's start to the last one's end, with time
    off between shifts that do not follow on at once, and each shift's break."""
    spans = [(to_day_seconds(day, s.start_at), to_day_seconds(day, s.end_at)) for s in shifts]
    breaks: list[solver.Break] = []
    for shift in shifts:
        if shift.break_minutes > 0:
            earliest = to_day_seconds(day, shift.break_earliest or shift.start_at)
            latest = to_day_seconds(day, shift.break_latest or shift.end_at)
            breaks.append(solver.Break(shift.break_minutes * 60, earliest, latest))
    off_duty = tuple(
        solver.OffDuty(end, start)
        for (_, end), (start, _) in itertools.pairwise(spans)
        if start > end
    )
    return solver.Staff(
        id=str(member.id),
        shift_start_s=spans[0][0],
        shift_end_s=spans[-1][1],
        start_location=location,
        end_location=location,
        skills=frozenset(str(s) for s in member.skills),
        breaks=tuple(breaks),
        municipalities=frozenset(member.serves),
        home_municipality=member.municipality_code,
        max_overtime_s=settings.max_overtime_min * 60,
        appointments=appointments,
        skill_level=member.skill_level,
        organisations=organisations,
        off_duty=off_duty,
    )


def _solver_visit(
    visit: VisitRequest,
    patient: Patient,
    location: int,
    day: dt.date,
    seen: frozenset[int] | None = None,
) -> solver.Visit:
    duration_s = visit.duration_minutes * 60
    earliest = to_day_seconds(day, visit.window_start)
    latest = to_day_seconds(day, visit.window_end) - duration_s
    part_skills: tuple[frozenset[str], ...] = ()
    if visit.staff_count == 2 and visit.second_staff_skills:
        part_skills = (frozenset(), frozenset(str(s) for s in visit.second_staff_skills))
    return solver.Visit(
        id=str(visit.id),
        location=location,
        duration_s=duration_s,
        earliest_start_s=earliest,
        latest_start_s=max(earliest, latest),
        skills=frozenset(str(s) for s in visit.skills),
        staff_count=visit.staff_count,
        part_skills=part_skills,
        priority=PRIORITY[Priority(visit.priority)],
        pinned_staff=(str(visit.pinned_staff_id),) if visit.pinned_staff_id else (),
        refused_staff=frozenset(str(s) for s in patient.refused_staff),
        preferred_staff=frozenset(str(s) for s in patient.preferred_staff),
        municipality=patient.municipality_code,
        skill_level=visit.required_skill_level,
        series=series_key(patient.id, visit.series),
        organisation=None if visit.organisation_id is None else str(visit.organisation_id),
        part_organisations=_part_organisations(visit),
        seen_staff=frozenset(str(s) for s in seen or ()),
    )


def _part_organisations(visit: VisitRequest) -> tuple[str | None, ...]:
    parts = visit.part_organisation_ids or []
    if len(parts) != visit.staff_count:
        return ()
    return tuple(None if i is None else str(i) for i in parts)


def series_key(patient_id: int | None, series: str | None) -> str | None:
    """Series are named per patient: two patients' "medication" series are not tied together."""
    return None if series is None else f"patient {patient_id}: {series}"


def _dependencies(
    visits: dict[int, VisitRequest], warnings: list[str]
) -> Sequence[solver.Dependency]:
    deps: list[solver.Dependency] = []
    for visit in visits.values():
        if visit.depends_on_id is None:
            continue
        if visit.depends_on_id not in visits:
            warnings.append(
                f"visit {visit.id} depends on visit {visit.depends_on_id}, which is not in this "
                "plan; the dependency is not enforced"
            )
            continue
        deps.append(
            solver.Dependency(
                before=str(visit.depends_on_id),
                after=str(visit.id),
                min_lag_s=visit.min_lag_minutes * 60,
                max_lag_s=None if visit.max_lag_minutes is None else visit.max_lag_minutes * 60,
                # Read back from the database these are plain strings, from a schema enums.
                anchor=str(visit.dependency_anchor),
                staff=str(visit.dependency_staff),
            )
        )
    return deps
