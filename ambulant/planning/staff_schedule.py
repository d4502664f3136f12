"""A staff member's day as published: what a nurse sees on the phone. A split shift shows as its
shifts, each with its own departure, return and break; the time off between them is not a stop
(the stored `off_duty` stop marks where one shift ends and the next begins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ambulant.errors import NotFound
from ambulant.models import (
    Appointment,
    Base,
    Patient,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Shift,
    Staff,
    VisitRequest,
)
from ambulant.planning.problem_builder import appointment_point
from ambulant.planning.store import OFF_DUTY
from ambulant.planning.views import Schedule, ScheduleShift, ScheduleStop


def published_plan_for(session: Session, *, staff_id: int, day: dt.date) -> Plan | None:
    """The newest published plan of `day` that has a route for the staff member."""
    query = (
        select(Plan)
        .join(PlanRoute, col(PlanRoute.plan_id) == col(Plan.id))
        .where(
            Plan.date == day,
            Plan.status == PlanStatus.PUBLISHED,
            PlanRoute.staff_id == staff_id,
        )
        .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
    )
    return session.exec(query).first()


def published_plan_covering(
    session: Session, *, municipality_code: str, day: dt.date
) -> Plan | None:
    """The newest published plan of `day` whose scope takes in the staff member (all, or the
    municipality employing them), whether or not it gave them a route."""
    query = (
        select(Plan)
        .where(
            Plan.date == day,
            Plan.status == PlanStatus.PUBLISHED,
            col(Plan.scope).in_(["all", municipality_code]),
        )
        .order_by(col(Plan.published_at).desc(), col(Plan.id).desc())
    )
    return session.exec(query).first()


@dataclass(frozen=True)
class StaffCard:
    """What a schedule shows of its staff member, and what deciding who may read it takes."""

    id: int
    name: str
    municipality_code: str
    serves: list[str]
    team: str


# The nurse's schedule is the most read thing in the service, so its statements are built once
# and run as Core on the session's connection: rows, not ORM objects, and no statement to build
# and hash per request (measured in docs/benchmarks.md, "Many nurses at once").
_STAFF_T = Staff.metadata.tables["staff"]
_PLAN_T = Plan.metadata.tables["plan"]
_ROUTE_T = PlanRoute.metadata.tables["planroute"]
_STOP_T = PlanStop.metadata.tables["planstop"]
_VISIT_T = VisitRequest.metadata.tables["visitrequest"]
_PATIENT_T = Patient.metadata.tables["patient"]

_STAFF_CARD = core_select(
    _STAFF_T.c.id,
    _STAFF_T.c.name,
    _STAFF_T.c.municipality_code,
    _STAFF_T.c.serves,
    _STAFF_T.c.team,
).where(_STAFF_T.c.id == bindparam("staff_id"))

# The newest published plan of the day with a route for the staff member, and that route.
_PLAN_AND_ROUTE = (
    core_select(
        _PLAN_T.c.id,
        _PLAN_T.c.version,
        _PLAN_T.c.published_at,
        _PLAN_T.c.travel_estimated,
        _ROUTE_T.c.departure_at,
        _ROUTE_T.c.return_at,
        _ROUTE_T.c.travel_s,
        _ROUTE_T.c.distance_m,
    )
    .join(_ROUTE_T, _ROUTE_T.c.plan_id == _PLAN_T.c.id)
    .where(
        _PLAN_T.c.date == bindparam("day"),
        _PLAN_T.c.status == PlanStatus.PUBLISHED.value,
        _ROUTE_T.c.staff_id == bindparam("staff_id"),
    )
    .order_by(_PLAN_T.c.published_at.desc(), _PLAN_T.c.id.desc(), _ROUTE_T.c.id)
    .limit(1)
)

_STOPS = (
    core_select(
        _STOP_T.c.sequence,
        _STOP_T.c.kind,
        _STOP_T.c.visit_id,
        _STOP_T.c.appointment_id,
        _STOP_T.c.arrival_at,
        _STOP_T.c.start_at,
        _STOP_T.c.end_at,
        _STOP_T.c.travel_s,
        _STOP_T.c.distance_m,
        _VISIT_T.c.description,
        _VISIT_T.c.staff_count,
        _PATIENT_T.c.id.label("patient_id"),
        _PATIENT_T.c.name.label("patient_name"),
        _PATIENT_T.c.address,
        _PATIENT_T.c.lat,
        _PATIENT_T.c.lon,
        _PATIENT_T.c.notes,
    )
    .outerjoin(_VISIT_T, _VISIT_T.c.id == _STOP_T.c.visit_id)
    .outerjoin(_PATIENT_T, _PATIENT_T.c.id == _VISIT_T.c.patient_id)
    .where(_STOP_T.c.plan_id == bindparam("plan_id"), _STOP_T.c.staff_id == bindparam("staff_id"))
    .order_by(_STOP_T.c.sequence)
)


def staff_card(session: Session, staff_id: int) -> StaffCard | None:
    row = session.connection().execute(_STAFF_CARD, {"staff_id": staff_id}).first()
    if row is None:
        return None
    return StaffCard(
        id=row.id,
        name=row.name,
        municipality_code=row.municipality_code,
        serves=list(row.serves or []),
        team=row.team,
    )


def staff_schedule(
    session: Session, *, staff_id: int, day: dt.date, staff: StaffCard | None = None
) -> Schedule:
    """The staff member's day; `staff` saves looking them up again when the caller has."""
    staff = staff or staff_card(session, staff_id)
    if staff is None:
        raise NotFound(f"staff {staff_id} not found")
    connection = session.connection()
    plan = connection.execute(_PLAN_AND_ROUTE, {"day": day, "staff_id": staff_id}).first()
    if plan is None:
        # The solver gives no route to someone it sends nowhere; their day is still published.
        return _idle_schedule(session, staff=staff, day=day)
    rows = connection.execute(_STOPS, {"plan_id": plan.id, "staff_id": staff_id}).all()
    appointments = _appointments(session, [r.appointment_id for r in rows if r.appointment_id])
    bases: dict[int | None, Base] = {}
    if appointments:
        bases = {b.id: b for b in session.exec(select(Base)).all()}
    stops = []
    off_duty: list[Row[*tuple[Any, ...]]] = []
    for row in rows:
        if row.kind == OFF_DUTY:
            off_duty.append(row)
            continue
        view = _schedule_stop(row, shift=len(off_duty) + 1)
        appointment = appointments.get(row.appointment_id)
        if appointment is not None:
            _describe_appointment(view, appointment, bases)
        stops.append(view)
    return Schedule(
        staff_id=staff_id,
        staff_name=staff.name,
        date=day,
        plan_id=plan.id,
        plan_version=plan.version,
        published_at=plan.published_at,
        departure_at=plan.departure_at,
        return_at=plan.return_at,
        travel_s=plan.travel_s,
        distance_m=plan.distance_m,
        travel_estimated=plan.travel_estimated,
        stops=stops,
        # The roster is read only for a split day: a day of one shift costs no extra statement.
        shifts=_planned_shifts(
            plan, off_duty, stops, _day_shifts(session, staff_id, day) if off_duty else []
        ),
    )


def _appointments(session: Session, ids: list[int]) -> dict[int | None, Appointment]:
    if not ids:
        return {}
    found = session.exec(select(Appointment).where(col(Appointment.id).in_(ids))).all()
    return {a.id: a for a in found}


def _day_shifts(session: Session, staff_id: int, day: dt.date) -> list[Shift]:
    return list(
        session.exec(
            select(Shift)
            .where(Shift.staff_id == staff_id, Shift.date == day)
            .order_by(col(Shift.start_at))
        )
    )


def _planned_shifts(
    route: Row[*tuple[Any, ...]],
    off_duty: list[Row[*tuple[Any, ...]]],
    stops: list[ScheduleStop],
    rostered: list[Shift],
) -> list[ScheduleShift]:
    """Each shift between the day's departure, the times off and the return: it starts when the
    nurse leaves for its first visit or appointment (not before the time off ends) and ends when
    she is back for the next time off (or home)."""
    count = len(off_duty) + 1
    shifts = []
    for number in range(1, count + 1):
        own = [s for s in stops if s.shift == number]
        if number == 1:
            departure = route.departure_at
        else:
            off_end = off_duty[number - 2].end_at
            first = next((s for s in own if s.kind != "break"), None)
            departure = off_end
            if first is not None:
                departure = max(off_end, first.arrival_at - dt.timedelta(seconds=first.travel_s))
        back = route.return_at if number == count else off_duty[number - 1].arrival_at
        brk = next((s for s in own if s.kind == "break"), None)
        roster = rostered[number - 1] if len(rostered) == count else None
        if roster is not None and all(s.kind == "break" for s in own):
            # Nothing to drive to in this shift: it is the shift itself, as on an idle day.
            departure, back = roster.start_at, roster.end_at
        shifts.append(
            ScheduleShift(
                number=number,
                start_at=roster.start_at if roster else None,
                end_at=roster.end_at if roster else None,
                departure_at=departure,
                return_at=back,
                break_start_at=brk.start_at if brk else None,
                break_end_at=brk.end_at if brk else None,
            )
        )
    return shifts


def _idle_schedule(session: Session, *, staff: StaffCard, day: dt.date) -> Schedule:
    """The day of a staff member on shift whom the published plan sends to no visit: the shifts
    and their breaks, no stops to drive to. A missing shift or plan is a 404 naming which."""
    shifts = _day_shifts(session, staff.id, day)
    if not shifts:
        raise NotFound(f"staff {staff.id} has no shift on {day.isoformat()}", field="date")
    plan = published_plan_covering(session, municipality_code=staff.municipality_code, day=day)
    if plan is None or plan.id is None:
        raise NotFound(f"no published plan for staff {staff.id} on {day.isoformat()}", field="date")
    stops: list[ScheduleStop] = []
    views = []
    for number, shift in enumerate(shifts, start=1):
        view = ScheduleShift(
            number=number,
            start_at=shift.start_at,
            end_at=shift.end_at,
            departure_at=shift.start_at,
            return_at=shift.end_at,
        )
        if shift.break_minutes > 0:
            # Where the solver puts a break on a route with nothing before it: as early as
            # allowed.
            start = shift.break_earliest or shift.start_at
            view.break_start_at = start
            view.break_end_at = start + dt.timedelta(minutes=shift.break_minutes)
            stops.append(
                ScheduleStop(
                    sequence=len(stops) + 1,
                    kind="break",
                    visit_id=None,
                    arrival_at=start,
                    start_at=start,
                    end_at=view.break_end_at,
                    travel_s=0,
                    distance_m=0,
                    shift=number,
                )
            )
        views.append(view)
    return Schedule(
        staff_id=staff.id,
        staff_name=staff.name,
        date=day,
        plan_id=plan.id,
        plan_version=plan.version,
        published_at=plan.published_at,
        departure_at=shifts[0].start_at,
        return_at=shifts[-1].end_at,
        travel_s=0,
        distance_m=0,
        travel_estimated=plan.travel_estimated,
        stops=stops,
        shifts=views,
    )


def _schedule_stop(row: Row[*tuple[Any, ...]], *, shift: int) -> ScheduleStop:
    # One constructor call from a plain dict: each attribute set afterwards would be validated
    # on its own, and this runs for every stop of every read.
    stop = row._asdict()
    fields = {key: stop[key] for key in STOP_FIELDS} | {"shift": shift}
    if stop["visit_id"] is not None and stop["patient_id"] is not None:
        lat, lon = stop["lat"], stop["lon"]
        fields |= {
            "patient_id": stop["patient_id"],
            "patient_name": stop["patient_name"],
            "address": stop["address"],
            "lat": lat,
            "lon": lon,
            "notes": stop["notes"],
            "description": stop["description"],
            "joint": stop["staff_count"] > 1,
            # A geo: URI (RFC 5870) opens the phone's own map app; no third party sees the
            # address.
            "navigation_url": f"geo:{lat:.6f},{lon:.6f}",
        }
    return ScheduleStop(**fields)


STOP_FIELDS = (
    "sequence",
    "kind",
    "visit_id",
    "appointment_id",
    "arrival_at",
    "start_at",
    "end_at",
    "travel_s",
    "distance_m",
)


def _describe_appointment(
    view: ScheduleStop, appointment: Appointment, bases: dict[int | None, Base]
) -> None:
    """What the nurse needs to get there: the title and the place (the base's name if held at
    one). An appointment deleted after planning keeps its time and loses the rest."""
    view.title = appointment.title
    base = bases.get(appointment.base_id) if appointment.base_id is not None else None
    view.address = appointment.address or (base.name if base is not None else None)
    point = appointment_point(appointment, bases)
    if point is not None:
        view.lat, view.lon = point.lat, point.lon
        view.navigation_url = f"geo:{point.lat:.6f},{point.lon:.6f}"


def patient_ids_in_schedule(session: Session, *, staff_id: int, days: list[dt.date]) -> set[int]:
    """Patients a staff member visits on any of `days` in the published plans: what a nurse may
    read."""
    ids: set[int] = set()
    for day in days:
        plan = published_plan_for(session, staff_id=staff_id, day=day)
        if plan is None:
            continue
        rows = session.exec(
            select(VisitRequest.patient_id)
            .join(PlanStop, col(PlanStop.visit_id) == col(VisitRequest.id))
            .where(PlanStop.plan_id == plan.id, PlanStop.staff_id == staff_id)
        )
        ids.update(rows.all())
    return ids
