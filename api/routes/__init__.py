"""Routers per resource, gathered under /api/v1."""

from fastapi import APIRouter

from api.routes import (
    appointments,
    audit,
    bases,
    calendar_links,
    care_plan_generation,
    care_plans,
    events,
    health,
    moves,
    municipalities,
    organisations,
    patient_absences,
    patients,
    plan_jobs,
    plans,
    replan,
    reports,
    shifts,
    staff,
    users,
    visit_status,
    visits,
    well_known,
)

api_router = APIRouter(prefix="/api/v1")
for module in (
    health,
    well_known,
    municipalities,
    organisations,
    staff,
    calendar_links,
    shifts,
    appointments,
    patients,
    care_plan_generation,
    care_plans,
    patient_absences,
    visits,
    plans,
    replan,
    moves,
    visit_status,
    events,
    reports,
    audit,
    bases,
    users,
    plan_jobs,
):
    api_router.include_router(module.router)

__all__ = ["api_router"]
