"""Request bodies with sane defaults for the tiny region of tests/builders.py, overridable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx2

from tests.builders import DAY, STJORDAL

Headers = dict[str, str]


def created(response: httpx2.Response) -> dict[str, Any]:
    """The body of a successful create, failing with the server's explanation otherwise."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_invalid(response: httpx2.Response, field: str) -> dict[str, Any]:
    """A 422 that names `field`, both as `field` and in the message a person reads."""
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["field"] == field, body
    assert field in body["detail"], body
    return body


def assert_hidden(
    client: Any,
    template: str,
    hidden_id: int,
    *,
    headers: Headers,
    method: str = "GET",
    json: Any = None,
    missing_id: int = 987654,
) -> None:
    """The object `hidden_id` is answered exactly as an id nobody has: 404, and the same body
    once the id itself is set aside (it is what the caller sent)."""
    hidden = client.request(method, template.format(hidden_id), headers=headers, json=json)
    missing = client.request(method, template.format(missing_id), headers=headers, json=json)
    assert hidden.status_code == missing.status_code == 404, (template, hidden.text)
    assert hidden.text.replace(str(hidden_id), "ID") == missing.text.replace(str(missing_id), "ID")


def at(time: str, day: dt.date = DAY) -> str:
    """A naive local (Oslo) timestamp, as a coordinator's browser would send it."""
    return f"{day.isoformat()}T{time}"


def make_staff(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Kari Nordmann",
        "discipline": "registered_nurse",
        "skills": ["medication", "wound_care", "personal_care"],
        "municipality_code": STJORDAL,
        "start_from": "home",
        "home_lat": 63.47,
        "home_lon": 10.92,
    }
    return body | overrides


def make_shift(staff_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "staff_id": staff_id,
        "start_at": at("07:30"),
        "end_at": at("15:00"),
        "break_minutes": 30,
    }
    return body | overrides


def make_patient(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ola Hansen",
        "address": "Kjøpmannsgata 1, Stjørdal",
        "lat": 63.468,
        "lon": 10.915,
        "municipality_code": STJORDAL,
    }
    return body | overrides


def make_care_plan(patient_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "patient_id": patient_id,
        "description": "Morning medication",
        "weekdays": [0, 2, 4],
        "window_start": "08:00",
        "window_end": "10:00",
        "duration_minutes": 20,
        "skills": ["medication"],
    }
    return body | overrides


def make_visit(patient_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "patient_id": patient_id,
        "description": "Medication",
        "window_start": at("09:00"),
        "window_end": at("11:00"),
        "duration_minutes": 30,
        "skills": ["medication"],
    }
    return body | overrides
