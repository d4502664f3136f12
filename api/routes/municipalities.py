"""The municipalities the service covers, and the bases staff start from."""

from __future__ import annotations

from fastapi import APIRouter

from ambulant.models import Base, BasePublic, Municipality
from ambulant.registry.municipalities import list_bases, list_municipalities
from api.deps import PlannerDep, SessionDep

router = APIRouter(tags=["municipalities"])


@router.get("/municipalities")
def read_municipalities(session: SessionDep, _: PlannerDep) -> list[Municipality]:
    return list_municipalities(session)


@router.get("/bases", response_model=list[BasePublic])
def read_bases(session: SessionDep, _: PlannerDep) -> list[Base]:
    """Where staff start and end their day: the board's map draws them."""
    return list_bases(session)
