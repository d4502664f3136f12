"""Calendar links: a nurse makes, lists and revokes her own; an admin revokes anyone's.

The feed they open is GET /api/v1/staff/{staff_id}/schedule.ics (api/routes/staff.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ambulant.calendar import links
from ambulant.models import (
    AuditAction,
    CalendarLink,
    CalendarLinkCreate,
    CalendarLinkCreated,
    CalendarLinkPublic,
    Role,
)
from api.deps import AuditDep, PathId, PrincipalDep, SessionDep, require_role

router = APIRouter(tags=["calendar"])
require_admin = require_role(Role.ADMIN)


@router.post("/me/calendar-links", status_code=201)
def create_calendar_link(
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    request: Request,
    data: CalendarLinkCreate | None = None,
) -> CalendarLinkCreated:
    """A secret link to the calling nurse's schedule feed, shown this once."""
    link, secret = links.create_link(session, principal=principal, label=data.label if data else "")
    assert link.id is not None and principal.staff_id is not None
    url = request.url_for("read_schedule_feed", staff_id=principal.staff_id)
    feed = str(url.include_query_params(token=secret))
    audit.record(AuditAction.CREATE, "calendar_link", link.id)
    return CalendarLinkCreated(
        id=link.id,
        label=link.label,
        created_at=link.created_at,
        url=feed,
        webcal_url="webcal:" + feed.split(":", 1)[1],
    )


@router.get("/me/calendar-links")
def list_calendar_links(session: SessionDep, principal: PrincipalDep) -> list[CalendarLinkPublic]:
    """The caller's links that still open the feed, without their secrets."""
    if principal.user_id is None:
        return []
    return [_public(link) for link in links.active_links(session, user_id=principal.user_id)]


@router.delete("/me/calendar-links/{link_id}", status_code=204)
def revoke_calendar_link(
    session: SessionDep, principal: PrincipalDep, audit: AuditDep, link_id: PathId
) -> Response:
    """The link stops opening the feed at once; revoking it again changes nothing."""
    links.revoke_own_link(session, principal=principal, link_id=link_id)
    audit.record(AuditAction.DELETE, "calendar_link", link_id)
    return Response(status_code=204)


@router.delete(
    "/users/{user_id}/calendar-links",
    status_code=204,
    dependencies=[Depends(require_admin)],
)
def revoke_user_calendar_links(session: SessionDep, audit: AuditDep, user_id: PathId) -> Response:
    """Every link of the user stops opening the feed (a lost phone, a link shared by mistake)."""
    for link in links.revoke_user_links(session, user_id=user_id):
        audit.record(AuditAction.DELETE, "calendar_link", link.id)
    return Response(status_code=204)


def _public(link: CalendarLink) -> CalendarLinkPublic:
    assert link.id is not None
    return CalendarLinkPublic(id=link.id, label=link.label, created_at=link.created_at)
