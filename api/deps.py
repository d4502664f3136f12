"""What a route can ask for: the request's session, the settings, the caller, a role check,
the audit trail.

The session commits once after the handler returns and rolls back if anything raised; services
only flush. Its scope is "function" so the commit happens before the response is sent: a client
never sees 201 for a row that then failed to commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Annotated

import anyio
from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from ambulant.audit import AuditTrail, AuditWriter, ReadAudit
from ambulant.auth import Identity, Principal, TokenVerifier
from ambulant.auth.policy import PLANNERS
from ambulant.auth.users import principal_for
from ambulant.auth.web_sessions import COOKIE, CSRF_HEADER, csrf_matches, session_for
from ambulant.config import Settings
from ambulant.errors import Forbidden, InvalidInput, Unauthorized
from ambulant.models import Role
from ambulant.models.ranges import MAX_ID, MAX_LIMIT, MAX_OFFSET
from ambulant.timeutil import Day


# The dependencies that do no I/O are async: FastAPI runs a sync one on a worker thread, a hop
# each request would pay for nothing.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, once one of the app's session slots is free.

    A route's sync work runs on worker threads, one hop per dependency and the handler, and
    between hops a request keeps its database connection. Unbounded, more requests than the
    connection pool holds would each take a thread to wait for a connection while those holding
    one wait for a thread to finish on: the pool's 30 s timeout, then 500s. So a request waits
    for a slot here, on the event loop and without a thread, and there are no more slots than
    connections (db.py). The commit and the close run on a worker thread like the rest, in one
    hop: each hop costs a request a thread switch and a turn for the GIL.
    """
    engine: Engine = request.app.state.engine
    slots: anyio.CapacityLimiter = request.app.state.session_slots
    async with slots:
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
        except BaseException:
            # Shielded: a client that went away must not leave the transaction open.
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(_roll_back_and_close, session)
            raise
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_commit_and_close, session)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        _roll_back_and_close(session)
        raise
    session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


_bearer = HTTPBearer(auto_error=False, description="An access token (RS256 JWT, typ at+jwt).")


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[Session, Depends(get_session, scope="function")],
) -> Principal:
    """The caller: a valid token (401 otherwise) naming an active user of ambulant (403); or,
    for the pages, a live session cookie, with the session's CSRF token on every request that
    changes anything."""
    if credentials is None:
        identity = _session_identity(request, session)
    else:
        verifier: TokenVerifier = request.app.state.verifier
        identity = verifier.verify(credentials.credentials)
    # Kept for the error handler, which audits a refusal after this session has rolled back.
    request.state.identity = identity
    settings: Settings = request.app.state.settings
    principal = replace(
        principal_for(session, identity), schedule_days_ahead=settings.schedule_days_ahead
    )
    request.state.principal = principal
    return principal


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _session_identity(request: Request, session: Session) -> Identity:
    row = session_for(session, request.cookies.get(COOKIE))
    if row is None:
        raise Unauthorized("missing bearer token")
    request.state.identity = identity = Identity(subject=row.subject)
    if request.method not in SAFE_METHODS and not csrf_matches(
        row, request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden(
            "the page's CSRF token is missing or wrong; reload the page", field=CSRF_HEADER
        )
    return identity


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only callers holding one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"this needs the role {' or '.join(sorted(allowed))}")
        return principal

    return check


require_planner = require_role(*PLANNERS)
PlannerDep = Annotated[Principal, Depends(require_planner)]
require_auditor = require_role(Role.AUDITOR)
AuditorDep = Annotated[Principal, Depends(require_auditor)]


def client_address(request: Request) -> str | None:
    """The caller's address as the server sees it (behind a proxy: uvicorn's --proxy-headers
    with --forwarded-allow-ips make it the client's)."""
    return request.client.host if request.client else None


async def get_audit(session: SessionDep, principal: PrincipalDep, request: Request) -> AuditTrail:
    return AuditTrail(session=session, principal=principal, client=client_address(request))


AuditDep = Annotated[AuditTrail, Depends(get_audit)]


async def get_read_audit(principal: PrincipalDep, request: Request) -> ReadAudit:
    """The audit of a route that only reads: its entries go through the group commit, and
    `record_patients` returns once they are stored."""
    writer: AuditWriter = request.app.state.audit_writer
    return ReadAudit(writer=writer, principal=principal, client=client_address(request))


ReadAuditDep = Annotated[ReadAudit, Depends(get_read_audit)]

DateQuery = Annotated[
    Day | None, Query(alias="date", description="Local (Oslo) date; default: today in Oslo.")
]
MunicipalityQuery = Annotated[
    str | None, Query(max_length=8, description="Municipality code (kommunenummer).")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip, 0 to {MAX_OFFSET}.")
]
# An id in the path, or one a list is filtered by: past MAX_ID it names nothing that can exist.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

IfMatch = Annotated[
    str | None, Header(description='The plan version the change is based on, e.g. "3".')
]


def if_match_version(if_match: str | None) -> int | None:
    """The plan version an If-Match header names (an ETag, "3" or W/"3"), None without one."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput('If-Match must be a plan version, e.g. "3"', field="If-Match")
    return int(text)
