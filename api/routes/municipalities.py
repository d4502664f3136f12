"""The municipalities the service covers."""

from __future__ import annotations

from fastapi import APIRouter

from ambulant.models import Municipality
from ambulant.registry.municipalities import list_municipalities
from api.deps import PlannerDep, SessionDep

router = APIRouter(prefix="/municipalities", tags=["municipalities"])


@router.get("")
def read_municipalities(session: SessionDep, _: PlannerDep) -> list[Municipality]:
    return list_municipalities(session)
