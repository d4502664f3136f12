"""Hand-made tokens for tests: the real signing key (or another) with chosen claims and header."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from ambulant.auth import load_signing_key
from ambulant.config import Settings

UNSET = object()


def valid_claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """What the development issuer would sign for a coordinator; `key=UNSET` drops a claim."""
    issued = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "test-user",
        "iat": issued,
        "nbf": issued,
        "exp": issued + dt.timedelta(minutes=10),
        "role": "coordinator",
        "staff_id": None,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not UNSET}


def forge_token(
    settings: Settings,
    *,
    claims: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    key: rsa.RSAPrivateKey | None = None,
    algorithm: str = "RS256",
) -> str:
    signing = load_signing_key(settings.signing_key_path)
    header = {"kid": signing.kid, "typ": "at+jwt", **(headers or {})}
    return jwt.encode(
        valid_claims(settings) if claims is None else claims,
        signing.private_key if key is None else key,
        algorithm=algorithm,
        headers={k: v for k, v in header.items() if v is not UNSET},
    )


@lru_cache(maxsize=1)
def other_key() -> rsa.RSAPrivateKey:
    """A stranger's key (one per run: generating RSA keys is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
