"""What schemathesis found with every check on, each kept as a case: a rule the server enforced
that the OpenAPI document did not state is now stated there (and still a 422 naming the field),
and every rule no schema can state is listed on its operation's 422."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.models import AuditEntry, Role
from api.beyond_schema import REFUSED_FLAG, RULES, RULES_KEY
from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_care_plan,
    make_patient,
    make_staff,
    make_visit,
)
from tests.builders import TinyRegion
from tests.builders import make_staff as store_staff

API = "/api/v1"

# Validation only: the database's kind does not matter.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def document(client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    return schema


def body_schema(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation = schema["paths"][path][method]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component: dict[str, Any] = schema["components"]["schemas"][reference.split("/")[-1]]
    return component


def total(client: TestClient, headers: Headers, collection: str) -> int:
    response = client.get(f"{API}/{collection}", headers=headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["total"]
    return count


def test_a_plans_penalty_out_of_range_is_a_422_and_the_document_gives_its_bounds(
    client: TestClient, coordinator: Headers
) -> None:
    """Found: `weights.unassigned` [1866268033, ...] was schema-valid and refused."""
    weights = body_schema(document(client), "post", f"{API}/plans")["properties"]["weights"]
    overrides = document(client)["components"]["schemas"]["WeightOverrides"]
    penalties = overrides["properties"]["unassigned"]["anyOf"][0]["prefixItems"]
    assert all(item["minimum"] == 0 and item["maximum"] == 10**9 for item in penalties)
    assert weights  # the plan's body refers to them
    body = {"date": "2026-12-07", "weights": {"unassigned": [10**9 + 1, 0, 0, 0]}}
    response = client.post(f"{API}/plans", json=body, headers=coordinator)
    assert_invalid(response, "weights")
    assert response.json()["errors"][0]["path"] == "weights.unassigned.0"


def test_a_staff_member_starting_from_a_base_needs_one_and_the_document_says_so(
    client: TestClient, coordinator: Headers
) -> None:
    """Found: a staff member without base_id (start_from 'base' by default) was schema-valid."""
    conditions = body_schema(document(client), "post", f"{API}/staff")["allOf"]
    starts = {c["if"]["properties"]["start_from"]["const"]: c["then"] for c in conditions}
    assert starts["home"]["required"] == ["home_lat", "home_lon"]
    assert starts["base"]["required"] == ["base_id"]
    body = make_staff(start_from="base")
    response = client.post(f"{API}/staff", json=body, headers=coordinator)
    assert_invalid(response, "base_id")
    from_home = make_staff(home_lat=None)
    assert_invalid(client.post(f"{API}/staff", json=from_home, headers=coordinator), "home_lat")


@pytest.mark.parametrize("field", ["window_start", "window_end"])
def test_a_visit_window_outside_the_planning_years_is_a_422_the_document_states(
    client: TestClient, coordinator: Headers, field: str
) -> None:
    """Found: a visit's window (also a replan's new visit) took any year in the document and
    was refused "outside 1970-01-01 to 2199-12-31"; the window is now typed like every other
    time a person gives, pattern and all."""
    pattern = body_schema(document(client), "post", f"{API}/visits")["properties"][field]["pattern"]
    assert re.match(pattern, "2026-12-07T10:00:00Z")
    assert not re.match(pattern, "0064-07-29T10:00:00Z")
    patient = created(client.post(f"{API}/patients", json=make_patient(), headers=coordinator))
    body = make_visit(patient["id"], **{field: "0064-07-29T10:00:00Z"})
    assert_invalid(client.post(f"{API}/visits", json=body, headers=coordinator), field)
    assert total(client, coordinator, "visits") == 0


def test_a_replan_time_outside_the_planning_years_is_a_422(
    client: TestClient, coordinator: Headers
) -> None:
    """Found: `at` "9733-10-25T02:17:10+12:53" was schema-valid and refused."""
    replan = body_schema(document(client), "post", f"{API}/plans/{{plan_id}}/replan")
    pattern = replan["properties"]["at"]["anyOf"][0]["pattern"]
    assert re.match(pattern, "2026-12-07T10:00")
    assert not re.match(pattern, "9733-10-25T02:17:10+12:53")
    for body, field in [
        ({"at": "9733-10-25T02:17:10+12:53"}, "at"),
        ({"unavailable": [{"staff_id": 1, "from_at": "0064-05-23T10:00:00Z"}]}, "unavailable"),
        (
            {"running_late": [{"visit_id": 1, "expected_end_at": "1372-09-27T14:26Z"}]},
            "running_late",
        ),
    ]:
        response = client.post(f"{API}/plans/1/replan", json=body, headers=coordinator)
        assert_invalid(response, field)


@pytest.mark.parametrize(
    ("field", "value"),
    [("window_start", "00:00:00Z"), ("window_end", "25:00"), ("weekdays", [7])],
)
def test_a_care_plan_time_or_weekday_the_document_refuses_is_a_422(
    client: TestClient, coordinator: Headers, field: str, value: object
) -> None:
    """Found: "00:00:00Z" was a valid `format: time` and refused for its offset; weekdays were
    any integers. The document now has the wall-clock pattern and 0-6."""
    properties = body_schema(document(client), "post", f"{API}/care-plans")["properties"]
    assert "format" not in properties["window_start"]
    # Optional beside recurrence: the list is one branch of anyOf (the other is null).
    weekdays = next(
        s
        for s in properties["weekdays"].get("anyOf", [properties["weekdays"]])
        if s.get("type") == "array"
    )
    assert weekdays["items"] | {"minimum": 0, "maximum": 6} == weekdays["items"]
    patient = created(client.post(f"{API}/patients", json=make_patient(), headers=coordinator))
    body = make_care_plan(patient["id"], **{field: value})
    assert_invalid(client.post(f"{API}/care-plans", json=body, headers=coordinator), field)
    assert total(client, coordinator, "care-plans") == 0


def test_a_name_another_organisation_has_is_a_422_its_operation_documents(
    client: TestClient, coordinator: Headers
) -> None:
    """Found: a second organisation called 'AuditTrail' was refused with a 422 the document did
    not give for schema-valid input. It is a rule on what is stored, listed on the 422."""
    refusal = document(client)["paths"][f"{API}/organisations"]["post"]["responses"]["422"]
    assert refusal[REFUSED_FLAG] is True
    assert "name" in refusal[RULES_KEY]
    assert "`name`" in refusal["description"]
    body = {"kind": "municipality", "name": "AuditTrail"}
    assert client.post(f"{API}/organisations", json=body, headers=coordinator).status_code == 201
    again = client.post(f"{API}/organisations", json=body, headers=coordinator)
    assert_invalid(again, "name")


def test_every_rule_beyond_the_schema_names_a_field_of_its_operation(client: TestClient) -> None:
    """A listed rule on a field the operation does not take would excuse nothing real."""
    schema = document(client)
    for (method, path), rules in RULES.items():
        operation = schema["paths"][path][method]
        fields = {parameter["name"] for parameter in operation.get("parameters", [])}
        if "requestBody" in operation:
            fields |= set(body_schema(schema, method, path)["properties"])
        assert set(rules) <= fields, (method, path, set(rules) - fields)
        assert operation["responses"]["422"][RULES_KEY] == rules


def test_no_other_operation_documents_a_422_for_schema_valid_input(client: TestClient) -> None:
    schema = document(client)
    flagged = {
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("responses", {}).get("422", {}).get(REFUSED_FLAG)
    }
    assert flagged == set(RULES)


def test_the_event_stream_documents_each_event(client: TestClient) -> None:
    """Found: the stream was documented as one string, so each event (an object with `event`
    and `data`) violated it."""
    answer = document(client)["paths"][f"{API}/events"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {"text/event-stream"}
    event = answer["content"]["text/event-stream"]["schema"]
    assert event["required"] == ["event", "data"]
    assert event["properties"]["data"]["contentMediaType"] == "application/json"


@pytest.mark.parametrize("path_id", ["%C2%B3", "1" * 50])
def test_a_refusal_for_an_id_that_is_no_number_is_a_403_audited_without_it(
    client: TestClient,
    db: Engine,
    region: TinyRegion,
    headers_for: Callable[..., Headers],
    path_id: str,
) -> None:
    """Found against a real server: a nurse's DELETE /care-plans/³ was a 500, as the refusal's
    audit entry read "³" (a digit to str.isdigit) as the care plan's id."""
    with Session(db, expire_on_commit=False) as session:
        nurse = store_staff(session, region)
        session.commit()
    nurse_headers = headers_for(Role.NURSE, nurse.id)
    response = client.delete(f"{API}/care-plans/{path_id}", headers=nurse_headers)
    assert response.status_code == 403, response.text
    with Session(db) as session:
        entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert entry is not None
    assert (entry.resource_type, entry.resource_id, entry.role) == ("care_plan", None, "nurse")


def test_a_time_a_person_types_is_documented_as_the_server_takes_it(
    client: TestClient, coordinator: Headers
) -> None:
    """Found against a real server: `at=1970-01-01T00:00` (no seconds, no offset: Oslo time) was
    taken, while the document said `format: date-time`, which wants both. The document now gives
    the pattern the server takes, calendar included."""
    state = document(client)["paths"][f"{API}/plans/{{plan_id}}/state"]["get"]["parameters"]
    at = next(p for p in state if p["name"] == "at")["schema"]["anyOf"][0]
    assert "format" not in at
    for taken in ["1970-01-01T00:00", "2028-02-29 10:00:00,5+0100", "2026-12-05T10:00:00Z"]:
        assert re.match(at["pattern"], taken), taken
    for refused in ["2027-02-29T10:00", "2100-02-29T10:00", "2026-12-05T24:00", "2026-12-05"]:
        assert not re.match(at["pattern"], refused), refused
        response = client.get(f"{API}/plans/1/state", params={"at": refused}, headers=coordinator)
        assert_invalid(response, "at")


def test_a_care_plans_stored_times_match_what_the_document_says_of_them(
    client: TestClient, coordinator: Headers
) -> None:
    """Found against a real server: every care plan read back ("07:30:00", no offset) broke
    `format: time`, which wants an offset."""
    answer = document(client)["components"]["schemas"]["CarePlanPublic"]["properties"]
    patient = created(client.post(f"{API}/patients", json=make_patient(), headers=coordinator))
    body = make_care_plan(patient["id"], window_start="07:30:00", window_end="08:30:15.5")
    care_plan = created(client.post(f"{API}/care-plans", json=body, headers=coordinator))
    for field in ["window_start", "window_end"]:
        assert "format" not in answer[field]
        assert re.match(answer[field]["pattern"], care_plan[field]), care_plan[field]


def test_an_organisation_name_of_spaces_is_a_422_not_an_empty_name(
    client: TestClient, coordinator: Headers
) -> None:
    """Found while stating names in the document: "   " passed `minLength: 1` and was stored
    stripped, as an organisation without a name. The document and the server now want a
    character that is not a space."""
    body = body_schema(document(client), "post", f"{API}/organisations")
    assert body["properties"]["name"]["pattern"] == "\\S"
    response = client.post(
        f"{API}/organisations", json={"kind": "municipality", "name": "   "}, headers=coordinator
    )
    assert_invalid(response, "name")
    assert client.get(f"{API}/organisations", headers=coordinator).json() == []


@pytest.mark.parametrize(
    ("method", "path", "shape", "fields"),
    [
        ("post", "appointments", "oneOf", {"base_id", "lat", "lon"}),
        ("post", "patients", "allOf", {"lat", "lon"}),
        ("post", "plans/{plan_id}/moves", "not", {"staff_id", "staff_ids"}),
    ],
)
def test_a_rule_across_fields_the_schema_can_state_is_in_the_schema_not_the_list(
    client: TestClient, method: str, path: str, shape: str, fields: set[str]
) -> None:
    """An appointment's one place, a patient's point as a pair, a move's staff_id or staff_ids:
    the schema says them (oneOf, if/then, not), so the list of rules beyond it does not."""
    schema = document(client)
    body = body_schema(schema, method, f"{API}/{path}")
    assert shape in body
    listed = schema["paths"][f"{API}/{path}"][method]["responses"]["422"][RULES_KEY]
    assert not {"lat", "lon"} & set(listed)
    assert fields <= set(body["properties"])


def test_a_move_naming_staff_id_and_staff_ids_is_a_422_naming_staff_ids(
    client: TestClient, coordinator: Headers
) -> None:
    """The schema says `not` both; the request is refused before its plan is read."""
    schema = body_schema(document(client), "post", f"{API}/plans/{{plan_id}}/moves")
    assert schema["not"]["required"] == ["staff_id", "staff_ids"]
    body = {"visit_id": 1, "staff_id": 1, "staff_ids": [2]}
    for path in ["moves", "moves/check"]:
        response = client.post(f"{API}/plans/1/{path}", json=body, headers=coordinator)
        assert_invalid(response, "staff_ids")


def test_a_patient_with_half_a_point_is_a_422_naming_the_missing_half(
    client: TestClient, coordinator: Headers
) -> None:
    response = client.post(f"{API}/patients", json=make_patient(lon=None), headers=coordinator)
    assert_invalid(response, "lon")
    response = client.post(
        f"{API}/appointments",
        json={
            "staff_id": 1,
            "title": "Team meeting",
            "start_at": "2026-12-07T08:00",
            "end_at": "2026-12-07T09:00",
            "lat": 63.47,
        },
        headers=coordinator,
    )
    assert_invalid(response, "base_id")


def test_a_visits_parts_are_stated_in_its_schema(client: TestClient, coordinator: Headers) -> None:
    """second_staff_skills only for two staff, organisation_id or one organisation per part:
    stated as if/then, so the list beyond the schema keeps only what is stored (organisations
    that exist)."""
    schema = document(client)
    body = body_schema(schema, "post", f"{API}/visits")
    thens = [condition["then"]["properties"] for condition in body["allOf"]]
    assert {"second_staff_skills": {"maxItems": 0}} in thens
    assert {"part_organisation_ids": {"maxItems": 0}} in thens
    listed = schema["paths"][f"{API}/visits"]["post"]["responses"]["422"][RULES_KEY]
    assert "second_staff_skills" not in listed
    patient = created(client.post(f"{API}/patients", json=make_patient(), headers=coordinator))
    visit = make_visit(patient["id"], second_staff_skills=["medication"])
    response = client.post(f"{API}/visits", json=visit, headers=coordinator)
    assert_invalid(response, "second_staff_skills")
    assert total(client, coordinator, "visits") == 0
