"""A browser's login: the pages authenticate with a cookie that names one of these rows.

Only a hash of the cookie's secret is stored, so a copy of the database opens no session. Each
session has its own CSRF token, which every state-changing request from a page must echo.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from ambulant.timeutil import AwareDateTime, now


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    subject: str = Field(max_length=200, index=True, description="The identity's `sub`.")
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
    expires_at: dt.datetime = Field(sa_type=AwareDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    client: str | None = Field(default=None, max_length=100)


class WebLogin(SQLModel, table=True):
    """A login under way: sent to the identity provider, not yet back. The `state` ties the
    provider's answer to this browser; the PKCE verifier never leaves the server."""

    __tablename__ = "web_login"

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=100, unique=True, index=True)
    code_verifier: str = Field(max_length=200)
    next_path: str = Field(default="/", max_length=500)
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
