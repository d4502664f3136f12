"""Municipalities: the fixed list of places the service covers (loaded with the region)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ambulant.models import Base, Municipality


def list_municipalities(session: Session) -> list[Municipality]:
    return list(session.exec(select(Municipality).order_by(col(Municipality.code))))


def list_bases(session: Session) -> list[Base]:
    """The places staff start and end their day (the district medical centre, home-care bases)."""
    return list(session.exec(select(Base).order_by(col(Base.id))))
