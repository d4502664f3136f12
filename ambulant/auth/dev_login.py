"""`ambulant token`: make sure a development user exists in the wanted role, then sign a token
for it. Development and test only; with an identity provider configured there is nothing to sign.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from ambulant.auth.deployment import uses_development_issuer
from ambulant.auth.issuer import issue_token
from ambulant.auth.users import ensure_user
from ambulant.config import Settings
from ambulant.errors import Forbidden
from ambulant.models import Role, Team


def default_subject(role: Role, staff_id: int | None) -> str:
    return f"staff:{staff_id}" if staff_id is not None else f"dev:{Role(role).value}"


def development_token(
    session: Session,
    settings: Settings,
    *,
    role: Role,
    staff_id: int | None = None,
    subject: str | None = None,
    municipalities: Iterable[str] = (),
    team: Team | None = None,
    ttl_min: int | None = None,
) -> str:
    """Ensures the user (the caller commits) and returns a token for them."""
    if settings.environment == "production" or not uses_development_issuer(settings):
        raise Forbidden("development tokens exist only with the development issuer")
    subject = subject or default_subject(role, staff_id)
    ensure_user(
        session,
        subject=subject,
        role=role,
        staff_id=staff_id,
        municipalities=municipalities,
        team=team,
    )
    return issue_token(settings, subject=subject, ttl_min=ttl_min)
