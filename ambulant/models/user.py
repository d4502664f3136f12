"""The users of ambulant and what each may do: roles are ours, not the identity provider's.

HelseID says who someone is (the token's subject, their HPR number); this table says what they
do here. A token whose subject matches no active user is refused (403).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import JSON, AutoString, Field, SQLModel

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
