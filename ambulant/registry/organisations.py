"""Organisations: created by planners who cover every municipality, read by every planner; and
the checks of what refers to them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.models import Municipality, Organisation, OrganisationCreate
from ambulant.registry.lookup import get_or_404, require_all, require_ref


def create_organisation(session: Session, *, data: OrganisationCreate) -> Organisation:
    if data.municipality_code is not None:
        require_ref(
            session,
            Municipality,
            data.municipality_code,
            field="municipality_code",
            what="municipality",
        )
    if data.parent_id is not None:
        require_ref(session, Organisation, data.parent_id, field="parent_id", what="organisation")
    taken = session.exec(select(Organisation.id).where(Organisation.name == data.name)).first()
    if taken is not None:
        raise InvalidInput(
            f"name: organisation {taken} is already called {data.name!r}", field="name"
        )
    organisation = Organisation.model_validate(data)
    session.add(organisation)
    session.flush()
    return organisation


def get_organisation(session: Session, *, organisation_id: int) -> Organisation:
    return get_or_404(session, Organisation, organisation_id, what="organisation")


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.id))))


def with_parents(organisations: dict[int, Organisation], organisation_id: int) -> list[int]:
    """The organisation and those it is part of, nearest first (a loop, which the API cannot
    make, ends the walk)."""
    found: list[int] = []
    current: int | None = organisation_id
    while current is not None and current not in found and current in organisations:
        found.append(current)
        current = organisations[current].parent_id
    return found


def check_organisation_refs(
    session: Session, organisation_id: int | None, part_organisation_ids: list[int | None]
) -> None:
    """The organisations a visit or care plan names exist (422 naming the field if not)."""
    if organisation_id is not None:
        require_ref(
            session, Organisation, organisation_id, field="organisation_id", what="organisation"
        )
    require_all(
        session,
        Organisation,
        [i for i in part_organisation_ids if i is not None],
        field="part_organisation_ids",
        what="organisations",
    )
