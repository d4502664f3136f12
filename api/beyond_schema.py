"""The rules a well-formed request can still break, written into the OpenAPI document.

JSON Schema describes one value at a time. What it cannot say, the document says in words on the
operation's 422: a rule across fields (an end after its start, a range of at most 62 days) and
a rule on what is stored (a reference to a row that exists, a day that has shifts, a name not
taken yet). A schema-valid request that breaks one of them is refused with a 422 whose `field`
is the one named here, so the refusal is a documented answer, not a surprise.

Each operation listed gets, on its 422 response:
- the rules in the description, for people;
- `x-schema-valid-input-refused: true`, which schemathesis.toml selects to accept that 422 for
  schema-valid input (positive_data_acceptance), and only on these operations;
- `x-rules-beyond-schema`: field -> rule, which tests/api/test_fuzz.py checks every such 422
  against (a 422 naming any other field is a rule the schema should state).

Everything a schema can state (formats, ranges, patterns, `if`/`then` for the place a day
starts from) is in the models' own schemas instead.
"""

from __future__ import annotations

from typing import Any

REFUSED_FLAG = "x-schema-valid-input-refused"
RULES_KEY = "x-rules-beyond-schema"

_V1 = "/api/v1"

# Rules that come back on several operations.
_DAY_HAS_SHIFTS = "the day (or the plan's scope) has shifts to plan"
_ORGANISATIONS = (
    "an organisation that exists; part_organisation_ids has one entry per staff member "
    "(staff_count), and only without organisation_id"
)
_PATIENT = "a patient that exists"
_STAFF = "a staff member that exists"
_VISIT_WINDOW = {
    "window_end": "after window_start, on the same Oslo day",
    "duration_minutes": "fits between window_start and window_end",
}
_VISIT_REFS = {
    "patient_id": _PATIENT,
    "care_plan_id": "a care plan of that patient",
    "pinned_staff_id": _STAFF,
    "depends_on_id": "a visit of the same day",
    "organisation_id": _ORGANISATIONS,
    "part_organisation_ids": _ORGANISATIONS,
    "max_lag_minutes": "not below min_lag_minutes",
}


def _without(rules: dict[str, str], *fields: str) -> dict[str, str]:
    """`rules` for a change, which does not take `fields` (they are fixed once created)."""
    return {field: rule for field, rule in rules.items() if field not in fields}


_STAFF_REFS = {
    "municipality_code": "a municipality that exists",
    "serves": "municipalities that exist",
    "base_id": "a base that exists; required when start_from is 'base'",
    "home_lat": "with home_lon, required when start_from is 'home'",
    "home_lon": "with home_lat, required when start_from is 'home'",
    "organisation_id": "an organisation that exists",
}
_SHIFT = {
    "staff_id": _STAFF,
    "start_at": "does not overlap another shift of the staff member",
    "end_at": "after start_at, at most 16 hours later",
    "break_earliest": "inside the shift",
    "break_latest": "inside the shift, not before break_earliest",
    "break_minutes": "fits between break_earliest and break_latest",
}
_APPOINTMENT = {
    "staff_id": _STAFF,
    "start_at": "inside a day the staff member can have it",
    "end_at": "after start_at, on the same day, at most 12 hours later",
    "base_id": "a base that exists",
}
_ONE_PLACE = {
    "base_id": "a base that exists; with the stored place, base_id or lat and lon, not both",
    "lat": "with lon, instead of base_id",
    "lon": "with lat, instead of base_id",
}
_PATIENT_FIELDS = {
    "municipality_code": "a municipality that exists",
    "address": "an address the address register knows, in that municipality",
    "lat": "with lon, or neither",
    "lon": "with lat, or neither",
    "preferred_staff": "staff that exist, none also refused",
    "refused_staff": "staff that exist, none also preferred",
}
_CARE_PLAN = {
    "patient_id": _PATIENT,
    "window_end": "after window_start",
    "duration_minutes": "fits between window_start and window_end",
    "valid_to": "not before valid_from",
    "organisation_id": _ORGANISATIONS,
    "part_organisation_ids": _ORGANISATIONS,
    "recurrence": "an RFC 5545 RRULE that yields days from valid_from at window_start; "
    "it or weekdays, not both",
    "weekdays": "instead of recurrence",
}
_VISIT = {
    **_VISIT_WINDOW,
    **_VISIT_REFS,
    "window_start": "on a day the patient's municipality can be planned",
    "dependency_staff": "'same' or 'different' only with depends_on_id",
}
_MOVE = {
    "visit_id": "a visit of the plan",
    "staff_id": "a staff member with a shift that day, for a visit for one",
    "staff_ids": "one staff member per part of a joint visit, each with a shift that day",
    "start_at": "on the plan's day",
}

# (method, path) -> field -> rule. Paths as in the document.
RULES: dict[tuple[str, str], dict[str, str]] = {
    ("post", f"{_V1}/organisations"): {
        "name": "not the name of another organisation",
        "municipality_code": "a municipality that exists",
        "parent_id": "an organisation that exists",
    },
    ("post", f"{_V1}/staff"): _STAFF_REFS,
    ("patch", f"{_V1}/staff/{{staff_id}}"): _STAFF_REFS,
    ("get", f"{_V1}/staff/{{staff_id}}/schedule"): {"date": "a day the schedule can be read"},
    ("post", f"{_V1}/staff/{{staff_id}}/schedule/acknowledgements"): {
        "date": "a day with a published schedule",
        "etag": "the schedule's ETag as it is now",
    },
    ("post", f"{_V1}/shifts"): _SHIFT,
    ("patch", f"{_V1}/shifts/{{shift_id}}"): _without(_SHIFT, "staff_id"),
    # A new one's place is one of two shapes in its schema; a change is checked merged with
    # what is stored, which no schema of the change can know.
    ("post", f"{_V1}/appointments"): _APPOINTMENT,
    ("patch", f"{_V1}/appointments/{{appointment_id}}"): {**_APPOINTMENT, **_ONE_PLACE},
    ("post", f"{_V1}/patients"): _without(_PATIENT_FIELDS, "lat", "lon"),
    ("patch", f"{_V1}/patients/{{patient_id}}"): _PATIENT_FIELDS,
    ("post", f"{_V1}/care-plans"): _CARE_PLAN,
    ("patch", f"{_V1}/care-plans/{{care_plan_id}}"): _without(_CARE_PLAN, "patient_id"),
    ("post", f"{_V1}/care-plans/generate"): {
        "to": "not before from, at most 92 days after it",
        "scope": "'all' or a municipality the caller plans for",
    },
    ("post", f"{_V1}/patients/{{patient_id}}/absences"): {"last_day": "not before first_day"},
    ("post", f"{_V1}/bases"): {
        "name": "not the name of another base",
        "municipality_code": "a municipality that exists",
    },
    ("post", f"{_V1}/users"): {
        "subject": "not the subject of another user",
        "hpr_number": "not the HPR number of another user",
        "staff_id": f"{_STAFF}; required for a nurse",
        "municipalities": "municipalities that exist (or 'all'); at least one for a coordinator",
    },
    ("post", f"{_V1}/visits"): _VISIT,
    # A change is checked merged with the stored visit: its staff_count may be the stored one.
    ("patch", f"{_V1}/visits/{{visit_id}}"): {
        **_without(_VISIT, "patient_id", "care_plan_id"),
        "second_staff_skills": "only with staff_count 2",
    },
    ("post", f"{_V1}/plans"): {
        "date": f"{_DAY_HAS_SHIFTS}, and no more visits and staff than the limits",
        "scope": "'all' or a municipality that exists",
    },
    ("post", f"{_V1}/plans/{{plan_id}}/replan"): {
        "at": "on the plan's day",
        "new_visits": "visits as POST /visits takes them, on the plan's day",
        "cancelled_visit_ids": "visits of the plan",
        "unavailable": "staff with a shift that day, from a time on that day",
        "running_late": "visits of the plan under way, ending on that day",
    },
    ("post", f"{_V1}/plans/{{plan_id}}/recommendations"): {
        **_VISIT,
        "window_start": "on the plan's day",
    },
    ("get", f"{_V1}/plans/{{plan_id}}/diff"): {"against": "another version of the same day"},
    ("post", f"{_V1}/plans/{{plan_id}}/moves/check"): _MOVE,
    ("post", f"{_V1}/plans/{{plan_id}}/moves"): _MOVE,
    ("post", f"{_V1}/visits/{{visit_id}}/status"): {
        "at": "no later than the server's clock allows, not before the day before the visit",
        "expected_end_at": "only for a started visit, after at",
        "lat": "with lon",
        "staff_id": "a staff member of the visit",
        "status": "a change the visit's state allows",
    },
    ("get", f"{_V1}/reports/continuity"): {
        "end": "not before start, at most 62 days after it",
        "municipality": "a municipality that exists",
    },
    ("get", f"{_V1}/reports/municipalities"): {
        "to": "not before from, at most 366 days in all",
        "format": "'csv' or 'json'",
    },
    ("get", f"{_V1}/audit"): {"until": "not before since"},
}


def rules_for(method: str, path: str) -> dict[str, str]:
    return RULES.get((method.lower(), path), {})


def describe_rules_beyond_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each listed operation's 422 naming the rules above (see the docstring)."""
    for (method, path), rules in RULES.items():
        operation = schema.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            raise KeyError(f"{method.upper()} {path} is not an operation of the API")
        response = operation.setdefault("responses", {}).setdefault("422", {})
        lines = "\n".join(f"- `{field}`: {rule}" for field, rule in rules.items())
        response["description"] = (
            f"{response.get('description', '')}\n\nAlso refused with 422, though the schema "
            f"cannot state it (a rule across fields, or what is stored):\n{lines}"
        ).strip()
        response[REFUSED_FLAG] = True
        response[RULES_KEY] = dict(rules)
    return schema
