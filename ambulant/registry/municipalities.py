"""Municipalities: the fixed list of places the service covers (loaded with the region)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ambulant.models import Municipality


def list_municipalities(session: Session) -> list[Municipality]:
    return list(session.exec(select(Municipality).order_by(col(Municipality.code))))
