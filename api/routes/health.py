"""Liveness with a real database round trip, for load balancers and `ambulant run`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: str
    database: str


@router.get(
    "/health",
    response_model=HealthStatus,
    responses={503: {"description": "The database does not answer.", "model": HealthStatus}},
)
def health(engine: EngineDep) -> JSONResponse:
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
