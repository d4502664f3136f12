"""The domain's exceptions. Each carries the HTTP status the API answers with, so the API maps
them in one handler and services never import HTTP.

    AmbulantError (400)
    ├── InvalidInput (422)   bad value; `field` names it
    ├── Forbidden (403)      authenticated, but not allowed to touch this object (audited)
    ├── Unauthorized (401)   no valid identity
    ├── NotFound (404)       no such object (or not visible to the caller: `denial`, audited)
    ├── Conflict (409)       the request clashes with stored state (e.g. plan already published)
    └── Unavailable (503)    a service ambulant needs (the job queue) does not answer; try later
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Denial:
    """What an authorisation refusal kept from the caller, for the audit trail: the caller is
    told only "not found" or "forbidden", the log says which object it was."""

    resource_type: str
    resource_id: object = None
    patient_id: int | None = None
    action: str | None = None
    """The audit action attempted (None: the one the HTTP method asks for)."""


class AmbulantError(Exception):
    status_code = 400

    def __init__(
        self, message: str, *, field: str | None = None, denial: Denial | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Set where access is refused to an object that exists; never shown to the caller.
        self.denial = denial


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


class Unavailable(AmbulantError):
    status_code = 503
