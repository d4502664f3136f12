"""/api/v1/plans/{id}/moves: a visit moved by hand, checked by the solver's validator, stored
as a new draft version only when it keeps every rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

import solver
from ambulant.config import Settings
from ambulant.models import Plan, Role, Shift, VisitStatus
from ambulant.planning.problem_builder import build_problem
from ambulant.planning.store import stored_result
from ambulant.travel.factory import travel_times_from_settings
from tests.api.builders import Headers, assert_invalid
from tests.builders import TinyRegion, make_patient, make_staff, make_visit
from tests.replanning.day import at, report, solved_plan

URL = "/api/v1/plans"


@dataclass
class Board:
    plan_id: int
    aide_id: int
    """Staff without the medication skill."""
    narrow_visit_id: int
    """A medication visit that must start between 09:00 and 09:30."""
    joint_visit_id: int
    nurse_ids: list[int]


@pytest.fixture
def board(db: Engine, settings: Settings, region: TinyRegion) -> Board:
    """Three nurses and an aide (personal care only); six medication visits with wide windows,
    one narrow, one joint personal-care visit; solved and published as version 1."""
    with Session(db, expire_on_commit=False) as session:
        for _ in range(3):
            make_staff(session, region)
        aide = make_staff(session, region, name="Aide", skills=["personal_care"])
        for _ in range(5):
            make_visit(
                session, region, make_patient(session, region), start=dt.time(8), end=dt.time(14)
            )
        narrow = make_visit(
            session, region, make_patient(session, region), start=dt.time(9), end=dt.time(10)
        )
        joint = make_visit(
            session,
            region,
            region.patients[0],
            description="Transfer with two staff",
            skills=["personal_care"],
            staff_count=2,
            start=dt.time(13, 0),
            end=dt.time(14, 30),
        )
        session.commit()
    plan_id = solved_plan(db, settings, day=region.day)
    assert aide.id and narrow.id and joint.id
    nurses = [s.id for s in region.staff if s.id and s.id != aide.id]
    return Board(plan_id, aide.id, narrow.id, joint.id, nurses)


def _plan(client: TestClient, plan_id: int, headers: Headers) -> dict[str, Any]:
    response = client.get(f"{URL}/{plan_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _staff_of(plan: dict[str, Any], visit_id: int) -> list[int]:
    return [
        r["staff_id"]
        for r in plan["routes"]
        for s in r["stops"]
        if s["visit_id"] == visit_id and s["kind"] == "visit"
    ]


def _single_visits(plan: dict[str, Any], board: Board) -> list[int]:
    planned = {s["visit_id"] for r in plan["routes"] for s in r["stops"] if s["visit_id"]}
    return sorted(planned - {board.joint_visit_id})


def _valid_move(
    client: TestClient, board: Board, coordinator: Headers
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first move of a single visit to another nurse that the check finds valid."""
    plan = _plan(client, board.plan_id, coordinator)
    nurses = sorted({r["staff_id"] for r in plan["routes"]} - {board.aide_id})
    for visit_id in _single_visits(plan, board):
        for staff_id in nurses:
            if staff_id in _staff_of(plan, visit_id):
                continue
            body = {"visit_id": visit_id, "staff_id": staff_id}
            check = client.post(
                f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator
            )
            assert check.status_code == 200, check.text
            if check.json()["valid"]:
                return body, check.json()
    raise AssertionError("no valid move on a day with wide windows")


def test_a_valid_move_is_stored_as_a_new_draft_that_the_validator_accepts(
    client: TestClient, db: Engine, settings: Settings, board: Board, coordinator: Headers
) -> None:
    """The check answers valid with the moved visit first among the changes and stores
    nothing; the move (If-Match "1") answers 201 with version 2, a draft based on version 1,
    whose stops put the visit on the new nurse, whose diff counts one reassigned visit, and
    which the solver's validator accepts on the day rebuilt from the database; it can then be
    published in place of version 1."""
    body, check = _valid_move(client, board, coordinator)
    assert check["violations"] == [] and check["changes"][0]["visit_id"] == body["visit_id"]
    assert check["changes"][0]["staff_ids"] == [body["staff_id"]]
    assert len(client.get(URL, headers=coordinator).json()) == 1

    moved = client.post(
        f"{URL}/{board.plan_id}/moves", json=body, headers=coordinator | {"If-Match": '"1"'}
    )
    assert moved.status_code == 201, moved.text
    answer = moved.json()
    new_id = answer["plan"]["id"]
    assert answer["plan"]["version"] == 2 and answer["plan"]["status"] == "draft"
    assert answer["based_on_plan_id"] == board.plan_id and answer["based_on_version"] == 1
    assert moved.headers["Location"] == f"{URL}/{new_id}" and moved.headers["ETag"] == '"2"'
    assert answer["diff"]["reassigned_visits"] == 1
    assert answer["changes"] == check["changes"]

    new = _plan(client, new_id, coordinator)
    assert _staff_of(new, body["visit_id"]) == [body["staff_id"]]
    old = _plan(client, board.plan_id, coordinator)
    assert _staff_of(old, body["visit_id"]) != [body["staff_id"]]  # the base is unchanged
    with Session(db) as session:
        plan = session.get(Plan, new_id)
        assert plan is not None and plan.based_on_id == board.plan_id
        assert plan.diff == answer["diff"]
        built = build_problem(
            session,
            day=plan.date,
            scope=plan.scope,
            travel=travel_times_from_settings(settings, engine=db),
            settings=settings,
        )
        assert solver.validate(built.problem, stored_result(session, plan)) == []
    published = client.post(f"{URL}/{new_id}/publish", headers=coordinator)
    assert published.status_code == 200, published.text
    assert _plan(client, board.plan_id, coordinator)["status"] == "superseded"
    # The figures of the new version still add up to its routes.
    total = new["kpis_by_municipality"][-1]
    assert total["drive_s"] == sum(r["travel_s"] for r in new["routes"])
    assert total["distance_m"] == sum(r["distance_m"] for r in new["routes"])


def test_a_move_to_staff_without_the_skill_is_refused_in_words(
    client: TestClient, board: Board, coordinator: Headers
) -> None:
    """A medication visit to the aide: the check says invalid, naming the missing skill and
    the aide; the move is 422 with the same violation and stores no version."""
    plan = _plan(client, board.plan_id, coordinator)
    visit_id = _single_visits(plan, board)[0]
    body = {"visit_id": visit_id, "staff_id": board.aide_id}
    check = client.post(f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator)
    assert check.status_code == 200, check.text
    result = check.json()
    assert result["valid"] is False
    skills = [v for v in result["violations"] if v["rule"] == "skills"]
    assert skills and skills[0]["staff_id"] == board.aide_id
    assert skills[0]["visit_id"] == visit_id
    assert skills[0]["message"] == (
        f"Aide lacks medication, which visit {visit_id} (Medication) needs"
    )

    refused = client.post(f"{URL}/{board.plan_id}/moves", json=body, headers=coordinator)
    assert refused.status_code == 422, refused.text
    assert refused.json()["violations"] == result["violations"]
    assert "lacks medication" in refused.json()["detail"]
    assert len(client.get(URL, headers=coordinator).json()) == 1


def test_a_start_outside_the_window_is_refused(
    client: TestClient, board: Board, coordinator: Headers
) -> None:
    """The narrow visit (09:00-10:00, 30 min) moved to 12:00 breaks its window, said with the
    times; nothing is stored."""
    body = {"visit_id": board.narrow_visit_id, "start_at": at("12:00").isoformat()}
    check = client.post(f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator)
    assert check.status_code == 200, check.text
    windows = [v for v in check.json()["violations"] if v["rule"] == "time_window"]
    assert windows and windows[0]["visit_id"] == board.narrow_visit_id
    assert windows[0]["message"] == (
        f"visit {board.narrow_visit_id} (Medication) would start at 12:00, but it must start "
        "between 09:00 and 09:30"
    )
    refused = client.post(f"{URL}/{board.plan_id}/moves", json=body, headers=coordinator)
    assert refused.status_code == 422
    assert len(client.get(URL, headers=coordinator).json()) == 1


def test_a_joint_visit_moves_with_both_staff_at_one_time(
    client: TestClient, board: Board, coordinator: Headers
) -> None:
    """The joint visit given to two other staff (the aide and a nurse): both parts start
    together in the changes; naming one staff member for it is a 422 on staff_id."""
    plan = _plan(client, board.plan_id, coordinator)
    now_with = set(_staff_of(plan, board.joint_visit_id))
    others = sorted(set(board.nurse_ids) - now_with)
    staff_ids = [board.aide_id, others[0]] if board.aide_id not in now_with else others[:2]
    body = {"visit_id": board.joint_visit_id, "staff_ids": staff_ids}
    check = client.post(f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator)
    assert check.status_code == 200, check.text
    joint = check.json()["changes"][0]
    assert joint["visit_id"] == board.joint_visit_id and joint["staff_ids"] == staff_ids
    assert not [v for v in check.json()["violations"] if v["rule"] == "joint_start"]
    one = {"visit_id": board.joint_visit_id, "staff_id": staff_ids[0]}
    assert_invalid(
        client.post(f"{URL}/{board.plan_id}/moves/check", json=one, headers=coordinator),
        "staff_id",
    )


def test_a_move_on_a_version_that_is_not_the_newest_is_a_conflict(
    client: TestClient, board: Board, coordinator: Headers
) -> None:
    """After a move made version 2, a move on version 1 is 409 naming version 2 (and its
    ETag); on version 2 with If-Match "1" it is 409 too; with "2" it goes on to version 3."""
    body, _ = _valid_move(client, board, coordinator)
    first = client.post(
        f"{URL}/{board.plan_id}/moves", json=body, headers=coordinator | {"If-Match": '"1"'}
    )
    assert first.status_code == 201, first.text
    new_id = first.json()["plan"]["id"]
    stale = client.post(
        f"{URL}/{board.plan_id}/moves", json=body, headers=coordinator | {"If-Match": '"1"'}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["current_version"] == 2 and stale.json()["current_plan_id"] == new_id
    assert stale.headers["ETag"] == '"2"'
    back = {"visit_id": body["visit_id"], "start_at": at("13:00").isoformat()}
    seen_old = client.post(
        f"{URL}/{new_id}/moves", json=back, headers=coordinator | {"If-Match": '"1"'}
    )
    assert seen_old.status_code == 409
    assert len(client.get(URL, headers=coordinator).json()) == 2


def test_bad_moves_name_the_field(
    client: TestClient, board: Board, coordinator: Headers, headers_for: Callable[..., Headers]
) -> None:
    """Unknown visit, unknown staff, both staff_id and staff_ids, a start on another day, a
    move that changes nothing, a malformed If-Match: 422 naming the field; an unknown plan is
    404; a nurse is 403; a coordinator of another scope gets 404."""
    plan = _plan(client, board.plan_id, coordinator)
    visit_id = _single_visits(plan, board)[0]
    (staff_id,) = _staff_of(plan, visit_id)
    check = f"{URL}/{board.plan_id}/moves/check"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"visit_id": 987654, "staff_id": staff_id}, "visit_id"),
        ({"visit_id": visit_id, "staff_id": 987654}, "staff_id"),
        ({"visit_id": visit_id, "staff_id": staff_id, "staff_ids": [staff_id]}, "staff_ids"),
        ({"visit_id": visit_id, "start_at": "2026-11-26T10:00"}, "start_at"),
        ({"visit_id": visit_id, "staff_id": staff_id}, "start_at"),
        ({"visit_id": visit_id, "start_at": "soon"}, "start_at"),
        ({"staff_id": staff_id}, "visit_id"),
    ]
    for body, field in cases:
        assert_invalid(client.post(check, json=body, headers=coordinator), field)
    ok = {"visit_id": visit_id, "start_at": at("10:00").isoformat()}
    assert_invalid(
        client.post(
            f"{URL}/{board.plan_id}/moves", json=ok, headers=coordinator | {"If-Match": "v1"}
        ),
        "If-Match",
    )
    assert client.post(f"{URL}/987654/moves/check", json=ok, headers=coordinator).status_code == 404
    nurse = headers_for(Role.NURSE, staff_id)
    assert client.post(check, json=ok, headers=nurse).status_code == 403
    local = headers_for(Role.COORDINATOR, municipalities=["5034"], subject="meraker")
    assert client.post(check, json=ok, headers=local).status_code == 404
    assert len(client.get(URL, headers=coordinator).json()) == 1


def test_a_move_onto_a_busy_time_pushes_the_stops_after_it(
    client: TestClient, board: Board, coordinator: Headers
) -> None:
    """A visit given to a nurse at the very start of one of her visits goes first; hers is
    re-timed after it (by at least the 30 min visit; if hers is a joint visit, the check says
    its staff would no longer start together), and the changes list both, moved first."""
    plan = _plan(client, board.plan_id, coordinator)
    singles = _single_visits(plan, board)
    stops = [
        (r["staff_id"], s)
        for r in plan["routes"]
        for s in r["stops"]
        if s["kind"] == "visit" and s["visit_id"] in singles
    ]
    by_staff = {staff_id for staff_id, _ in stops}
    staff_id, busy = stops[0]
    if len(by_staff) == 1:
        # One nurse has every single visit: give hers at 08:00 to another nurse's joint stop.
        visit_id = busy["visit_id"]
        staff_id = next(s for s in board.nurse_ids if s != staff_id)
        busy = next(
            s
            for r in plan["routes"]
            if r["staff_id"] == staff_id
            for s in r["stops"]
            if s["kind"] == "visit"
        )
    else:
        visit_id = next(v["visit_id"] for s, v in stops if s != staff_id)
    body = {"visit_id": visit_id, "staff_id": staff_id, "start_at": busy["start_at"]}
    check = client.post(f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator)
    assert check.status_code == 200, check.text
    changes = check.json()["changes"]
    assert changes[0]["visit_id"] == visit_id and changes[0]["start_at"] == busy["start_at"]
    pushed = next(c for c in changes if c["visit_id"] == busy["visit_id"])
    assert staff_id in pushed["staff_ids"]
    if pushed["visit_id"] == board.joint_visit_id:
        # Her part of the joint visit is pushed, her partner's is not: the check says so.
        rules = {v["rule"] for v in check.json()["violations"]}
        assert "joint_start" in rules
    else:
        assert pushed["shift_minutes"] >= 30


def test_a_route_whose_shift_is_gone_cannot_be_moved_in(
    client: TestClient, db: Engine, board: Board, coordinator: Headers
) -> None:
    """A nurse's shift deleted after planning leaves nothing to re-time her route by: moving a
    visit off it is a 409 that says to replan, not a 500."""
    plan = _plan(client, board.plan_id, coordinator)
    visit_id = _single_visits(plan, board)[0]
    (staff_id,) = _staff_of(plan, visit_id)
    with Session(db) as session:
        for shift in session.exec(select(Shift).where(Shift.staff_id == staff_id)):
            session.delete(shift)
        session.commit()
    other = next(s for s in board.nurse_ids if s != staff_id)
    body = {"visit_id": visit_id, "staff_id": other}
    response = client.post(f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator)
    assert response.status_code == 409, response.text
    assert "replan" in response.json()["detail"]


def test_a_visit_reported_done_stays_where_it_is(
    client: TestClient, db: Engine, board: Board, coordinator: Headers
) -> None:
    """Once its nurse has reported the visit done, a move of it is invalid, saying who reported
    what and when."""
    plan = _plan(client, board.plan_id, coordinator)
    visit_id = _single_visits(plan, board)[0]
    (staff_id,) = _staff_of(plan, visit_id)
    with Session(db) as session:
        report(session, visit_id, VisitStatus.DONE, at("10:05"), staff_id=staff_id)
        session.commit()
    other = next(s for s in board.nurse_ids if s != staff_id)
    body = {"visit_id": visit_id, "staff_id": other}
    check = client.post(f"{URL}/{board.plan_id}/moves/check", json=body, headers=coordinator)
    assert check.status_code == 200, check.text
    first = check.json()["violations"][0]
    assert first["rule"] == "already_reported" and first["staff_id"] == staff_id
    assert first["message"] == (
        f"visit {visit_id} (Medication) was reported done by Nurse {staff_id} at 10:05; "
        "it stays where it is"
    )
