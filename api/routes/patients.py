"""Patients: coordinators manage those living in their scope; a nurse reads those on their
schedule today or tomorrow, and any other in their municipalities only by emergency access."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from ambulant.auth import access, policy
from ambulant.geocoding.factory import geocoder_from_settings
from ambulant.models import AuditAction, Patient, PatientCreate, PatientPublic, PatientUpdate
from ambulant.models.ranges import FORBID_EXTRA
from ambulant.registry import patients as service
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from api.deps import (
    AuditDep,
    EngineDep,
    Limit,
    MunicipalityQuery,
    Offset,
    PathId,
    PlannerDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)

router = APIRouter(prefix="/patients", tags=["patients"])


@router.post("", status_code=201, response_model=PatientPublic)
def create_patient(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    data: PatientCreate,
    settings: SettingsDep,
    engine: EngineDep,
) -> Patient:
    access.require_municipality(principal, data.municipality_code, field="municipality_code")
    access.staff_refs(session, principal, data.preferred_staff, field="preferred_staff")
    access.staff_refs(session, principal, data.refused_staff, field="refused_staff")
    geocoder = geocoder_from_settings(settings, engine=engine)
    patient = service.create_patient(session, data=data, geocoder=geocoder)
    audit.record(AuditAction.CREATE, "patient", patient.id, patient_id=patient.id)
    return patient


@router.get("", response_model=Page[PatientPublic])
def list_patients(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Patient]:
    page = service.list_patients(
        session,
        municipality=municipality,
        within=policy.municipality_scope(principal),
        limit=limit,
        offset=offset,
    )
    for patient in page.items:
        audit.record(AuditAction.READ, "patient", patient.id, patient_id=patient.id)
    return page


@router.get("/{patient_id}", response_model=PatientPublic)
def read_patient(
    session: SessionDep, principal: PrincipalDep, audit: AuditDep, patient_id: PathId
) -> Patient:
    # Someone else's patient is "not found", exactly like an id nobody has.
    patient = access.visible_patient(session, principal, patient_id)
    audit.record(AuditAction.READ, "patient", patient_id, patient_id=patient_id)
    return patient


class EmergencyAccess(BaseModel):
    model_config = FORBID_EXTRA

    reason: str = Field(
        min_length=10, max_length=500, description="Why the record is needed now (logged)."
    )


@router.post("/{patient_id}/emergency-access", response_model=PatientPublic)
def emergency_access(
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    patient_id: PathId,
    body: EmergencyAccess,
) -> Patient:
    """Break the glass: a nurse reads a patient in a municipality they work in who is not on
    their schedule (a colleague is ill, the patient calls). The reason goes in the audit trail,
    which auditors review."""
    patient = access.emergency_patient(session, principal, patient_id)
    audit.record(
        AuditAction.EMERGENCY_READ,
        "patient",
        patient_id,
        patient_id=patient_id,
        purpose=body.reason,
    )
    return patient


@router.patch("/{patient_id}", response_model=PatientPublic)
def update_patient(
    session: SessionDep,
    principal: PlannerDep,
    audit: AuditDep,
    patient_id: PathId,
    data: PatientUpdate,
    settings: SettingsDep,
    engine: EngineDep,
) -> Patient:
    access.managed_patient(session, principal, patient_id)
    if data.municipality_code is not None:
        access.require_municipality(principal, data.municipality_code, field="municipality_code")
    access.staff_refs(session, principal, data.preferred_staff or [], field="preferred_staff")
    access.staff_refs(session, principal, data.refused_staff or [], field="refused_staff")
    geocoder = geocoder_from_settings(settings, engine=engine)
    patient = service.update_patient(session, patient_id=patient_id, data=data, geocoder=geocoder)
    audit.record(AuditAction.UPDATE, "patient", patient_id, patient_id=patient_id)
    return patient


@router.delete("/{patient_id}", status_code=204)
def delete_patient(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, patient_id: PathId
) -> Response:
    access.managed_patient(session, principal, patient_id)
    service.delete_patient(session, patient_id=patient_id)
    audit.record(AuditAction.DELETE, "patient", patient_id, patient_id=patient_id)
    return Response(status_code=204)
