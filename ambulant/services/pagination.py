"""One page of a list: the items, how many there are in all, and where the page starts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

from ambulant.errors import InvalidInput

MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class Page[T](BaseModel):
    items: list[T]
    total: int
    limit: int
    offset: int


def check_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")


def paginate[T](
    session: Session, query: SelectOfScalar[T], *, order_by: Any, limit: int, offset: int
) -> Page[T]:
    """Runs `query` for one page; `order_by` must end in a unique column so pages never overlap."""
    check_window(limit, offset)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = session.exec(query.order_by(*order_by).limit(limit).offset(offset)).all()
    return Page[T](items=list(items), total=total, limit=limit, offset=offset)
