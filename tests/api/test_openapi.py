"""The OpenAPI document describes what the API answers: every status an operation can return is
documented on it, error bodies have the documented shape, and the event stream is declared as
one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from ambulant.config import Settings
from ambulant.models import Role
from api.main import create_app
from tests.api.builders import Headers, created, make_patient, make_visit

WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get", "head"}
TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def conforms(value: Any, schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """What in `value` the JSON schema `schema` does not allow (the keywords our documents use)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return conforms(value, document["components"]["schemas"][name], document)
    if "anyOf" in schema:
        failures = [conforms(value, option, document) for option in schema["anyOf"]]
        return [] if any(not f for f in failures) else [f"{value!r} matches no option"]
    kind = schema.get("type")
    if kind is not None and not isinstance(value, TYPES[kind]):
        return [f"{value!r} is not {kind}"]
    problems: list[str] = []
    if kind == "object":
        problems += [f"missing {key}" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += conforms(value[key], sub, document)
    if kind == "array":
        for item in value:
            problems += conforms(item, schema.get("items", {}), document)
    return problems


def assert_documented(
    document: dict[str, Any], path: str, method: str, response: httpx2.Response
) -> None:
    """`response` to `method path` has a status that operation documents, in its schema."""
    status = str(response.status_code)
    responses = document["paths"][path][method]["responses"]
    assert status in responses, (method, path, status, sorted(responses))
    schema = responses[status]["content"]["application/json"]["schema"]
    assert conforms(response.json(), schema, document) == [], response.text


def test_every_operation_documents_the_errors_it_can_answer(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, method, operation in operations(document):
        responses = operation["responses"]
        expected = set()
        if operation.get("security"):
            expected |= {"401", "403"}
        if method in WRITES:
            expected.add("409")
        if "requestBody" in operation:
            expected |= {"400", "404", "413", "422"}
        if "{" in path:
            expected |= {"404", "422"}
        if operation.get("parameters"):
            expected.add("422")
        assert expected <= set(responses), (method, path, sorted(expected - set(responses)))
        for status, response in responses.items():
            if status[0] in "45":
                assert "application/json" in response["content"], (method, path, status)


def test_the_422_is_documented_in_the_shape_it_has(client: TestClient) -> None:
    """The answer carries `detail` as a string, `field`, and the list of field errors; FastAPI's
    array-of-errors schema is nowhere in the document."""
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "HTTPValidationError" not in client.get("/openapi.json").text
    invalid = document["components"]["schemas"]["InvalidInput"]
    assert invalid["properties"]["detail"]["type"] == "string"


def test_the_event_stream_is_declared_as_one(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    ok = document["paths"]["/api/v1/events"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["text/event-stream"]


def test_the_calendar_feed_is_declared_as_icalendar(client: TestClient) -> None:
    """The feed's success is text/calendar, and it takes no bearer token (its link is the key)."""
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/staff/{staff_id}/schedule.ics"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/calendar"]
    assert "security" not in operation and {"404", "422", "429"} <= set(operation["responses"])


def test_real_error_answers_match_their_documented_status_and_shape(
    client: TestClient,
    coordinator: Headers,
    headers_for: Callable[..., Headers],
    settings: Settings,
) -> None:
    document = client.get("/openapi.json").json()
    patients, patient = "/api/v1/patients", "/api/v1/patients/{patient_id}"

    no_token = client.get(patients)
    assert no_token.status_code == 401
    assert_documented(document, patients, "get", no_token)

    auditor = headers_for(Role.AUDITOR)
    refused = client.post(patients, json=make_patient(), headers=auditor)
    assert refused.status_code == 403
    assert_documented(document, patients, "post", refused)

    missing = client.get(patients + "/987654", headers=coordinator)
    assert missing.status_code == 404
    assert_documented(document, patient, "get", missing)

    out_of_range = client.get(patients + "/0", headers=coordinator)
    assert out_of_range.status_code == 422
    assert_documented(document, patient, "get", out_of_range)
    assert out_of_range.json()["errors"][0]["field"] == "patient_id"

    # A check of the service, not of the request's shape: a staff id nobody has.
    unknown_staff = client.post(
        patients, json=make_patient(preferred_staff=[987654]), headers=coordinator
    )
    assert unknown_staff.status_code == 422
    assert_documented(document, patients, "post", unknown_staff)

    stored = created(client.post(patients, json=make_patient(), headers=coordinator))["id"]
    created(client.post("/api/v1/visits", json=make_visit(stored), headers=coordinator))
    conflict = client.delete(f"{patients}/{stored}", headers=coordinator)
    assert conflict.status_code == 409
    assert_documented(document, patient, "delete", conflict)

    with TestClient(create_app(settings.model_copy(update={"max_request_bytes": 512}))) as small:
        too_big = small.post(patients, json=make_patient(notes="x" * 1000), headers=coordinator)
    assert too_big.status_code == 413
    assert_documented(document, patients, "post", too_big)
