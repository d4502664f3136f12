"""The development issuer's public keys, so other services can verify our tokens (404 when an
identity provider issues the tokens instead)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from ambulant.auth import jwks
from ambulant.auth.deployment import uses_development_issuer
from ambulant.errors import NotFound
from api.deps import SettingsDep
from api.security import limit_token_endpoints

router = APIRouter(tags=["auth"])


@router.get(
    "/.well-known/jwks.json",
    dependencies=[Depends(limit_token_endpoints)],
    responses={429: {"description": "Too many requests from this client."}},
)
def read_jwks(settings: SettingsDep, response: Response) -> dict[str, Any]:
    if not uses_development_issuer(settings):
        raise NotFound("no development issuer here: tokens come from the identity provider")
    response.headers["Cache-Control"] = "public, max-age=300"
    return jwks(settings)
