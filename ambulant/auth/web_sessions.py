"""Cookie sessions for the pages: opened after a login, looked up on every request, closed on
logout or expiry.

The cookie carries a random secret; the database keeps only its SHA-256, so neither a copy of
the table nor a log line opens a session. Each session has its own CSRF token: a page sends it
back in a header with every state-changing request, which another site cannot read or forge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlmodel import Session, select

from ambulant.models import WebSession
from ambulant.timeutil import now

COOKIE = "ambulant_session"
CSRF_HEADER = "X-CSRF-Token"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    session: Session, *, subject: str, ttl_min: int, client: str | None = None
) -> tuple[str, WebSession]:
    """A new session for `subject`; returns the cookie value (shown once) and the row."""
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        secret_hash=_hash(secret),
        subject=subject,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now() + dt.timedelta(minutes=ttl_min),
        client=client[:100] if client else None,
    )
    session.add(row)
    session.flush()
    return secret, row


def session_for(session: Session, cookie: str | None) -> WebSession | None:
    """The live session a cookie names, or None (unknown, expired or closed)."""
    if not cookie or len(cookie) > 200:
        return None
    row = session.exec(select(WebSession).where(WebSession.secret_hash == _hash(cookie))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now():
        return None
    return row


def csrf_matches(row: WebSession, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(row.csrf_token, sent)


def close_session(session: Session, cookie: str | None) -> None:
    row = session_for(session, cookie)
    if row is not None:
        row.revoked_at = now()
        session.add(row)
        session.flush()
