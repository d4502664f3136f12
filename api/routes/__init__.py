"""Routers per resource, gathered under /api/v1."""

from fastapi import APIRouter

from api.routes import (
    appointments,
    audit,
    calendar_links,
    care_plans,
    events,
    health,
    moves,
    municipalities,
    organisations,
    patients,
    plan_jobs,
    plans,
    replan,
    reports,
    shifts,
    staff,
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
    care_plans,
    visits,
    plans,
    replan,
    moves,
    visit_status,
    events,
    reports,
    audit,
    plan_jobs,
):
    api_router.include_router(module.router)

__all__ = ["api_router"]
