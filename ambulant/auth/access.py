"""The policy applied to rows: find an object for a caller, or answer as if it did not exist.

An object outside the caller's reach is NotFound with the same message as a missing one, and a
reference to it in a request body is the same InvalidInput as a dangling one: nobody learns
whether a patient, a staff member or a plan exists outside their scope. A caller who may see an
object but not change it gets Forbidden (they know it exists already). The API writes every
refusal to the audit trail; a refusal of an object that exists carries a `Denial` naming it
there, which the caller never sees.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from ambulant.auth import policy
from ambulant.auth.principal import Principal
from ambulant.auth.schedule_window import ScheduleWindow, schedule_window
from ambulant.errors import Denial, Forbidden, InvalidInput, NotFound
from ambulant.models import (
    Appointment,
    CarePlan,
    Patient,
    Plan,
    PlanStop,
    Role,
    Shift,
    Staff,
    Team,
    VisitRequest,
)
from ambulant.planning.staff_schedule import (
    StaffCard,
    patient_ids_in_schedule,
    published_plan_for,
    staff_card,
)
from ambulant.timeutil import today


def _missing(what: str, key: object) -> NotFound:
    return NotFound(f"{what} {key} not found")  # as ambulant.registry.lookup.get_or_404 says


def _hidden(
    what: str, key: object, *, patient_id: int | None = None, action: str | None = None
) -> NotFound:
    """The caller's answer is exactly `_missing`'s; the denial is for the audit trail, which
    records every refused attempt on an object that exists."""
    error = _missing(what, key)
    error.denial = Denial(what.replace(" ", "_"), key, patient_id, action)
    return error


def _dangling(field: str, what: str, key: object) -> InvalidInput:
    # As ambulant.registry.lookup.require_ref says.
    return InvalidInput(f"{field}: {what} {key!r} does not exist", field=field)


# Staff and shifts


def staff_visible(principal: Principal, staff: Staff) -> bool:
    return policy.can_see_staff(
        principal,
        staff_id=staff.id,
        employer=staff.municipality_code,
        serves=staff.serves,
        team=staff.team,
    )


def staff_manageable(principal: Principal, staff: Staff) -> bool:
    return policy.can_manage_staff(principal, employer=staff.municipality_code, team=staff.team)


def visible_staff(session: Session, principal: Principal, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise _missing("staff", staff_id)
    if not staff_visible(principal, staff):
        raise _hidden("staff", staff_id)
    return staff


def visible_staff_card(session: Session, principal: Principal, staff_id: int) -> StaffCard:
    """`visible_staff` for the nurse's schedule: the same answers, from one Core row."""
    card = staff_card(session, staff_id)
    if card is None:
        raise _missing("staff", staff_id)
    visible = policy.can_see_staff(
        principal,
        staff_id=card.id,
        employer=card.municipality_code,
        serves=card.serves,
        team=card.team,
    )
    if not visible:
        raise _hidden("staff", staff_id)
    return card


def manageable_staff(session: Session, principal: Principal, staff_id: int) -> Staff:
    staff = visible_staff(session, principal, staff_id)
    if not staff_manageable(principal, staff):
        raise Forbidden(
            f"staff {staff_id} is managed by the planners of another scope",
            denial=Denial("staff", staff_id),
        )
    return staff


def staff_ref(
    session: Session, principal: Principal, staff_id: int, *, field: str, manage: bool = False
) -> Staff:
    """A staff member named in a request body (a shift's, a pinned visit's)."""
    staff = session.get(Staff, staff_id)
    allowed = staff is not None and (
        staff_manageable(principal, staff) if manage else staff_visible(principal, staff)
    )
    if staff is None or not allowed:
        raise _dangling(field, "staff", staff_id)
    return staff


def staff_refs(
    session: Session, principal: Principal, staff_ids: Iterable[int], *, field: str
) -> None:
    """A list of staff ids in a body (a patient's preferred or refused staff): ids outside the
    scope are reported exactly as unknown ones."""
    wanted = set(staff_ids)
    found = session.exec(select(Staff).where(col(Staff.id).in_(wanted))).all() if wanted else []
    seen = {s.id for s in found if staff_visible(principal, s)}
    unknown = sorted(wanted - seen)
    if unknown:
        # As ambulant.registry.lookup.require_all says.
        raise InvalidInput(f"{field}: unknown staff ids {unknown}", field=field)


def visible_shift(
    session: Session, principal: Principal, shift_id: int, *, manage: bool = False
) -> Shift:
    return _visible_staff_time(session, principal, Shift, shift_id, "shift", manage=manage)


def visible_appointment(
    session: Session, principal: Principal, appointment_id: int, *, manage: bool = False
) -> Appointment:
    """As the staff member's shifts: planners who see them, and the staff member herself
    (reading only)."""
    return _visible_staff_time(
        session, principal, Appointment, appointment_id, "appointment", manage=manage
    )


def _visible_staff_time[Timed: (Shift, Appointment)](
    session: Session,
    principal: Principal,
    model: type[Timed],
    row_id: int,
    what: str,
    *,
    manage: bool,
) -> Timed:
    """A shift or an appointment is visible as its staff member is, and managed as they are."""
    row = session.get(model, row_id)
    staff = session.get(Staff, row.staff_id) if row is not None else None
    if row is None or staff is None:
        raise _missing(what, row_id)
    if not staff_visible(principal, staff):
        raise _hidden(what, row_id)
    if manage and not staff_manageable(principal, staff):
        raise Forbidden(
            f"{what} {row_id} is managed by the planners of another scope",
            denial=Denial(what, row_id),
        )
    return row


def require_team(principal: Principal, team: Team | str) -> None:
    limit = policy.team_scope(principal)
    if limit is not None and limit != team:
        raise Forbidden(f"team: you plan for the team {limit.value} only", field="team")


# Patients and what hangs off them


def require_municipality(principal: Principal, code: str, *, field: str) -> None:
    """Creating or moving something into a municipality needs that municipality in scope."""
    if not policy.covers(principal, code):
        raise Forbidden(f"{field}: municipality {code} is outside your scope", field=field)


def nurse_window(session: Session, principal: Principal, staff_id: int) -> ScheduleWindow:
    """Which days of `staff_id` a nurse reads with the patients (ambulant.auth.schedule_window)."""
    return schedule_window(
        session, staff_id=staff_id, today=today(), days_ahead=principal.schedule_days_ahead
    )


def nurse_patient_ids(session: Session, principal: Principal) -> set[int]:
    if principal.role != Role.NURSE or principal.staff_id is None:
        return set()
    days = list(nurse_window(session, principal, principal.staff_id).open_days)
    return patient_ids_in_schedule(session, staff_id=principal.staff_id, days=days)


def patient_visible(session: Session, principal: Principal, patient: Patient) -> bool:
    if policy.covers(principal, patient.municipality_code):
        return True
    return policy.can_see_patient(
        principal,
        patient_id=patient.id,
        municipality_code=patient.municipality_code,
        scheduled_patient_ids=nurse_patient_ids(session, principal),
    )


def visible_patient(session: Session, principal: Principal, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise _missing("patient", patient_id)
    if not patient_visible(session, principal, patient):
        raise _hidden("patient", patient_id, patient_id=patient_id)
    return patient


def emergency_patient(session: Session, principal: Principal, patient_id: int) -> Patient:
    """Emergency access: a nurse reads any patient living where they work (employer or served
    municipalities), with a reason the caller logs. Nobody else has it: planners read their
    scope anyway."""
    if principal.role != Role.NURSE or principal.staff_id is None:
        raise Forbidden(
            "emergency access is for nurses",
            denial=Denial("patient", patient_id, patient_id, "emergency_read"),
        )
    staff = session.get(Staff, principal.staff_id)
    patient = session.get(Patient, patient_id)
    works_there = (
        staff is not None
        and patient is not None
        and (
            patient.municipality_code == staff.municipality_code
            or patient.municipality_code in staff.serves
        )
    )
    if patient is None:
        raise _missing("patient", patient_id)
    if not works_there:
        raise _hidden("patient", patient_id, patient_id=patient_id, action="emergency_read")
    return patient


def managed_patient(session: Session, principal: Principal, patient_id: int) -> Patient:
    """A patient a planner may change (and whose care plans and visits they may change)."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise _missing("patient", patient_id)
    if not policy.covers(principal, patient.municipality_code):
        raise _hidden("patient", patient_id, patient_id=patient_id)
    return patient


def patient_ref(session: Session, principal: Principal, patient_id: int, *, field: str) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or not policy.covers(principal, patient.municipality_code):
        raise _dangling(field, "patient", patient_id)
    return patient


def visible_care_plan(session: Session, principal: Principal, care_plan_id: int) -> CarePlan:
    care_plan = session.get(CarePlan, care_plan_id)
    patient = session.get(Patient, care_plan.patient_id) if care_plan is not None else None
    if care_plan is None or patient is None:
        raise _missing("care plan", care_plan_id)
    if not policy.covers(principal, patient.municipality_code):
        raise _hidden("care plan", care_plan_id, patient_id=patient.id)
    return care_plan


def nurse_visit_ids(session: Session, principal: Principal) -> set[int]:
    """The visits on a nurse's published schedule today and on her next working day."""
    if principal.role != Role.NURSE or principal.staff_id is None:
        return set()
    ids: set[int] = set()
    for day in nurse_window(session, principal, principal.staff_id).open_days:
        plan = published_plan_for(session, staff_id=principal.staff_id, day=day)
        if plan is None:
            continue
        rows = session.exec(
            select(PlanStop.visit_id).where(
                PlanStop.plan_id == plan.id,
                PlanStop.staff_id == principal.staff_id,
                col(PlanStop.visit_id).is_not(None),
            )
        )
        ids.update(v for v in rows.all() if v is not None)
    return ids


def visible_visit(
    session: Session, principal: Principal, visit_id: int, *, manage: bool = False
) -> VisitRequest:
    visit = session.get(VisitRequest, visit_id)
    patient = session.get(Patient, visit.patient_id) if visit is not None else None
    if visit is None or patient is None:
        raise _missing("visit", visit_id)
    if policy.covers(principal, patient.municipality_code):
        return visit
    if not manage and visit_id in nurse_visit_ids(session, principal):
        return visit
    raise _hidden("visit", visit_id, patient_id=patient.id)


def visit_ref(session: Session, principal: Principal, visit_id: int, *, field: str) -> None:
    try:
        visible_visit(session, principal, visit_id, manage=True)
    except NotFound:
        raise _dangling(field, "visit", visit_id) from None


# Plans


def visible_plan(session: Session, principal: Principal, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise _missing("plan", plan_id)
    if not policy.can_see_plan(principal, plan.scope):
        raise _hidden("plan", plan_id)
    return plan


def require_planning(principal: Principal, scope: str) -> None:
    """Requesting or publishing a plan of `scope` (scopes are municipalities: no secret)."""
    if not policy.can_make_plans(principal, scope):
        raise Forbidden(f"scope: you may not plan {scope!r}", field="scope")


def visible_plan_scopes(principal: Principal) -> frozenset[str] | None:
    """The plan scopes a planner's plan lists hold; None means every scope ('all' included)."""
    return policy.municipality_scope(principal)
