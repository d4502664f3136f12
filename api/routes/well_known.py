"""The development issuer's public keys, so other services can verify our tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ambulant.auth import jwks
from api.deps import SettingsDep

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json")
def read_jwks(settings: SettingsDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return jwks(settings)
