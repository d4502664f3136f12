"""Times people and phones send: Oslo wall-clock times map to the right instants on the days the
clocks change, and a time that cannot be meant is a 422 that names its field (docs/time.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from fastapi.testclient import TestClient

from ambulant.models import Role
from ambulant.timeutil import local, now
from tests.api.builders import (
    Headers,
    assert_invalid,
    created,
    make_patient,
    make_shift,
    make_staff,
)
from tests.api.builders import make_visit as visit_body
from tests.api.roster import Rostered
from tests.builders import TinyRegion

pytestmark = pytest.mark.dates

SPRING = "2027-03-28"  # 02:00 becomes 03:00
AUTUMN = "2026-10-25"  # 03:00 becomes 02:00


def staff_id(client: TestClient, headers: Headers) -> int:
    return int(created(client.post("/api/v1/staff", json=make_staff(), headers=headers))["id"])


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("day", "wall", "expected_utc", "offset"),
    [
        (SPRING, "08:00", "06:00", "+02:00"),
        (SPRING, "01:30", "00:30", "+01:00"),
        (AUTUMN, "08:00", "07:00", "+01:00"),
        (AUTUMN, "02:30", "00:30", "+02:00"),  # the first of the two 02:30s
    ],
)
def test_visit_window_in_local_time_is_the_right_instant_on_change_days(
    client: TestClient,
    coordinator: Headers,
    region: TinyRegion,
    day: str,
    wall: str,
    expected_utc: str,
    offset: str,
) -> None:
    """A naive window start is Oslo time: its instant and the offset shown follow the change."""
    patient = region_patient(client, coordinator)
    body = visit_body(
        patient, window_start=f"{day}T{wall}", window_end=f"{day}T09:30", duration_minutes=20
    )
    stored = created(client.post("/api/v1/visits", json=body, headers=coordinator))
    assert stored["window_start"] == f"{day}T{wall}:00{offset}"
    assert utc(stored["window_start"]) == dt.datetime.fromisoformat(f"{day}T{expected_utc}+00:00")
    assert stored["date"] == day


def region_patient(client: TestClient, coordinator: Headers) -> int:
    body = make_patient()
    return int(created(client.post("/api/v1/patients", json=body, headers=coordinator))["id"])


def test_a_local_time_the_clocks_skip_is_refused_naming_the_field(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """02:30 on the spring change day does not exist in Oslo: 422 on window_start, and on a
    shift's end."""
    patient = region_patient(client, coordinator)
    body = visit_body(patient, window_start=f"{SPRING}T02:30", window_end=f"{SPRING}T09:00")
    error = assert_invalid(
        client.post("/api/v1/visits", json=body, headers=coordinator), "window_start"
    )
    assert "does not exist" in error["detail"]
    shift = make_shift(
        staff_id(client, coordinator),
        start_at="2027-03-27T22:00",
        end_at=f"{SPRING}T02:30",
        break_minutes=0,
    )
    assert_invalid(client.post("/api/v1/shifts", json=shift, headers=coordinator), "end_at")


def test_the_second_of_two_ambiguous_times_is_chosen_with_an_offset(
    client: TestClient, coordinator: Headers, region: TinyRegion
) -> None:
    """02:30+01:00 on the autumn day is the second 02:30, an hour after the naive one."""
    patient = region_patient(client, coordinator)
    body = visit_body(patient, window_start=f"{AUTUMN}T02:30+01:00", window_end=f"{AUTUMN}T09:00")
    stored = created(client.post("/api/v1/visits", json=body, headers=coordinator))
    assert utc(stored["window_start"]) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "end", "hours"), [("2027-03-27", SPRING, 8), ("2026-10-24", AUTUMN, 10)]
)
def test_a_night_shift_over_a_change_is_stored_with_its_true_length(
    client: TestClient, coordinator: Headers, start: str, end: str, hours: int
) -> None:
    """22:00-07:00 is 8 hours over the spring change and 10 over the autumn one; both fit the
    16-hour limit, which counts real hours."""
    body = make_shift(
        staff_id(client, coordinator),
        start_at=f"{start}T22:00",
        end_at=f"{end}T07:00",
        break_minutes=0,
    )
    shift = created(client.post("/api/v1/shifts", json=body, headers=coordinator))
    assert utc(shift["end_at"]) - utc(shift["start_at"]) == dt.timedelta(hours=hours)
    assert shift["date"] == start


def test_a_shift_of_more_than_16_real_hours_is_refused_over_the_autumn_change(
    client: TestClient, coordinator: Headers
) -> None:
    """15:30 to 07:00 the next morning reads as 15.5 hours on the wall but is 16.5 over the
    autumn change: refused."""
    body = make_shift(
        staff_id(client, coordinator),
        start_at="2026-10-24T15:30",
        end_at=f"{AUTUMN}T07:00",
        break_minutes=0,
    )
    error = assert_invalid(client.post("/api/v1/shifts", json=body, headers=coordinator), "end_at")
    assert "16 hours" in error["detail"]


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_a_visit_window_far_outside_the_calendar_is_a_422(
    client: TestClient, coordinator: Headers, region: TinyRegion, year: str
) -> None:
    """Year 1 and year 9999 are typing errors: 422 on window_start, never a 500."""
    patient = region_patient(client, coordinator)
    body = visit_body(patient, window_start=f"{year}-01-01T09:00", window_end=f"{year}-01-01T10:00")
    error = assert_invalid(
        client.post("/api/v1/visits", json=body, headers=coordinator), "window_start"
    )
    assert "outside" in error["detail"]


def test_a_date_out_of_range_is_a_422_naming_it(
    client: TestClient, coordinator: Headers, region: TinyRegion, rostered: Rostered
) -> None:
    """A plan for year 1 and a schedule for year 9999 name `date`."""
    assert_invalid(
        client.post("/api/v1/plans", json={"date": "0001-01-01"}, headers=coordinator), "date"
    )
    schedule = client.get(
        f"/api/v1/staff/{rostered.ann}/schedule", params={"date": "9999-12-31"}, headers=coordinator
    )
    assert_invalid(schedule, "date")


def test_a_status_report_needs_the_instant_with_its_offset(
    client: TestClient, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """A phone reports when something happened as an instant: a naive time is a 422 on `at`."""
    nurse = headers_for(Role.NURSE, rostered.ann)
    schedule = client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=nurse).json()
    visit_id = schedule["stops"][0]["visit_id"]
    naive = {"status": "en_route", "at": f"{rostered.today.isoformat()}T08:00"}
    url = f"/api/v1/visits/{visit_id}/status"
    error = assert_invalid(client.post(url, json=naive, headers=nurse), "at")
    assert "offset" in error["detail"]
    aware = naive | {"at": now().astimezone(dt.UTC).isoformat()}
    assert client.post(url, json=aware, headers=nurse).status_code == 201


def test_the_default_schedule_is_the_oslo_date_while_utc_is_still_yesterday(
    client: TestClient, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """At 00:30 in Oslo, when UTC still has the evening before, a nurse's schedule without a
    date is Oslo's new day, with the same ETag as asking for that date."""
    with time_machine.travel(local(rostered.today, dt.time(0, 30)), tick=False):
        nurse = headers_for(Role.NURSE, rostered.ann)
        default = client.get(f"/api/v1/staff/{rostered.ann}/schedule", headers=nurse)
        dated = client.get(
            f"/api/v1/staff/{rostered.ann}/schedule",
            params={"date": rostered.today.isoformat()},
            headers=nurse,
        )
    assert default.status_code == 200, default.text
    assert default.json()["date"] == rostered.today.isoformat()
    assert [s["patient_id"] for s in default.json()["stops"]] == [rostered.ann_today]
    assert default.headers["etag"] == dated.headers["etag"]


def test_a_nurses_patients_of_today_and_tomorrow_are_oslo_days_after_midnight(
    client: TestClient, rostered: Rostered, headers_for: Callable[..., Headers]
) -> None:
    """At 00:30 in Oslo a nurse may open the patient she visits tomorrow in Oslo (with UTC's
    date that would be two days ahead), and still not the one of the day after."""
    with time_machine.travel(local(rostered.today, dt.time(0, 30)), tick=False):
        nurse = headers_for(Role.NURSE, rostered.ann)
        tomorrow = client.get(f"/api/v1/patients/{rostered.ann_tomorrow}", headers=nurse)
        later = client.get(f"/api/v1/patients/{rostered.ann_later}", headers=nurse)
    assert tomorrow.status_code == 200, tomorrow.text
    assert later.status_code == 404
