"""The user table decides role and scope: who is let in, as what, and what a user row needs."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from ambulant.auth import Identity, Principal
from ambulant.auth.users import deactivate_user, ensure_user, principal_for
from ambulant.errors import Forbidden, InvalidInput
from ambulant.models import Role, Team
from tests.builders import MERAKER, STJORDAL, make_region, make_staff


def test_a_known_subject_becomes_its_users_principal(session: Session) -> None:
    """Role, scope and team come from the row; a coordinator's codes become a frozenset."""
    make_region(session)
    user = ensure_user(
        session,
        subject="kari",
        role=Role.COORDINATOR,
        municipalities=[MERAKER, STJORDAL, MERAKER],
        team=Team.AMBULANT_TEAM,
    )
    assert principal_for(session, Identity("kari")) == Principal(
        subject="kari",
        role=Role.COORDINATOR,
        user_id=user.id,
        municipalities=frozenset({MERAKER, STJORDAL}),
        team=Team.AMBULANT_TEAM,
    )


def test_unknown_and_deactivated_subjects_are_forbidden(session: Session) -> None:
    """Signed in but not a user, or no longer one: Forbidden (403), not Unauthorized."""
    make_region(session)
    with pytest.raises(Forbidden):
        principal_for(session, Identity("stranger"))
    ensure_user(session, subject="leaver", role=Role.AUDITOR)
    deactivate_user(session, subject="leaver")
    with pytest.raises(Forbidden):
        principal_for(session, Identity("leaver"))
    ensure_user(session, subject="leaver", role=Role.AUDITOR)
    assert principal_for(session, Identity("leaver")).role == Role.AUDITOR


def test_the_hpr_number_finds_a_user_whose_subject_is_new(session: Session) -> None:
    """Subject first; when it is unknown, the HPR number the token carries."""
    region = make_region(session)
    nurse = make_staff(session, region)
    ensure_user(session, subject="a", role=Role.NURSE, staff_id=nurse.id, hpr_number="9144")
    assert principal_for(session, Identity("b", hpr_number="9144")).staff_id == nurse.id
    with pytest.raises(Forbidden):
        principal_for(session, Identity("b", hpr_number="0000"))


@pytest.mark.parametrize(
    ("role", "kwargs", "field"),
    [
        (Role.NURSE, {}, "staff_id"),
        (Role.NURSE, {"staff_id": 999}, "staff_id"),
        (Role.COORDINATOR, {}, "municipalities"),
        (Role.COORDINATOR, {"municipalities": ["9999"]}, "municipalities"),
    ],
)
def test_a_user_row_needs_what_its_role_needs(
    session: Session, role: Role, kwargs: dict[str, object], field: str
) -> None:
    """A nurse is an existing staff member; a coordinator plans for existing municipalities."""
    make_region(session)
    with pytest.raises(InvalidInput) as error:
        ensure_user(session, subject="x", role=role, **kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


def test_ensure_user_sets_exactly_the_given_role_and_scope(session: Session) -> None:
    """Re-ensuring a coordinator as an auditor drops the coordinator's scope; 'all' is a flag."""
    make_region(session)
    user = ensure_user(session, subject="x", role=Role.COORDINATOR, municipalities=["all"])
    assert (user.all_municipalities, user.municipalities) == (True, [])
    user = ensure_user(session, subject="x", role=Role.AUDITOR, municipalities=[MERAKER])
    assert (user.role, user.all_municipalities, user.municipalities) == (Role.AUDITOR, False, [])
