"""The development issuer's login: a small OAuth 2.0 authorization server (authorization code
with PKCE, RFC 7636) whose login page lets one pick a demo user, so `make run` and the tests go
through the same code flow as a real OIDC provider. Production refuses the development issuer.

Authorization codes live in this process for a minute and are good once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from ambulant.auth.issuer import issue_token
from ambulant.config import Settings
from ambulant.errors import InvalidInput

CODE_TTL_S = 60


@dataclass(frozen=True)
class _Grant:
    subject: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    expires: float


_grants: dict[str, _Grant] = {}
_lock = threading.Lock()


def grant_code(*, subject: str, client_id: str, redirect_uri: str, code_challenge: str) -> str:
    """An authorization code for `subject`, bound to the client, its redirect and the PKCE
    challenge (S256 only: the plain method protects nothing)."""
    if not code_challenge or len(code_challenge) < 43:
        raise InvalidInput("code_challenge must be an S256 PKCE challenge", field="code_challenge")
    code = secrets.token_urlsafe(32)
    with _lock:
        now = time.monotonic()
        for stale in [c for c, g in _grants.items() if g.expires < now]:
            del _grants[stale]
        _grants[code] = _Grant(subject, client_id, redirect_uri, code_challenge, now + CODE_TTL_S)
    return code


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def exchange_code(
    settings: Settings, *, code: str, client_id: str, redirect_uri: str, code_verifier: str
) -> dict[str, object]:
    """The token response for a code, once: the PKCE verifier must hash to the challenge."""
    with _lock:
        grant = _grants.pop(code, None)
    if grant is None or grant.expires < time.monotonic():
        raise InvalidInput("the authorization code is unknown, used or expired", field="code")
    if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
        raise InvalidInput("the code was issued to another client or redirect", field="code")
    if not hmac.compare_digest(s256(code_verifier), grant.code_challenge):
        raise InvalidInput("code_verifier does not match the PKCE challenge", field="code_verifier")
    return {
        "access_token": issue_token(settings, subject=grant.subject),
        "token_type": "Bearer",
        "expires_in": settings.token_ttl_min * 60,
    }
