"""Patients: coordinators manage them; a nurse reads those on their schedule today or tomorrow."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ambulant.auth import policy
from ambulant.errors import Forbidden
from ambulant.models import Patient, PatientCreate, PatientPublic, PatientUpdate
from ambulant.planning.schedule import patient_ids_in_schedule
from ambulant.services import patients as service
from ambulant.services.pagination import DEFAULT_LIMIT, Page
from ambulant.timeutil import now
from api.deps import Limit, MunicipalityQuery, Offset, PlannerDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/patients", tags=["patients"])


@router.post("", status_code=201, response_model=PatientPublic)
def create_patient(session: SessionDep, _: PlannerDep, data: PatientCreate) -> Patient:
    return service.create_patient(session, data=data)


@router.get("", response_model=Page[PatientPublic])
def list_patients(
    session: SessionDep,
    _: PlannerDep,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Patient]:
    return service.list_patients(session, municipality=municipality, limit=limit, offset=offset)


@router.get("/{patient_id}", response_model=PatientPublic)
def read_patient(session: SessionDep, principal: PrincipalDep, patient_id: int) -> Patient:
    scheduled: set[int] = set()
    if not policy.is_planner(principal) and principal.staff_id is not None:
        days = policy.patient_visibility_days(now().date())
        scheduled = patient_ids_in_schedule(session, staff_id=principal.staff_id, days=days)
    # Decided before the lookup: an unknown patient is as forbidden as someone else's.
    if not policy.can_read_patient(principal, patient_id, scheduled):
        raise Forbidden("you may read only patients on your schedule today or tomorrow")
    return service.get_patient(session, patient_id=patient_id)


@router.patch("/{patient_id}", response_model=PatientPublic)
def update_patient(
    session: SessionDep, _: PlannerDep, patient_id: int, data: PatientUpdate
) -> Patient:
    return service.update_patient(session, patient_id=patient_id, data=data)


@router.delete("/{patient_id}", status_code=204)
def delete_patient(session: SessionDep, _: PlannerDep, patient_id: int) -> Response:
    service.delete_patient(session, patient_id=patient_id)
    return Response(status_code=204)
