"""A nurse's secret calendar link: a phone's calendar app subscribes to the URL and cannot send a
bearer token, so the URL itself is the credential.

Only a hash of the link's secret is stored, so a copy of the database opens no feed; the secret
is shown once, when the link is made.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from ambulant.models.ranges import FORBID_EXTRA
from ambulant.timeutil import AwareDateTime, now

LABEL_MAX_LENGTH = 80


class CalendarLink(SQLModel, table=True):
    __tablename__ = "calendar_link"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(default="", max_length=LABEL_MAX_LENGTH)
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)


class CalendarLinkCreate(SQLModel):
    model_config = FORBID_EXTRA

    label: str = Field(
        default="",
        max_length=LABEL_MAX_LENGTH,
        description="Which phone or calendar it is for, to tell links apart when revoking one.",
    )


class CalendarLinkPublic(SQLModel):
    """A link as its owner lists it: never the secret."""

    id: int
    label: str
    created_at: dt.datetime


class CalendarLinkCreated(CalendarLinkPublic):
    """The answer to making a link: the only time its secret is shown."""

    url: str
    """The feed over HTTPS (or HTTP in development), token included."""
    webcal_url: str
    """The same feed as a webcal: URL, which phones open in their calendar app."""
