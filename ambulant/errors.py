"""The domain's exceptions. Each carries the HTTP status the API answers with, so the API maps
them in one handler and services never import HTTP.

    AmbulantError (400)
    ├── InvalidInput (422)   bad value; `field` names it
    ├── Forbidden (403)      authenticated, but not allowed to touch this object
    ├── Unauthorized (401)   no valid identity
    ├── NotFound (404)       no such object (or not visible to the caller)
    └── Conflict (409)       the request clashes with stored state (e.g. plan already published)
"""

from __future__ import annotations


class AmbulantError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(AmbulantError):
    status_code = 422


class Unauthorized(AmbulantError):
    status_code = 401


class Forbidden(AmbulantError):
    status_code = 403


class NotFound(AmbulantError):
    status_code = 404


class Conflict(AmbulantError):
    status_code = 409
