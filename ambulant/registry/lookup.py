"""Finding rows by id: NotFound for the object asked about, InvalidInput for a bad reference."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

from ambulant.errors import Conflict, InvalidInput, NotFound


def get_or_404[T: SQLModel](session: Session, model: type[T], key: object, *, what: str) -> T:
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def require_ref[T: SQLModel](
    session: Session, model: type[T], key: object, *, field: str, what: str
) -> T:
    """The row `key` points at; a dangling reference is the caller's bad input, not a 404."""
    row = session.get(model, key)
    if row is None:
        raise InvalidInput(f"{field}: {what} {key!r} does not exist", field=field)
    return row


def require_all(
    session: Session, model: type[SQLModel], keys: Iterable[object], *, field: str, what: str
) -> None:
    wanted = set(keys)
    if not wanted:
        return
    primary = model.__table__.primary_key.columns.values()[0]  # type: ignore[attr-defined]
    found = set(session.exec(select(primary).where(primary.in_(wanted))).all())
    missing = sorted(wanted - found, key=str)
    if missing:
        raise InvalidInput(f"{field}: unknown {what} {missing}", field=field)


def refuse_if_referenced(
    session: Session, what: str, references: Iterable[tuple[str, SelectOfScalar[Any]]]
) -> None:
    """Conflict naming every kind of row that still points at `what`; each query counts one."""
    holders = []
    for name, query in references:
        count = session.exec(select(func.count()).select_from(query.subquery())).one()
        if count:
            holders.append(f"{count} {name}")
    if holders:
        raise Conflict(f"{what} is still referenced by {', '.join(holders)}")
