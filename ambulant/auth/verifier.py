"""Checking access tokens: signature, issuer, audience, lifetime and type; then who it is.

`JwtVerifier` takes its keys from anything with PyJWKClient's `get_signing_key_from_jwt`: the
development issuer's local key set here, or `jwt.PyJWKClient(jwks_url)` for an OIDC provider.
Both go through the same checks. A token carries identity only; roles are looked up afterwards.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import jwt

from ambulant.auth.issuer import TOKEN_TYPE, jwks
from ambulant.auth.keys import ALGORITHM
from ambulant.auth.principal import Identity
from ambulant.config import Settings
from ambulant.errors import Unauthorized

log = logging.getLogger(__name__)

REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "nbf", "iat")
JWKS_TIMEOUT_S = 5
# RFC 9068 allows the media type's full spelling too.
_ACCEPTED_TYPES = frozenset({TOKEN_TYPE, f"application/{TOKEN_TYPE}"})


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Identity:
        """The identity a valid token proves; Unauthorized otherwise."""
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


class VerifiedTokens:
    """Tokens whose signature and claims have been checked, by their SHA-256, each until its
    `exp` (the leeway is not granted again): a phone sends the same token with every request,
    and checking an RS256 signature costs more than the rest of reading a schedule's caller.

    Only the token's proof of identity is kept; whether that person is an active user, and with
    what role, is still looked up on every request. Bounded: the oldest entry goes first."""

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[bytes, tuple[Identity, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Identity | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            identity, expires = entry
            if self.clock() >= expires:
                del self._entries[key]
                return None
            return identity

    def put(self, key: bytes, identity: Identity, *, expires: float) -> None:
        with self._lock:
            self._entries[key] = (identity, expires)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class JwtVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        algorithms: Sequence[str] = (ALGORITHM,),
        leeway_s: float = 30.0,
        hpr_claim: str = "helseid://claims/hpr/hpr_number",
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.algorithms = list(algorithms)
        self.leeway_s = leeway_s
        self.hpr_claim = hpr_claim
        self._verified = VerifiedTokens()

    def verify(self, token: str) -> Identity:
        key = hashlib.sha256(token.encode()).digest()
        cached = self._verified.get(key)
        if cached is not None:
            return cached
        try:
            claims = self._decode(token)
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token has expired") from None
        except jwt.PyJWKClientConnectionError as error:
            # The provider's address belongs in our log, not in the caller's answer.
            log.warning("could not fetch the identity provider's keys: %s", error)
            raise Unauthorized("the identity provider's keys are unavailable") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token: {error}") from None
        identity = _identity(claims, self.hpr_claim)
        self._verified.put(key, identity, expires=float(claims["exp"]))
        return identity

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


def _identity(claims: dict[str, Any], hpr_claim: str) -> Identity:
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("invalid token: sub must be a non-empty string")
    hpr = claims.get(hpr_claim)
    if hpr is not None and not isinstance(hpr, str):
        raise Unauthorized("invalid token: the HPR number must be a string")
    return Identity(subject=subject, hpr_number=hpr or None)


def verifier_for(settings: Settings) -> JwtVerifier:
    """The configured verifier: the OIDC provider's JWKS when `oidc_jwks_url` is set, else the
    development issuer's own key. Issuer and audience come from the settings either way."""
    keys: KeySource
    if settings.oidc_jwks_url:
        keys = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True, timeout=JWKS_TIMEOUT_S)
    else:
        keys = LocalKeySet(jwks(settings))
    return JwtVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        hpr_claim=settings.oidc_hpr_claim,
    )
