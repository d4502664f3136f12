"""The OpenAPI document as the API really answers: the error bodies api/errors.py writes, and
every status an operation can return documented on it.

FastAPI documents only what a route declares: its success, and a 422 in its own array shape. The
refusals that come from dependencies, middlewares and handlers (401 and 403 from the token and
role checks, 404 for an id out of reach, 409 from a conflicting write, 413 from the size limit,
503 when the database is gone) are added here, by what an operation takes, so a new route is
documented the same way.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from api.beyond_schema import describe_rules_beyond_schema

WRITES = frozenset({"post", "put", "patch", "delete"})
ID_QUERIES = frozenset({"staff_id", "patient_id", "user_id", "against"})
ERROR = "#/components/schemas/Error"
INVALID = "#/components/schemas/InvalidInput"
REF_TEMPLATE = "#/components/schemas/{model}"

DESCRIPTIONS = {
    "400": "The body is not JSON.",
    "401": "No bearer token, or one that is not valid (see WWW-Authenticate).",
    "403": "The caller's role or scope does not allow this.",
    "404": "An id it names is not one the caller can see.",
    "409": "The change conflicts with what is stored.",
    "413": "The request body is larger than the server takes.",
    "422": "The input is invalid; `field` names the first bad field.",
    "503": "The database does not answer; nothing was saved: retry after Retry-After seconds.",
}


class Error(BaseModel):
    """Every refusal and failure: what went wrong for a person to read, and the field if one."""

    detail: str
    field: str | None = None


class FieldError(BaseModel):
    field: str | None
    path: str | None = Field(description="Where in the input, e.g. `items.0.patient_id`.")
    message: str


class InvalidInput(Error):
    """A 422: the first bad field in `detail` and `field`, each one in `errors` (request
    validation lists them all; a check of the service names one and leaves `errors` out)."""

    errors: list[FieldError] | None = None


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    """The error statuses `operation` can answer beyond those it declares."""
    # Any operation can find the database gone (api/errors.py database_unavailable).
    statuses: set[str] = {"503"}
    has_body = "requestBody" in operation
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        statuses |= {"401", "403"}
        # A list filtered by an id is refused like a read of it.
        by_id = any(p["in"] == "query" and p["name"] in ID_QUERIES for p in parameters)
        if "{" in path or has_body or by_id:
            statuses.add("404")
    if method in WRITES:
        statuses.add("409")
    if has_body:
        statuses |= {"400", "413"}
    if has_body or parameters:
        statuses.add("422")
    return statuses


def _error_content(status: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": INVALID if status == "422" else ERROR}}}


def describe_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the error bodies as they are and every possible error status listed."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Error, InvalidInput):
        model_schema = model.model_json_schema(ref_template=REF_TEMPLATE)
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    # FastAPI's own 422 shape, which no answer of ours has.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete", "head"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status == "422":
                    response["description"] = DESCRIPTIONS["422"]
                    response["content"] = _error_content(status)
                elif status[0] in "45" and "content" not in response:
                    response["content"] = _error_content(status)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Replaces `app.openapi` with one that builds the document described above, once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            app.openapi_schema = describe_rules_beyond_schema(describe_errors(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
