"""Who is calling: the identity a token proves, and the user of ambulant it stands for."""

from __future__ import annotations

from dataclasses import dataclass, field

from ambulant.models.vocabulary import Role, Team


@dataclass(frozen=True, slots=True)
class Identity:
    """What a verified token says: who the person is, nothing about what they may do."""

    subject: str
    hpr_number: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """A user of ambulant as the rules see them: role and scope come from the user table."""

    subject: str
    role: Role
    staff_id: int | None = None
    user_id: int | None = None
    # A coordinator's scope; admins cover every municipality whatever these say.
    municipalities: frozenset[str] = field(default_factory=frozenset)
    all_municipalities: bool = False
    team: Team | None = None
    # Privacy by date: a nurse reads her patients on today and this many next working days. The
    # deployment's setting (AMBULANT_SCHEDULE_DAYS_AHEAD), carried here for the access checks.
    schedule_days_ahead: int = 1
