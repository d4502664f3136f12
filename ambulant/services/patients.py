"""Patients: who is visited, where they live, and whom they prefer or refuse."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ambulant.models import (
    CarePlan,
    Municipality,
    Patient,
    PatientCreate,
    PatientUpdate,
    Staff,
    VisitRequest,
)
from ambulant.services.lookup import get_or_404, refuse_if_referenced, require_all, require_ref
from ambulant.services.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.services.validation import merged


def create_patient(session: Session, *, data: PatientCreate) -> Patient:
    _check_references(session, data)
    patient = Patient.model_validate(data)
    session.add(patient)
    session.flush()
    return patient


def get_patient(session: Session, *, patient_id: int) -> Patient:
    return get_or_404(session, Patient, patient_id, what="patient")


def list_patients(
    session: Session,
    *,
    municipality: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Patient]:
    query = select(Patient)
    if municipality is not None:
        query = query.where(Patient.municipality_code == municipality)
    return paginate(session, query, order_by=[col(Patient.id)], limit=limit, offset=offset)


def update_patient(session: Session, *, patient_id: int, data: PatientUpdate) -> Patient:
    patient = get_patient(session, patient_id=patient_id)
    valid = merged(PatientCreate, patient, data)
    _check_references(session, valid)
    patient.sqlmodel_update(valid.model_dump())
    session.add(patient)
    session.flush()
    return patient


def delete_patient(session: Session, *, patient_id: int) -> None:
    patient = get_patient(session, patient_id=patient_id)
    refuse_if_referenced(
        session,
        f"patient {patient_id}",
        [
            ("visits", select(VisitRequest.id).where(VisitRequest.patient_id == patient_id)),
            ("care plans", select(CarePlan.id).where(CarePlan.patient_id == patient_id)),
        ],
    )
    session.delete(patient)
    session.flush()


def _check_references(session: Session, data: PatientCreate) -> None:
    require_ref(
        session,
        Municipality,
        data.municipality_code,
        field="municipality_code",
        what="municipality",
    )
    require_all(session, Staff, data.preferred_staff, field="preferred_staff", what="staff ids")
    require_all(session, Staff, data.refused_staff, field="refused_staff", what="staff ids")
