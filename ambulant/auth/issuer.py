"""The development token issuer: signs access tokens locally and publishes its public key.

Its tokens prove only who someone is (`sub`), exactly as HelseID's do; what they may do comes
from the user table (`ambulant.auth.users`). A deployment with an OIDC provider sets
`oidc_jwks_url` and never uses this module; production refuses to start without one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jwt

from ambulant.auth.keys import ALGORITHM, load_signing_key
from ambulant.config import Settings
from ambulant.errors import InvalidInput

TOKEN_TYPE = "at+jwt"  # RFC 9068: marks a JWT as an access token, not an ID token


def issue_token(
    settings: Settings,
    *,
    subject: str,
    hpr_number: str | None = None,
    ttl_min: int | None = None,
) -> str:
    """A signed RS256 access token for `subject`."""
    if not subject:
        raise InvalidInput("subject must not be empty", field="subject")
    ttl = settings.token_ttl_min if ttl_min is None else ttl_min
    if ttl < 1:
        raise InvalidInput("ttl_min must be at least 1", field="ttl_min")
    key = load_signing_key(settings.signing_key_path)
    issued = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + dt.timedelta(minutes=ttl),
        "jti": uuid.uuid4().hex,
    }
    if hpr_number is not None:
        claims[settings.oidc_hpr_claim] = hpr_number
    headers = {"kid": key.kid, "typ": TOKEN_TYPE}
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)


def jwks(settings: Settings) -> dict[str, Any]:
    """The issuer's public keys as a JSON Web Key Set."""
    return {"keys": [load_signing_key(settings.signing_key_path).public_jwk()]}
