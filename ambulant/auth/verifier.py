"""Checking access tokens: signature, issuer, audience, lifetime, type, and our own claims.

`JwtVerifier` takes its keys from anything with PyJWKClient's `get_signing_key_from_jwt`: the
development issuer's local key set here, or `jwt.PyJWKClient(jwks_url)` for an OIDC provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import jwt

from ambulant.auth.issuer import TOKEN_TYPE, jwks
from ambulant.auth.keys import ALGORITHM
from ambulant.auth.principal import Principal
from ambulant.config import Settings
from ambulant.errors import Unauthorized
from ambulant.models.vocabulary import Role

REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "nbf", "iat", "role")
# RFC 9068 allows the media type's full spelling too.
_ACCEPTED_TYPES = frozenset({TOKEN_TYPE, f"application/{TOKEN_TYPE}"})


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal:
        """The principal a valid token stands for; Unauthorized otherwise."""
        ...


class KeySource(Protocol):
    """What `jwt.PyJWKClient` offers; a remote JWKS URL plugs in through it unchanged."""

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK: ...


class LocalKeySet:
    """Keys from a JWKS document already at hand (the development issuer's own)."""

    def __init__(self, jwks_document: dict[str, Any]) -> None:
        self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks_document).keys}

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.PyJWKClientError(f"no signing key with kid {kid!r}")
        return key


class JwtVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        algorithms: Sequence[str] = (ALGORITHM,),
        leeway_s: float = 30.0,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.leeway_s = leeway_s

    def verify(self, token: str) -> Principal:
        try:
            claims = self._decode(token)
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token has expired") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token: {error}") from None
        return _principal(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        # PyJWT checks alg against `algorithms` but leaves typ alone.
        typ = jwt.get_unverified_header(token).get("typ")
        if not isinstance(typ, str) or typ.lower() not in _ACCEPTED_TYPES:
            raise jwt.InvalidTokenError(f"token type must be {TOKEN_TYPE!r}, not {typ!r}")
        key = self.keys.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=self.algorithms,
            issuer=self.issuer,
            audience=self.audience,
            leeway=self.leeway_s,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        return claims


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise Unauthorized(f"invalid token: unknown role {claims['role']!r}") from None
    staff_id = claims.get("staff_id")
    if staff_id is not None and (not isinstance(staff_id, int) or isinstance(staff_id, bool)):
        raise Unauthorized("invalid token: staff_id must be an integer")
    if role == Role.NURSE and staff_id is None:
        raise Unauthorized("invalid token: a nurse token needs staff_id")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("invalid token: sub must be a non-empty string")
    return Principal(subject=subject, role=role, staff_id=staff_id)


def verifier_for(settings: Settings) -> JwtVerifier:
    """The verifier for the development issuer: its own key, its issuer and audience."""
    return JwtVerifier(
        LocalKeySet(jwks(settings)), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
