"""Skill levels, series and dependency rules on staff, visits and care plans."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.registry.care_plan_generation import generate_visit_requests
from tests.api.builders import (
    Headers,
    assert_invalid,
    at,
    created,
    make_care_plan,
    make_patient,
    make_staff,
    make_visit,
)
from tests.builders import DAY


def add(client: TestClient, headers: Headers, url: str, body: dict[str, object]) -> int:
    new_id: int = created(client.post(url, json=body, headers=headers))["id"]
    return new_id


def test_staff_skill_level_defaults_reads_back_and_is_bounded(
    client: TestClient, coordinator: Headers
) -> None:
    """Staff are ungraded (0) unless told; a level reads back and patches; out of 0..5 or null
    is 422 on skill_level."""
    plain = created(client.post("/api/v1/staff", json=make_staff(), headers=coordinator))
    assert plain["skill_level"] == 0
    nurse = created(
        client.post("/api/v1/staff", json=make_staff(skill_level=2), headers=coordinator)
    )
    assert nurse["skill_level"] == 2
    url = f"/api/v1/staff/{nurse['id']}"
    raised = client.patch(url, json={"skill_level": 3}, headers=coordinator)
    assert raised.status_code == 200 and raised.json() == nurse | {"skill_level": 3}
    for bad in (6, -1, "expert"):
        body = make_staff(skill_level=bad)
        assert_invalid(client.post("/api/v1/staff", json=body, headers=coordinator), "skill_level")
    assert_invalid(
        client.patch(url, json={"skill_level": None}, headers=coordinator), "skill_level"
    )


def test_visit_dependency_rule_level_and_series_read_back(
    client: TestClient, coordinator: Headers
) -> None:
    """A follow-up 2-4 h after the first visit ends, by someone else, needing a nurse, in the
    patient's 'medication' series: every field reads back; the defaults are start, any, 0, none."""
    patient = add(client, coordinator, "/api/v1/patients", make_patient())
    first = created(client.post("/api/v1/visits", json=make_visit(patient), headers=coordinator))
    assert (first["dependency_anchor"], first["dependency_staff"]) == ("start", "any")
    assert (first["required_skill_level"], first["series"]) == (0, None)
    body = make_visit(
        patient,
        window_start=at("11:00"),
        window_end=at("15:00"),
        depends_on_id=first["id"],
        min_lag_minutes=120,
        max_lag_minutes=240,
        dependency_anchor="end",
        dependency_staff="different",
        required_skill_level=2,
        series="medication",
    )
    follow_up = created(client.post("/api/v1/visits", json=body, headers=coordinator))
    for key in ("dependency_anchor", "dependency_staff", "required_skill_level", "series"):
        assert follow_up[key] == body[key]
    url = f"/api/v1/visits/{follow_up['id']}"
    same = client.patch(url, json={"dependency_staff": "same", "series": None}, headers=coordinator)
    assert same.status_code == 200, same.text
    assert same.json() == follow_up | {"dependency_staff": "same", "series": None}


def test_bad_visit_rule_level_or_series_names_the_field(
    client: TestClient, coordinator: Headers
) -> None:
    """An unknown anchor or staff rule, a level out of range, an empty or over-long series:
    422 naming the field. Pinning both visits to different staff contradicts 'same' (and to one
    staff member contradicts 'different'): 422 on dependency_staff."""
    patient = add(client, coordinator, "/api/v1/patients", make_patient())
    first = add(client, coordinator, "/api/v1/visits", make_visit(patient))
    cases = {
        "dependency_anchor": make_visit(patient, depends_on_id=first, dependency_anchor="middle"),
        "dependency_staff": make_visit(patient, depends_on_id=first, dependency_staff="both"),
        "required_skill_level": make_visit(patient, required_skill_level=9),
        "series": make_visit(patient, series=""),
    }
    for field, body in cases.items():
        assert_invalid(client.post("/api/v1/visits", json=body, headers=coordinator), field)
    long_series = make_visit(patient, series="x" * 41)
    assert_invalid(client.post("/api/v1/visits", json=long_series, headers=coordinator), "series")

    ann = add(client, coordinator, "/api/v1/staff", make_staff(name="Ann"))
    bob = add(client, coordinator, "/api/v1/staff", make_staff(name="Bob"))
    pinned = add(client, coordinator, "/api/v1/visits", make_visit(patient, pinned_staff_id=ann))
    same_but_bob = make_visit(
        patient, depends_on_id=pinned, dependency_staff="same", pinned_staff_id=bob
    )
    response = client.post("/api/v1/visits", json=same_but_bob, headers=coordinator)
    assert "pinned" in assert_invalid(response, "dependency_staff")["detail"]
    different_but_ann = make_visit(
        patient, depends_on_id=pinned, dependency_staff="different", pinned_staff_id=ann
    )
    response = client.post("/api/v1/visits", json=different_but_ann, headers=coordinator)
    assert_invalid(response, "dependency_staff")
    fine = make_visit(patient, depends_on_id=pinned, dependency_staff="same", pinned_staff_id=ann)
    follow_up = add(client, coordinator, "/api/v1/visits", fine)
    response = client.patch(
        f"/api/v1/visits/{follow_up}", json={"pinned_staff_id": bob}, headers=coordinator
    )
    assert_invalid(response, "dependency_staff")


def test_care_plan_level_and_series_reach_the_visits_it_yields(
    client: TestClient, coordinator: Headers, db: Engine
) -> None:
    """A care plan's required level and series read back, are validated, and are copied to the
    visit requests it yields on its weekdays."""
    patient = add(client, coordinator, "/api/v1/patients", make_patient())
    body = make_care_plan(patient, weekdays=[DAY.weekday()], required_skill_level=2, series="am")
    care_plan = created(client.post("/api/v1/care-plans", json=body, headers=coordinator))
    assert (care_plan["required_skill_level"], care_plan["series"]) == (2, "am")
    for field, bad in (("required_skill_level", -1), ("series", "")):
        response = client.post(
            "/api/v1/care-plans", json=make_care_plan(patient, **{field: bad}), headers=coordinator
        )
        assert_invalid(response, field)
    with Session(db) as session:
        (visit,) = generate_visit_requests(session, day=DAY)
        session.commit()
        assert (visit.required_skill_level, visit.series) == (2, "am")
