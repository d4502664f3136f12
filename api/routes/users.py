"""Users of ambulant and their scopes (admins): who may sign in, in which role, for what.
The same service as `ambulant users` on the server (docs/security.md, "Users and roles")."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ambulant.auth.users import create_user, list_users
from ambulant.models import AuditAction, Role, User, UserCreate, UserPublic
from api.deps import AuditDep, SessionDep, require_role

require_admin = require_role(Role.ADMIN)
router = APIRouter(prefix="/users", tags=["users"], dependencies=[Depends(require_admin)])


@router.get("", response_model=list[UserPublic])
def read_users(session: SessionDep, audit: AuditDep) -> list[User]:
    audit.record(AuditAction.READ, "user")
    return list_users(session)


@router.post("", status_code=201, response_model=UserPublic)
def add_user(session: SessionDep, audit: AuditDep, data: UserCreate) -> User:
    user = create_user(
        session,
        subject=data.subject,
        role=data.role,
        staff_id=data.staff_id,
        municipalities=data.municipalities,
        team=data.team,
        hpr_number=data.hpr_number,
    )
    audit.record(AuditAction.CREATE, "user", user.id)
    return user
