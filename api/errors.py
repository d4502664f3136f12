"""One place that turns errors into responses, all shaped `{"detail": ..., "field": ...}`.

Domain errors carry their status; request validation names the first bad field; anything
unexpected is a 500 that says nothing about the internals (the log has the traceback). A refusal
(403, or a 404 for an object outside the caller's reach) is written to the audit trail here.
"""

from __future__ import annotations

import logging
import re
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ambulant.audit import record_denied
from ambulant.auth.principal import Identity, Principal
from ambulant.errors import AmbulantError, Denial, Forbidden, Unauthorized
from ambulant.models import AuditAction
from ambulant.registry.validation import describe
from ambulant.replanning.versions import VersionConflict
from api.deps import client_address

log = logging.getLogger("api")


# What a refused request was trying to do, when the refusal does not say.
METHOD_ACTIONS = {
    "GET": AuditAction.READ,
    "HEAD": AuditAction.READ,
    "POST": AuditAction.CREATE,
    "PUT": AuditAction.UPDATE,
    "PATCH": AuditAction.UPDATE,
    "DELETE": AuditAction.DELETE,
}


def audit_denial(request: Request, error: AmbulantError) -> None:
    """Writes a refused attempt to the audit trail: every 403, and every 404 that hid an object
    which exists (`error.denial`). Health data law asks for denied attempts as well as accesses.

    This runs after the request's session has rolled back, so the entry gets a transaction of
    its own. Failing to write it is logged, and the caller still gets the refusal."""
    if not (isinstance(error, Forbidden) or error.denial is not None):
        return
    principal: Principal | None = getattr(request.state, "principal", None)
    identity: Identity | None = getattr(request.state, "identity", None)
    if principal is None and identity is None:
        return  # refused before a token was verified: 401s are not attempts on data
    denial = error.denial or _denial_from_path(request)
    action = AuditAction(denial.action) if denial.action else None
    try:
        record_denied(
            request.app.state.engine,
            subject=principal.subject if principal else identity.subject if identity else "",
            user_id=principal.user_id if principal else None,
            role=principal.role.value if principal else "none",
            action=action or METHOD_ACTIONS.get(request.method, AuditAction.READ),
            resource_type=denial.resource_type,
            resource_id=denial.resource_id,
            patient_id=denial.patient_id,
            client=client_address(request),
        )
    except Exception:
        log.exception("could not audit a refused %s %s", request.method, request.url.path)


# Path collections as the audit trail names resources elsewhere.
RESOURCE_TYPES = {
    "appointments": "appointment",
    "care-plans": "care_plan",
    "organisations": "organisation",
    "patients": "patient",
    "plans": "plan",
    "shifts": "shift",
    "visits": "visit",
}


DIGITS = re.compile(r"[0-9]{1,10}")


def _denial_from_path(request: Request) -> Denial:
    """A refusal that names no object (a role or scope check): the resource and id the path
    names, e.g. /api/v1/plans/7/replan -> plan 7; a patient's id also as the patient's, so the
    patient's own report shows the attempt."""
    parts = [p for p in request.url.path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        parts = parts[2:]
    collection = parts[0] if parts else ""
    # ASCII digits only (str.isdigit() is also true of "³", which int() refuses), and no more
    # than an id can have (the audit trail's resource_id holds 40 characters).
    resource_id = int(parts[1]) if len(parts) > 1 and DIGITS.fullmatch(parts[1]) else None
    patient_id = resource_id if collection == "patients" else None
    return Denial(RESOURCE_TYPES.get(collection, collection), resource_id, patient_id)


def ambulant_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AmbulantError)
    audit_denial(request, error)
    headers = None
    if isinstance(error, Unauthorized):
        # RFC 6750: a 401 names the scheme; when a bearer token was sent, it was the token.
        sent_token = request.headers.get("authorization", "").lower().startswith("bearer ")
        challenge = 'Bearer error="invalid_token"' if sent_token else "Bearer"
        headers = {"WWW-Authenticate": challenge}
    message = error.message
    if error.field and error.field not in message:
        message = f"{error.field}: {message}"  # the reader sees which field, not only a client
    body: dict[str, object] = {"detail": message, "field": error.field}
    candidates = getattr(error, "candidates", None)
    if candidates is not None:
        body["candidates"] = candidates  # an ambiguous or unknown address: what was close
    violations = getattr(error, "violations", None)
    if violations is not None:
        body["violations"] = violations  # a move by hand that breaks rules: which, in words
    if isinstance(error, VersionConflict):
        # Whichever request found its version overtaken (replan, publish), the caller learns the
        # current version, in the body and as the ETag to send back in If-Match.
        body["current_plan_id"] = error.current_plan_id
        body["current_version"] = error.current_version
        if error.current_version is not None:
            headers = {"ETag": f'"{error.current_version}"'}
    return JSONResponse(body, status_code=error.status_code, headers=headers)


def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    message, field, details = describe(error.errors())
    return JSONResponse({"detail": message, "field": field, "errors": details}, status_code=422)


def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Starlette names only the first route that matched the path; RFC 9110 wants every
        # method the resource answers (GET and POST of /plans are two routes).
        headers["Allow"] = ", ".join(allowed_methods(request))
    return JSONResponse(
        {"detail": error.detail, "field": None},
        status_code=error.status_code,
        headers=headers or None,
    )


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers fully at this path (asked the routes, as the router does)."""
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
            allowed.append(method)
    return allowed


def integrity_error(request: Request, error: Exception) -> JSONResponse:
    # Services check references first; this is the race they cannot see (a row deleted or added
    # by another request between the check and the commit).
    # The constraint's kind, not the message: that quotes the statement and may quote values.
    log.warning(
        "integrity error on %s %s: %s",
        request.method,
        request.url.path,
        type(getattr(error, "orig", error)).__name__,
    )
    return JSONResponse(
        {"detail": "the change conflicts with data stored meanwhile; try again", "field": None},
        status_code=409,
    )


# A client may retry a request the database dropped: its transaction was rolled back whole.
DATABASE_RETRY_AFTER_S = 2


def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The database went away under the request (a dropped connection, a restart, a failover,
    SQLite's lock waited out): nothing of it was committed, so it is a 503 the client may retry,
    not a 500. pool_pre_ping gives the next request a fresh connection."""
    assert isinstance(error, DBAPIError)
    if not _database_gone(error):
        return unexpected_error(request, error)
    log.warning(
        "database unavailable on %s %s: %s",
        request.method,
        request.url.path,
        type(getattr(error, "orig", error)).__name__,
    )
    return JSONResponse(
        {"detail": "the database is unavailable; nothing was saved, try again", "field": None},
        status_code=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


def _database_gone(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True  # SQLAlchemy saw the connection drop
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.orig, sqlite3.OperationalError):
        # SQLite says OperationalError for broken SQL too ("no such table": a 500); only a writer
        # holding the database past busy_timeout is the database being unavailable.
        message = str(error.orig)
        return "locked" in message or "busy" in message
    # PostgreSQL's operational errors: the connection lost or refused, the server shutting down,
    # too many connections.
    return True


def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return JSONResponse({"detail": "internal server error", "field": None}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AmbulantError, ambulant_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(DBAPIError, database_unavailable)
    app.add_exception_handler(Exception, unexpected_error)
