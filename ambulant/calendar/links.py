"""Calendar links: made by a nurse, listed and revoked by her, revoked by an admin.

The link's secret is the only credential a subscribed calendar sends, so it is long and random,
stored only as its SHA-256, and every way it can fail (unknown, revoked, its user deactivated or no
longer a nurse, another nurse's day) answers the same 404.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, col, select

from ambulant.auth.principal import Principal
from ambulant.errors import Conflict, Denial, Forbidden, NotFound
from ambulant.models import CalendarLink, Role, User
from ambulant.timeutil import now

# A nurse has a phone or two; more links than this are links nobody remembers to revoke.
MAX_ACTIVE_LINKS = 5
FEED_NOT_FOUND = "calendar feed not found"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_link(session: Session, *, principal: Principal, label: str) -> tuple[CalendarLink, str]:
    """A new link for the calling nurse, and its secret (shown to her once, stored nowhere)."""
    if principal.role != Role.NURSE or principal.staff_id is None or principal.user_id is None:
        raise Forbidden("calendar links are for nurses: the feed is a nurse's own schedule")
    if len(active_links(session, user_id=principal.user_id)) >= MAX_ACTIVE_LINKS:
        raise Conflict(
            f"you have {MAX_ACTIVE_LINKS} calendar links already; revoke one first", field=None
        )
    secret = secrets.token_urlsafe(32)
    link = CalendarLink(user_id=principal.user_id, secret_hash=hash_secret(secret), label=label)
    session.add(link)
    session.flush()
    return link, secret


def active_links(session: Session, *, user_id: int) -> list[CalendarLink]:
    return list(
        session.exec(
            select(CalendarLink)
            .where(CalendarLink.user_id == user_id, col(CalendarLink.revoked_at).is_(None))
            .order_by(col(CalendarLink.id))
        )
    )


def revoke_own_link(session: Session, *, principal: Principal, link_id: int) -> CalendarLink:
    """Revokes one of the caller's links (again is no change); anyone else's is not found."""
    link = session.get(CalendarLink, link_id)
    if link is None or principal.user_id is None or link.user_id != principal.user_id:
        raise NotFound(f"calendar link {link_id} not found")
    _revoke(session, link)
    return link


def revoke_user_links(session: Session, *, user_id: int) -> list[CalendarLink]:
    """Revokes every active link of a user (an admin's act: a lost phone, a leaked link)."""
    if session.get(User, user_id) is None:
        raise NotFound(f"user {user_id} not found")
    links = active_links(session, user_id=user_id)
    for link in links:
        _revoke(session, link)
    return links


def _revoke(session: Session, link: CalendarLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = now()
        session.add(link)
        session.flush()


def link_owner(session: Session, *, secret: str) -> User:
    """The active nurse whose unrevoked link has `secret`; NotFound, saying nothing more, else."""
    link = session.exec(
        select(CalendarLink).where(
            CalendarLink.secret_hash == hash_secret(secret),
            col(CalendarLink.revoked_at).is_(None),
        )
    ).first()
    user = session.get(User, link.user_id) if link is not None else None
    if user is None or not user.active or user.role != Role.NURSE or user.staff_id is None:
        raise NotFound(FEED_NOT_FOUND)
    return user


def require_own_feed(principal: Principal, staff_id: int) -> None:
    """A link opens its owner's own day only. Another's is the same 404 as an unknown link,
    with a denial for the audit trail (the link was real)."""
    if principal.staff_id != staff_id:
        raise NotFound(FEED_NOT_FOUND, denial=Denial("schedule_feed", staff_id))
