"""/api/v1/shifts: a staff member's working hours on a day."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.api.builders import Headers, assert_invalid, at, created, make_shift, make_staff
from tests.builders import DAY, MERAKER, STJORDAL

URL = "/api/v1/shifts"


def add_staff(client: TestClient, headers: Headers, **overrides: object) -> int:
    staff_id: int = created(
        client.post("/api/v1/staff", json=make_staff(**overrides), headers=headers)
    )["id"]
    return staff_id


def test_shift_round_trip(client: TestClient, coordinator: Headers) -> None:
    """A shift is stored with its local date, reads back, patches and deletes."""
    staff = add_staff(client, coordinator)
    shift = created(client.post(URL, json=make_shift(staff), headers=coordinator))
    assert shift["date"] == DAY.isoformat()
    # Naive times are Oslo wall-clock time; 2026-11-25 is winter time, UTC+1.
    assert shift["start_at"] == f"{DAY.isoformat()}T07:30:00+01:00"
    assert client.get(f"{URL}/{shift['id']}", headers=coordinator).json() == shift

    later = client.patch(f"{URL}/{shift['id']}", json={"end_at": at("16:00")}, headers=coordinator)
    assert later.status_code == 200, later.text
    assert later.json()["end_at"] == f"{DAY.isoformat()}T16:00:00+01:00"
    assert later.json()["start_at"] == shift["start_at"]

    assert client.delete(f"{URL}/{shift['id']}", headers=coordinator).status_code == 204
    assert client.get(f"{URL}/{shift['id']}", headers=coordinator).status_code == 404


def test_shift_date_is_the_local_date_of_its_start(
    client: TestClient, coordinator: Headers
) -> None:
    """A night shift starting 23:30 UTC starts 00:30 in Oslo, so it belongs to the next day,
    also after a patch moves it."""
    staff = add_staff(client, coordinator)
    body = make_shift(
        staff,
        start_at=f"{DAY.isoformat()}T23:30:00Z",
        end_at=f"{DAY.isoformat()}T23:59:00Z",
        break_minutes=0,
    )
    shift = created(client.post(URL, json=body, headers=coordinator))
    assert shift["date"] == (DAY + dt.timedelta(days=1)).isoformat()
    moved = client.patch(
        f"{URL}/{shift['id']}",
        json={"start_at": f"{DAY.isoformat()}T22:30:00Z"},
        headers=coordinator,
    )
    assert moved.json()["date"] == DAY.isoformat()


def test_bad_shift_input_names_the_field(client: TestClient, coordinator: Headers) -> None:
    """End before start, an over-long shift, a break outside it or an unknown staff member:
    422 naming the field."""
    staff = add_staff(client, coordinator)
    cases = {
        "end_at": make_shift(staff, start_at=at("15:00"), end_at=at("07:00")),
        "staff_id": make_shift(staff + 100),
        "break_minutes": make_shift(staff, break_minutes=200),
        "break_earliest": make_shift(staff, break_earliest=at("06:00")),
        "start_at": make_shift(staff, start_at="yesterday-ish"),
    }
    for field, body in cases.items():
        assert_invalid(client.post(URL, json=body, headers=coordinator), field)
    too_long = make_shift(staff, start_at=at("06:00"), end_at=at("23:00"))
    assert (
        "16 hours"
        in assert_invalid(client.post(URL, json=too_long, headers=coordinator), "end_at")["detail"]
    )


def test_patch_ending_before_the_start_is_refused(client: TestClient, coordinator: Headers) -> None:
    """The merged shift is checked: moving only the end before the stored start is 422 on end_at."""
    staff = add_staff(client, coordinator)
    shift = created(client.post(URL, json=make_shift(staff), headers=coordinator))
    url = f"{URL}/{shift['id']}"
    assert_invalid(client.patch(url, json={"end_at": at("07:00")}, headers=coordinator), "end_at")
    assert_invalid(
        client.patch(url, json={"break_minutes": 600}, headers=coordinator), "break_minutes"
    )
    assert client.get(url, headers=coordinator).json() == shift


def test_list_filters_by_date_staff_and_municipality(
    client: TestClient, coordinator: Headers
) -> None:
    """Filters combine: by local date, by staff member, by where the staff member works."""
    here = add_staff(client, coordinator)
    there = add_staff(client, coordinator, municipality_code=MERAKER)
    next_day = DAY + dt.timedelta(days=1)
    ids = {
        (staff, day): created(
            client.post(
                URL,
                json=make_shift(staff, start_at=at("08:00", day), end_at=at("12:00", day)),
                headers=coordinator,
            )
        )["id"]
        for staff in (here, there)
        for day in (DAY, next_day)
    }

    def listed(**params: object) -> list[int]:
        page = client.get(URL, params=params, headers=coordinator).json()
        assert page["total"] == len(page["items"])
        return sorted(s["id"] for s in page["items"])

    assert listed(date=DAY.isoformat()) == sorted([ids[here, DAY], ids[there, DAY]])
    assert listed(staff_id=there) == sorted([ids[there, DAY], ids[there, next_day]])
    assert listed(municipality=STJORDAL, date=next_day.isoformat()) == [ids[here, next_day]]
    assert listed(date="2030-01-01") == []
    assert_invalid(client.get(URL, params={"date": "25.11.2026"}, headers=coordinator), "date")


def test_unknown_shift_is_404(client: TestClient, coordinator: Headers) -> None:
    """Reading, changing or deleting a shift that does not exist is 404."""
    assert client.get(f"{URL}/4242", headers=coordinator).status_code == 404
    assert (
        client.patch(f"{URL}/4242", json={"break_minutes": 0}, headers=coordinator).status_code
        == 404
    )
    assert client.delete(f"{URL}/4242", headers=coordinator).status_code == 404


def test_overlapping_shifts_of_one_person_are_refused(
    client: TestClient, coordinator: Headers
) -> None:
    """A second shift overlapping the first for the same person is 422 naming start_at, on
    create and on patch; back-to-back shifts, a split shift with time off between and other
    people's shifts are fine."""
    staff, other = add_staff(client, coordinator), add_staff(client, coordinator)
    created(client.post(URL, json=make_shift(staff), headers=coordinator))
    overlap = make_shift(staff, start_at=at("14:00"), end_at=at("20:00"), break_minutes=0)
    response = client.post(URL, json=overlap, headers=coordinator)
    assert response.status_code == 422 and response.json()["field"] == "start_at"
    created(client.post(URL, json=make_shift(other), headers=coordinator))
    evening = make_shift(staff, start_at=at("15:00"), end_at=at("20:00"), break_minutes=0)
    evening_id = created(client.post(URL, json=evening, headers=coordinator))["id"]
    earlier = client.patch(
        f"{URL}/{evening_id}", json={"start_at": at("14:30")}, headers=coordinator
    )
    assert earlier.status_code == 422 and earlier.json()["field"] == "start_at"
