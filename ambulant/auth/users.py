"""The user table's service: who may use ambulant, in which role and scope.

A token only says who someone is; `principal_for` turns that into what they may do, or refuses
(403) a person ambulant does not know or has deactivated.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ambulant.auth.principal import Identity, Principal
from ambulant.errors import Conflict, Forbidden, InvalidInput
from ambulant.models import Municipality, Role, Staff, Team, User
from ambulant.registry.lookup import require_all, require_ref

ALL = "all"  # the scope word for every municipality


# Every request asks this, so the statements are built once and run as Core: a row, not an ORM
# object (docs/benchmarks.md, "Many nurses at once").
_USER_T = User.metadata.tables[User.__tablename__]
_PRINCIPAL_COLUMNS = (
    _USER_T.c.id,
    _USER_T.c.subject,
    _USER_T.c.role,
    _USER_T.c.staff_id,
    _USER_T.c.municipalities,
    _USER_T.c.all_municipalities,
    _USER_T.c.team,
    _USER_T.c.active,
)
_BY_SUBJECT = core_select(*_PRINCIPAL_COLUMNS).where(_USER_T.c.subject == bindparam("key"))
_BY_HPR = core_select(*_PRINCIPAL_COLUMNS).where(_USER_T.c.hpr_number == bindparam("key"))


def principal_for(session: Session, identity: Identity) -> Principal:
    """The active user a verified identity stands for: by subject, else by HPR number."""
    connection = session.connection()
    row = connection.execute(_BY_SUBJECT, {"key": identity.subject}).first()
    if row is None and identity.hpr_number:
        row = connection.execute(_BY_HPR, {"key": identity.hpr_number}).first()
    if row is None or not row.active:
        raise Forbidden("you are signed in, but not a user of ambulant; ask an administrator")
    return Principal(
        subject=row.subject,
        role=Role(row.role),
        staff_id=row.staff_id,
        user_id=row.id,
        municipalities=frozenset(row.municipalities or ()),
        all_municipalities=row.all_municipalities,
        team=Team(row.team) if row.team else None,
    )


def principal_of(user: User) -> Principal:
    return Principal(
        subject=user.subject,
        role=Role(user.role),
        staff_id=user.staff_id,
        user_id=user.id,
        municipalities=frozenset(user.municipalities),
        all_municipalities=user.all_municipalities,
        team=Team(user.team) if user.team else None,
    )


def ensure_user(
    session: Session,
    *,
    subject: str,
    role: Role,
    staff_id: int | None = None,
    municipalities: Iterable[str] = (),
    team: Team | None = None,
    hpr_number: str | None = None,
) -> User:
    """Creates the user, or brings an existing one to exactly this role and scope (and active).

    `municipalities` may be ["all"]. A nurse needs a staff record; a coordinator a scope.
    """
    role = Role(role)
    codes = sorted(set(municipalities))
    every = ALL in codes
    codes = [] if every else codes
    _check(session, role=role, staff_id=staff_id, codes=codes, every=every)
    user = session.exec(select(User).where(User.subject == subject)).first() or User(
        subject=subject, role=role
    )
    user.role = role
    user.staff_id = staff_id if role == Role.NURSE else None
    user.municipalities = codes if role == Role.COORDINATOR else []
    user.all_municipalities = every and role == Role.COORDINATOR
    user.team = team if role == Role.COORDINATOR else None
    user.hpr_number = hpr_number if hpr_number is not None else user.hpr_number
    user.active = True
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))))


def deactivate_user(session: Session, *, subject: str) -> User:
    """Turns a user away from now on; the row stays, since the audit trail names it."""
    user = session.exec(select(User).where(User.subject == subject)).first()
    if user is None:
        raise InvalidInput(f"subject: no user {subject!r}", field="subject")
    user.active = False
    session.add(user)
    session.flush()
    return user


def _check(
    session: Session, *, role: Role, staff_id: int | None, codes: list[str], every: bool
) -> None:
    if role == Role.NURSE:
        if staff_id is None:
            raise InvalidInput(
                "a nurse needs staff_id: the staff record they are", field="staff_id"
            )
        require_ref(session, Staff, staff_id, field="staff_id", what="staff")
    if role == Role.COORDINATOR:
        if not codes and not every:
            raise InvalidInput(
                "a coordinator needs municipalities to plan for (codes or 'all')",
                field="municipalities",
            )
        require_all(session, Municipality, codes, field="municipalities", what="municipalities")


def create_user(
    session: Session,
    *,
    subject: str,
    role: Role,
    staff_id: int | None = None,
    municipalities: Iterable[str] = (),
    team: Team | None = None,
    hpr_number: str | None = None,
) -> User:
    """A new user (the API's POST): as `ensure_user`, but a subject or HPR number that is taken
    is a 409 rather than an update, so that a typing error changes nobody's access."""
    if session.exec(select(User.id).where(User.subject == subject)).first() is not None:
        raise Conflict(f"subject: a user {subject!r} exists already", field="subject")
    if hpr_number is not None and (
        session.exec(select(User.id).where(User.hpr_number == hpr_number)).first() is not None
    ):
        raise Conflict(
            f"hpr_number: a user with HPR number {hpr_number} exists", field="hpr_number"
        )
    return ensure_user(
        session,
        subject=subject,
        role=role,
        staff_id=staff_id,
        municipalities=municipalities,
        team=team,
        hpr_number=hpr_number,
    )
