"""The users of ambulant and what each may do: roles are ours, not the identity provider's.

HelseID says who someone is (the token's subject, their HPR number); this table says what they
do here. A token whose subject matches no active user is refused (403).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import JSON, AutoString, Field, SQLModel

from ambulant.models.ranges import FORBID_EXTRA, Id
from ambulant.models.vocabulary import Role, Team
from ambulant.timeutil import AwareDateTime, now


class User(SQLModel, table=True):
    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=200, unique=True, index=True, description="The token's `sub`.")
    hpr_number: str | None = Field(
        default=None, max_length=20, unique=True, description="Helsepersonellregisteret number."
    )
    role: Role = Field(sa_type=AutoString)
    # A coordinator's scope: the municipalities they plan for (or all of them), and optionally
    # one team within them. Admins act on every municipality; nurses and auditors have none.
    municipalities: list[str] = Field(default_factory=list, sa_type=JSON)
    all_municipalities: bool = False
    team: Team | None = Field(default=None, sa_type=AutoString)
    # The staff record a nurse is.
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)


class UserCreate(SQLModel):
    """A user added through the API (admins): a nurse names her staff record, a coordinator
    her municipalities (codes, or ["all"]) and maybe one team."""

    model_config = FORBID_EXTRA

    subject: str = Field(min_length=1, max_length=200, description="The token's `sub`.")
    role: Role
    staff_id: Id | None = None
    municipalities: list[str] = Field(default_factory=list, max_length=500)
    team: Team | None = None
    hpr_number: str | None = Field(default=None, min_length=1, max_length=20)


class UserPublic(SQLModel):
    id: int
    subject: str
    role: Role
    staff_id: int | None
    municipalities: list[str]
    all_municipalities: bool
    team: Team | None
    active: bool
    created_at: dt.datetime
