"""Logging a browser in through the server: the authorization code flow with PKCE (authlib's
OAuth 2.0 client) against the OIDC provider, or the development issuer's login page.

Starting a login stores its `state` and PKCE verifier server-side; the provider's answer must
come back with that state, within ten minutes, once. The access token it yields is checked by
the same verifier as any bearer token, and must belong to an active user of ambulant; the
browser then gets only a session cookie (the token stays on the server side of the exchange).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from sqlmodel import Session, col, delete, select

from ambulant.auth.principal import Principal
from ambulant.auth.users import principal_for
from ambulant.auth.verifier import TokenVerifier
from ambulant.auth.web_sessions import open_session
from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.models import WebLogin
from ambulant.timeutil import now

LOGIN_TTL = dt.timedelta(minutes=10)
DEV_AUTHORIZE_PATH = "/dev-issuer/authorize"
DEV_TOKEN_PATH = "/dev-issuer/token"


@dataclass(frozen=True)
class Endpoints:
    authorization_url: str
    token_url: str
    redirect_uri: str


def endpoints(settings: Settings, base_url: str) -> Endpoints:
    """The provider's endpoints, or the development issuer's on this server (`base_url`)."""
    base = base_url.rstrip("/")
    return Endpoints(
        authorization_url=settings.oidc_authorization_url or base + DEV_AUTHORIZE_PATH,
        token_url=settings.oidc_token_url or base + DEV_TOKEN_PATH,
        redirect_uri=base + "/login/callback",
    )


def safe_next(path: str | None) -> str:
    """Only a path on this site: an open redirect would hand a fresh session to another one."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else "/"


def _client(settings: Settings, ends: Endpoints) -> OAuth2Client:
    secret = settings.oidc_client_secret
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        token_endpoint_auth_method="client_secret_post" if secret else "none",
        redirect_uri=ends.redirect_uri,
        scope=settings.oidc_scope,
        code_challenge_method="S256",
        timeout=10,
    )


def start_login(session: Session, settings: Settings, ends: Endpoints, next_path: str) -> str:
    """Stores a login under way; returns the provider URL to send the browser to."""
    verifier = generate_token(64)
    with _client(settings, ends) as client:
        url, state = client.create_authorization_url(ends.authorization_url, code_verifier=verifier)
    session.exec(delete(WebLogin).where(col(WebLogin.created_at) < now() - LOGIN_TTL))
    session.add(WebLogin(state=state, code_verifier=verifier, next_path=safe_next(next_path)))
    session.flush()
    return str(url)


@dataclass(frozen=True)
class LoggedIn:
    cookie: str
    principal: Principal
    next_path: str


def finish_login(
    session: Session,
    settings: Settings,
    ends: Endpoints,
    verifier: TokenVerifier,
    *,
    state: str,
    code: str,
    client: str | None,
) -> LoggedIn:
    """Exchanges the provider's code for a token (with the PKCE verifier), checks the token and
    the user, and opens a session."""
    pending = session.exec(select(WebLogin).where(WebLogin.state == state)).first()
    if pending is None or pending.created_at < now() - LOGIN_TTL:
        raise InvalidInput("this login is unknown or too old; log in again", field="state")
    session.delete(pending)  # good once, whatever follows
    session.flush()
    with _client(settings, ends) as oauth:
        token = oauth.fetch_token(
            ends.token_url, code=code, code_verifier=pending.code_verifier, state=state
        )
    identity = verifier.verify(str(token["access_token"]))
    principal = principal_for(session, identity)
    cookie, _ = open_session(
        session, subject=principal.subject, ttl_min=settings.web_session_ttl_min, client=client
    )
    return LoggedIn(cookie=cookie, principal=principal, next_path=pending.next_path)
