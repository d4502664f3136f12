"""A patient's absences (coordinators, for the patients in their scope): a hospital stay and
the like, days on which the care plans yield no visits (docs/planning.md, "Care plans")."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlmodel import col, select

from ambulant.auth import access
from ambulant.errors import NotFound
from ambulant.models import AuditAction, PatientAbsence, PatientAbsenceCreate, PatientAbsencePublic
from api.deps import AuditDep, PathId, PlannerDep, SessionDep, require_planner

router = APIRouter(
    prefix="/patients/{patient_id}/absences",
    tags=["patients"],
    dependencies=[Depends(require_planner)],
)


@router.post("", status_code=201, response_model=PatientAbsencePublic)
def create_absence(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    patient_id: PathId,
    data: PatientAbsenceCreate,
) -> PatientAbsence:
    access.managed_patient(session, principal, patient_id)
    absence = PatientAbsence.model_validate({**data.model_dump(), "patient_id": patient_id})
    session.add(absence)
    session.flush()
    audit.record(AuditAction.CREATE, "patient_absence", absence.id, patient_id=patient_id)
    return absence


@router.get("", response_model=list[PatientAbsencePublic])
def list_absences(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, patient_id: PathId
) -> list[PatientAbsence]:
    access.managed_patient(session, principal, patient_id)
    audit.record(AuditAction.READ, "patient_absence", None, patient_id=patient_id)
    return list(
        session.exec(
            select(PatientAbsence)
            .where(PatientAbsence.patient_id == patient_id)
            .order_by(col(PatientAbsence.first_day), col(PatientAbsence.id))
        )
    )


@router.delete("/{absence_id}", status_code=204)
def delete_absence(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    patient_id: PathId,
    absence_id: PathId,
) -> Response:
    access.managed_patient(session, principal, patient_id)
    absence = session.get(PatientAbsence, absence_id)
    if absence is None or absence.patient_id != patient_id:
        raise NotFound(f"patient {patient_id} has no absence {absence_id}")
    session.delete(absence)
    session.flush()
    audit.record(AuditAction.DELETE, "patient_absence", absence_id, patient_id=patient_id)
    return Response(status_code=204)
