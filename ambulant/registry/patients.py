"""Patients: who is visited, where they live, and whom they prefer or refuse."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.geocoding.protocol import Geocoder
from ambulant.models import (
    CarePlan,
    Municipality,
    Patient,
    PatientAbsence,
    PatientCreate,
    PatientUpdate,
    Staff,
    VisitRequest,
)
from ambulant.registry.lookup import get_or_404, refuse_if_referenced, require_all, require_ref
from ambulant.registry.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.registry.validation import merged


def create_patient(
    session: Session, *, data: PatientCreate, geocoder: Geocoder | None = None
) -> Patient:
    """Stores a patient; without coordinates the address is geocoded first (an unknown or
    ambiguous address is refused, listing the candidates)."""
    _check_references(session, data)
    data = _with_coordinates(data, geocoder)
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
    within: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[Patient]:
    """`within` limits the list to those municipalities (a caller's scope; None: no limit)."""
    query = select(Patient)
    if municipality is not None:
        query = query.where(Patient.municipality_code == municipality)
    if within is not None:
        query = query.where(col(Patient.municipality_code).in_(sorted(within)))
    return paginate(session, query, order_by=[col(Patient.id)], limit=limit, offset=offset)


def update_patient(
    session: Session,
    *,
    patient_id: int,
    data: PatientUpdate,
    geocoder: Geocoder | None = None,
) -> Patient:
    """A new address without new coordinates is geocoded again: stale coordinates would send
    the nurse to the old home."""
    patient = get_patient(session, patient_id=patient_id)
    patch = data.model_dump(exclude_unset=True)
    if "address" in patch and "lat" not in patch and "lon" not in patch and geocoder is not None:
        data = data.model_copy(update={"lat": None, "lon": None})
    valid = merged(PatientCreate, patient, data)
    _check_references(session, valid)
    valid = _with_coordinates(valid, geocoder)
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
            (
                "absences",
                select(PatientAbsence.id).where(PatientAbsence.patient_id == patient_id),
            ),
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


def _with_coordinates(data: PatientCreate, geocoder: Geocoder | None) -> PatientCreate:
    if data.lat is not None and data.lon is not None:
        return data
    if geocoder is None:
        raise InvalidInput("lat and lon are required when no geocoder is configured", field="lat")
    found = geocoder.geocode(data.address, municipality_code=data.municipality_code)
    return data.model_copy(update={"lat": found.lat, "lon": found.lon})
