"""Care plans: a patient's standing weekly pattern of visits."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.models import CarePlan, CarePlanCreate, CarePlanUpdate, Patient, VisitRequest
from ambulant.registry.lookup import get_or_404, refuse_if_referenced, require_ref
from ambulant.registry.organisations import check_organisation_refs
from ambulant.registry.pagination import DEFAULT_LIMIT, Page, paginate
from ambulant.registry.validation import merged


def create_care_plan(session: Session, *, data: CarePlanCreate) -> CarePlan:
    _check(session, data)
    care_plan = CarePlan.model_validate(data)
    session.add(care_plan)
    session.flush()
    return care_plan


def get_care_plan(session: Session, *, care_plan_id: int) -> CarePlan:
    return get_or_404(session, CarePlan, care_plan_id, what="care plan")


def list_care_plans(
    session: Session,
    *,
    patient_id: int | None = None,
    municipality: str | None = None,
    within: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[CarePlan]:
    """`within` limits the list to patients living in those municipalities (a caller's scope)."""
    query = select(CarePlan)
    if patient_id is not None:
        query = query.where(CarePlan.patient_id == patient_id)
    if municipality is not None or within is not None:
        query = query.join(Patient, col(Patient.id) == col(CarePlan.patient_id))
    if municipality is not None:
        query = query.where(Patient.municipality_code == municipality)
    if within is not None:
        query = query.where(col(Patient.municipality_code).in_(sorted(within)))
    return paginate(session, query, order_by=[col(CarePlan.id)], limit=limit, offset=offset)


def update_care_plan(session: Session, *, care_plan_id: int, data: CarePlanUpdate) -> CarePlan:
    care_plan = get_care_plan(session, care_plan_id=care_plan_id)
    valid = merged(CarePlanCreate, care_plan, data)
    _check(session, valid)
    care_plan.sqlmodel_update(valid.model_dump())
    session.add(care_plan)
    session.flush()
    return care_plan


def delete_care_plan(session: Session, *, care_plan_id: int) -> None:
    care_plan = get_care_plan(session, care_plan_id=care_plan_id)
    refuse_if_referenced(
        session,
        f"care plan {care_plan_id}",
        [("visits", select(VisitRequest.id).where(VisitRequest.care_plan_id == care_plan_id))],
    )
    session.delete(care_plan)
    session.flush()


def _check(session: Session, data: CarePlanCreate) -> None:
    require_ref(session, Patient, data.patient_id, field="patient_id", what="patient")
    check_organisation_refs(session, data.organisation_id, data.part_organisation_ids)
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        raise InvalidInput("valid_to must not be before valid_from", field="valid_to")
