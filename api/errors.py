"""One place that turns errors into responses, all shaped `{"detail": ..., "field": ...}`.

Domain errors carry their status; request validation names the first bad field; anything
unexpected is a 500 that says nothing about the internals (the log has the traceback).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from ambulant.errors import AmbulantError, Unauthorized
from ambulant.services.validation import describe

log = logging.getLogger("api")


def ambulant_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AmbulantError)
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
    return JSONResponse(body, status_code=error.status_code, headers=headers)


def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    message, field, details = describe(error.errors())
    return JSONResponse({"detail": message, "field": field, "errors": details}, status_code=422)


def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return JSONResponse(
        {"detail": error.detail, "field": None},
        status_code=error.status_code,
        headers=error.headers,
    )


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


def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return JSONResponse({"detail": "internal server error", "field": None}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AmbulantError, ambulant_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(Exception, unexpected_error)
