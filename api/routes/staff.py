"""Staff: coordinators manage those in their scope; a nurse reads their own record and schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from ambulant.acknowledgements import acknowledge, staff_acknowledgements
from ambulant.audit import AuditTrail
from ambulant.auth import Principal, access, policy
from ambulant.auth.schedule_window import DayAccess, without_notes
from ambulant.auth.users import principal_of
from ambulant.calendar import links
from ambulant.calendar.feed import MEDIA_TYPE, staff_feed
from ambulant.errors import Denial, Forbidden
from ambulant.models import (
    AcknowledgementCreate,
    AcknowledgementPublic,
    AuditAction,
    Role,
    ScheduleAcknowledgement,
    Staff,
    StaffCreate,
    StaffPublic,
    StaffUpdate,
)
from ambulant.notify.etag import etag_matches, schedule_etag
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.planning.views import Schedule
from ambulant.registry import staff as service
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from ambulant.timeutil import today
from api.deps import (
    AuditDep,
    DateQuery,
    Limit,
    MunicipalityQuery,
    Offset,
    PathId,
    PlannerDep,
    PrincipalDep,
    ReadAuditDep,
    SessionDep,
    SettingsDep,
    client_address,
)
from api.security import limit_calendar_feed, limit_field_requests

router = APIRouter(prefix="/staff", tags=["staff"])

# A link's secret: secrets.token_urlsafe(32) makes 43 characters of this alphabet.
FeedToken = Annotated[
    str,
    Query(
        min_length=20,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The secret of a calendar link (POST /api/v1/me/calendar-links).",
    ),
]


@router.post("", status_code=201, response_model=StaffPublic)
def create_staff(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, data: StaffCreate
) -> Staff:
    access.require_municipality(principal, data.municipality_code, field="municipality_code")
    access.require_team(principal, data.team)
    staff = service.create_staff(session, data=data)
    audit.record(AuditAction.CREATE, "staff", staff.id)
    return staff


@router.get("", response_model=Page[StaffPublic])
def list_staff(
    session: SessionDep,
    principal: PlannerDep,
    municipality: MunicipalityQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[Staff]:
    return service.list_staff(
        session,
        municipality=municipality,
        within=policy.municipality_scope(principal),
        team=policy.team_scope(principal),
        limit=limit,
        offset=offset,
    )


@router.get("/{staff_id}", response_model=StaffPublic)
def read_staff(session: SessionDep, principal: PrincipalDep, staff_id: PathId) -> Staff:
    return access.visible_staff(session, principal, staff_id)


@router.patch("/{staff_id}", response_model=StaffPublic)
def update_staff(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, staff_id: PathId, data: StaffUpdate
) -> Staff:
    access.manageable_staff(session, principal, staff_id)
    if data.municipality_code is not None:
        access.require_municipality(principal, data.municipality_code, field="municipality_code")
    if data.team is not None:
        access.require_team(principal, data.team)
    staff = service.update_staff(session, staff_id=staff_id, data=data)
    audit.record(AuditAction.UPDATE, "staff", staff_id)
    return staff


@router.delete("/{staff_id}", status_code=204)
def delete_staff(
    session: SessionDep, principal: PlannerDep, audit: AuditDep, staff_id: PathId
) -> Response:
    access.manageable_staff(session, principal, staff_id)
    service.delete_staff(session, staff_id=staff_id)
    audit.record(AuditAction.DELETE, "staff", staff_id)
    return Response(status_code=204)


@router.get(
    "/{staff_id}/schedule",
    response_model=Schedule,
    dependencies=[Depends(limit_field_requests)],
    responses={
        304: {"description": "Unchanged since the ETag sent in If-None-Match."},
        429: {"description": "Too many requests from this caller; see Retry-After."},
    },
)
async def read_schedule(
    session: SessionDep,
    principal: PrincipalDep,
    reads: ReadAuditDep,
    staff_id: PathId,
    day: DateQuery = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The staff member's day in the newest published plan (default: today in Oslo).

    A nurse reads today and her next working day (AMBULANT_SCHEDULE_DAYS_AHEAD of them) with
    her patients' names, addresses and notes, past days without notes, and later days not at
    all (403, audited): privacy by date, docs/security.md."""
    # One worker-thread hop for the queries; the rest runs on the event loop.
    schedule = await run_in_threadpool(
        _visible_schedule, session, principal, staff_id, day or today()
    )
    # The ETag changes only when this person's day does; a phone that has it gets a 304.
    etag = schedule_etag(schedule)
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    # Stored before the answer leaves: a failed commit is this request's 503.
    await reads.record_patients(
        AuditAction.READ, "schedule", staff_id, (s.patient_id for s in schedule.stops)
    )
    # Serialised once, straight from the model (response_model states the shape for the docs).
    return Response(
        content=schedule.model_dump_json(), media_type="application/json", headers={"ETag": etag}
    )


def _visible_schedule(
    session: Session, principal: Principal, staff_id: int, day: dt.date
) -> Schedule:
    # Someone outside the caller's reach is "not found", exactly like an id nobody has.
    staff = access.visible_staff_card(session, principal, staff_id)
    # A day with no shift or no published plan is a 404 that says which, for a nurse too: there
    # is nothing there to keep from her. A later day with patients on it is refused below.
    schedule = staff_schedule(session, staff_id=staff_id, day=day, staff=staff)
    if principal.role != Role.NURSE:
        return schedule
    window = access.nurse_window(session, principal, staff_id)
    reach = window.access(day)
    if reach == DayAccess.CLOSED:
        raise Forbidden(
            f"date: you can read your schedule up to {window.last_open_day.isoformat()} (today "
            "and your next working day); later days open as they come closer",
            field="date",
            denial=Denial("schedule", staff_id, action=AuditAction.READ.value),
        )
    return without_notes(schedule) if reach == DayAccess.PAST else schedule


@router.get(
    "/{staff_id}/schedule.ics",
    response_class=Response,
    dependencies=[Depends(limit_calendar_feed)],
    responses={
        200: {
            "description": "The published days the nurse may read (today and her next working "
            "day, docs/security.md) as "
            "iCalendar events.",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        304: {"description": "Unchanged since the ETag sent in If-None-Match."},
        404: {"description": "No such feed: an unknown or revoked link, or not this staff's."},
        429: {"description": "The link has been read too often; try again later."},
    },
)
def read_schedule_feed(
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    staff_id: PathId,
    token: FeedToken,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A nurse's days as a calendar to subscribe to; the secret link stands in for a login."""
    owner = links.link_owner(session, secret=token)
    principal = replace(principal_of(owner), schedule_days_ahead=settings.schedule_days_ahead)
    # Kept for the error handler, which audits a refused attempt under the link's owner.
    request.state.principal = principal
    links.require_own_feed(principal, staff_id)
    access.visible_staff(session, principal, staff_id)
    feed = staff_feed(
        session, staff_id=staff_id, days=access.nurse_window(session, principal, staff_id).open_days
    )
    # A calendar that has this feed already gets a 304, which shows no patient and is not logged.
    if etag_matches(if_none_match, feed.etag):
        return Response(status_code=304, headers={"ETag": feed.etag})
    audit = AuditTrail(session=session, principal=principal, client=client_address(request))
    audit.record_patients(AuditAction.READ, "schedule_feed", staff_id, feed.patient_ids)
    return Response(content=feed.body, media_type=MEDIA_TYPE, headers={"ETag": feed.etag})


@router.post(
    "/{staff_id}/schedule/acknowledgements",
    response_model=AcknowledgementPublic,
    responses={
        200: {"model": AcknowledgementPublic, "description": "Acknowledged before: no change."},
        201: {"description": "Acknowledged."},
    },
    status_code=201,
)
def acknowledge_schedule(
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    staff_id: PathId,
    data: AcknowledgementCreate,
    response: Response,
) -> ScheduleAcknowledgement:
    """The nurse has seen her day as changed (its ETag now); 409 if it has changed again."""
    access.visible_staff(session, principal, staff_id)
    if not policy.is_own(principal, staff_id):
        raise Forbidden("only the staff member herself acknowledges her day")
    acknowledgement, new = acknowledge(
        session, staff_id=staff_id, day=data.date, etag=data.etag, user_id=principal.user_id
    )
    if new:
        audit.record(AuditAction.CREATE, "schedule_acknowledgement", acknowledgement.id)
    else:
        response.status_code = 200
    return acknowledgement


@router.get("/{staff_id}/schedule/acknowledgements", response_model=list[AcknowledgementPublic])
def list_acknowledgements(
    session: SessionDep, principal: PrincipalDep, staff_id: PathId, day: DateQuery = None
) -> list[ScheduleAcknowledgement]:
    """What the staff member has acknowledged of a day, newest first: the phone compares the
    newest ETag with the schedule's to know whether to show "your day changed"."""
    access.visible_staff(session, principal, staff_id)
    return staff_acknowledgements(session, staff_id=staff_id, day=day or today())
