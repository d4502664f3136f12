"""Adding a base (admins): a place staff start and end their day. Coordinators read the bases
(GET /bases, for the board's map)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ambulant.models import AuditAction, Base, BaseCreate, BasePublic, Role
from ambulant.registry.bases import create_base
from api.deps import AuditDep, SessionDep, require_role

require_admin = require_role(Role.ADMIN)
router = APIRouter(prefix="/bases", tags=["municipalities"], dependencies=[Depends(require_admin)])


@router.post("", status_code=201, response_model=BasePublic)
def add_base(session: SessionDep, audit: AuditDep, data: BaseCreate) -> Base:
    base = create_base(session, data=data)
    audit.record(AuditAction.CREATE, "base", base.id)
    return base
