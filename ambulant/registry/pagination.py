"""One page of a list: the items, how many there are in all, and where the page starts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

from ambulant.errors import InvalidInput
from ambulant.models.ranges import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "check_window", "paginate"]


class Page[T](BaseModel):
    items: list[T]
    total: int
    limit: int
    offset: int


def check_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}", field="offset")


def paginate[T](
    session: Session, query: SelectOfScalar[T], *, order_by: Any, limit: int, offset: int
) -> Page[T]:
    """Runs `query` for one page; `order_by` must end in a unique column so pages never overlap."""
    check_window(limit, offset)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = session.exec(query.order_by(*order_by).limit(limit).offset(offset)).all()
    return Page[T](items=list(items), total=total, limit=limit, offset=offset)
