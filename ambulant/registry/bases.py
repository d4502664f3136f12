"""Bases: the places staff start and end their day, added by administrators."""

from __future__ import annotations

from sqlmodel import Session, select

from ambulant.errors import Conflict
from ambulant.models import Base, BaseCreate, Municipality, Organisation
from ambulant.registry.lookup import require_ref


def create_base(session: Session, *, data: BaseCreate) -> Base:
    """A new base; its municipality and organisation must exist (422), and its name must be new
    in its municipality (409: two bases of one name would be told apart by nobody)."""
    require_ref(
        session,
        Municipality,
        data.municipality_code,
        field="municipality_code",
        what="municipality",
    )
    if data.organisation_id is not None:
        require_ref(
            session,
            Organisation,
            data.organisation_id,
            field="organisation_id",
            what="organisation",
        )
    taken = session.exec(
        select(Base.id).where(
            Base.name == data.name, Base.municipality_code == data.municipality_code
        )
    ).first()
    if taken is not None:
        raise Conflict(
            f"name: municipality {data.municipality_code} already has a base {data.name!r} "
            f"(base {taken})",
            field="name",
        )
    base = Base.model_validate(data)
    session.add(base)
    session.flush()
    return base
