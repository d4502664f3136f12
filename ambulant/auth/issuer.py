"""The development token issuer: signs access tokens locally and publishes its public key.

A deployment with a real identity provider (OIDC) stops using this module; the verifier then
reads that provider's JWKS instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jwt

from ambulant.auth.keys import ALGORITHM, load_signing_key
from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.models.vocabulary import Role

TOKEN_TYPE = "at+jwt"  # RFC 9068: marks a JWT as an access token, not an ID token


def issue_token(
    settings: Settings,
    *,
    role: Role,
    staff_id: int | None = None,
    subject: str | None = None,
    ttl_min: int | None = None,
) -> str:
    """A signed RS256 access token for `role` (a nurse's names their staff id)."""
    role = Role(role)
    if role == Role.NURSE and staff_id is None:
        raise InvalidInput("a nurse token needs staff_id", field="staff_id")
    ttl = settings.token_ttl_min if ttl_min is None else ttl_min
    if ttl < 1:
        raise InvalidInput("ttl_min must be at least 1", field="ttl_min")
    key = load_signing_key(settings.signing_key_path)
    issued = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject or _default_subject(role, staff_id),
        "iat": issued,
        "nbf": issued,
        "exp": issued + dt.timedelta(minutes=ttl),
        "jti": uuid.uuid4().hex,
        "role": role.value,
        "staff_id": staff_id,
    }
    headers = {"kid": key.kid, "typ": TOKEN_TYPE}
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)


def jwks(settings: Settings) -> dict[str, Any]:
    """The issuer's public keys as a JSON Web Key Set."""
    return {"keys": [load_signing_key(settings.signing_key_path).public_jwk()]}


def _default_subject(role: Role, staff_id: int | None) -> str:
    return f"staff:{staff_id}" if staff_id is not None else f"dev:{role.value}"
