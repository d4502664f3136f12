"""/api/v1/care-plans with recurrence rules and exception days, and a patient's absences."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.builders import Headers, assert_invalid, created, make_care_plan, make_patient

URL = "/api/v1/care-plans"


def test_a_rich_rule_round_trips_and_a_bad_one_names_recurrence(
    client: TestClient, coordinator: Headers
) -> None:
    """Every second week, twice a day, until a date, with a holiday: stored normalised and read
    back; a rule dateutil cannot read is a 422 on `recurrence`, also in a patch."""
    patient = created(client.post("/api/v1/patients", json=make_patient(), headers=coordinator))
    body = make_care_plan(
        patient["id"],
        weekdays=None,
        recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;BYHOUR=8,18;UNTIL=20270630",
        valid_from="2026-11-02",
        exdates=["2026-12-25", "2026-12-24", "2026-12-25"],
    )
    plan = created(client.post(URL, json=body, headers=coordinator))
    assert (
        plan["recurrence"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;BYHOUR=8,18;UNTIL=20270630T235959"
    )
    assert plan["exdates"] == ["2026-12-24", "2026-12-25"]
    assert client.get(f"{URL}/{plan['id']}", headers=coordinator).json() == plan

    bad = make_care_plan(patient["id"], weekdays=None, recurrence="FREQ=FORTNIGHTLY")
    assert_invalid(client.post(URL, json=bad, headers=coordinator), "recurrence")
    patch = client.patch(
        f"{URL}/{plan['id']}", json={"recurrence": "FREQ=MINUTELY"}, headers=coordinator
    )
    assert_invalid(patch, "recurrence")
    assert_invalid(
        client.post(
            URL, json=make_care_plan(patient["id"], exdates=["2026-13-01"]), headers=coordinator
        ),
        "exdates",
    )
    assert client.get(f"{URL}/{plan['id']}", headers=coordinator).json() == plan


def test_absences_are_added_listed_and_removed(client: TestClient, coordinator: Headers) -> None:
    """A hospital stay is stored for the patient, listed, refused when it ends before it
    starts, and deleted; another patient's absence id is a 404."""
    patient = created(client.post("/api/v1/patients", json=make_patient(), headers=coordinator))
    url = f"/api/v1/patients/{patient['id']}/absences"
    stay = {"first_day": "2026-12-01", "last_day": "2026-12-10", "reason": "hospital stay"}
    absence = created(client.post(url, json=stay, headers=coordinator))
    assert absence | {"id": 0} == stay | {"id": 0, "patient_id": patient["id"]}
    assert client.get(url, headers=coordinator).json() == [absence]
    backwards = stay | {"last_day": "2026-11-30"}
    assert_invalid(client.post(url, json=backwards, headers=coordinator), "last_day")
    other = created(client.post("/api/v1/patients", json=make_patient(), headers=coordinator))
    wrong = client.delete(
        f"/api/v1/patients/{other['id']}/absences/{absence['id']}", headers=coordinator
    )
    assert wrong.status_code == 404
    assert client.delete(f"{url}/{absence['id']}", headers=coordinator).status_code == 204
    assert client.get(url, headers=coordinator).json() == []
