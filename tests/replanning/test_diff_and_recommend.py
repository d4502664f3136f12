"""The diff says who gets what; recommendations price the options and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from ambulant.jobs.lifecycle import run_job
from ambulant.models import Plan, PlanStatus, VisitRequest, VisitStatusReport
from ambulant.replanning import solve_rest_of_day
from ambulant.replanning.diff import PlanDiff, plan_diff
from ambulant.replanning.recommend import recommend
from ambulant.replanning.requests import request_replan
from ambulant.replanning.views import RecommendationRequest, ReplanRequest, drive_change
from ambulant.travel.geodesic import GeodesicTravelTimes
from tests.replanning.conftest import Day
from tests.replanning.day import COORDINATOR, at


def _ask(day: Day, **overrides: object) -> RecommendationRequest:
    values: dict[str, object] = {
        "patient_id": day.region.patients[2].id,
        "window_start": at("11:00"),
        "window_end": at("13:30"),
        "duration_minutes": 30,
        "skills": ["medication"],
        "priority": "urgent",
        "k": 3,
        "at": at("10:15"),
    }
    return RecommendationRequest.model_validate(values | overrides)


def _counts(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Plan, VisitRequest, VisitStatusReport)
    )


def test_recommendations_are_ranked_feasible_first_and_change_nothing(
    engine: Engine, day: Day
) -> None:
    """Three options for three nurses, cheapest first, each starting inside the window; the
    database holds exactly what it held before."""
    with Session(engine) as session:
        before = _counts(session)
        answer = recommend(
            session,
            plan_id=day.plan_id,
            request=_ask(day),
            settings=day.settings,
            travel=GeodesicTravelTimes(),
        )
        assert _counts(session) == before
    assert [o.rank for o in answer.options] == [1, 2, 3]
    feasible = [o for o in answer.options if o.feasible]
    assert feasible and answer.reason is None
    assert [o.cost_delta for o in feasible] == sorted(o.cost_delta for o in feasible)
    assert all(at("11:00") <= o.start_at <= at("13:00") for o in feasible)
    assert len({o.staff_ids[0] for o in answer.options}) == 3


def test_a_joint_visit_is_recommended_to_pairs(engine: Engine, day: Day) -> None:
    """staff_count 2: each option is another pair of two different nurses, feasible, starting
    together inside the window, cheapest first."""
    with Session(engine) as session:
        answer = recommend(
            session,
            plan_id=day.plan_id,
            request=_ask(day, staff_count=2, skills=["personal_care"]),
            settings=day.settings,
            travel=GeodesicTravelTimes(),
        )
    nurses = {s.id for s in day.region.staff}
    pairs = {frozenset(o.staff_ids) for o in answer.options}
    assert pairs and len(pairs) == len(answer.options)
    assert all(len(p) == 2 and p <= nurses for p in pairs)
    assert all(o.feasible for o in answer.options) and answer.reason is None
    assert all(at("11:00") <= o.start_at <= at("13:00") for o in answer.options)
    assert [o.cost_delta for o in answer.options] == sorted(o.cost_delta for o in answer.options)


def test_nobody_qualified_means_no_feasible_option_and_a_reason(engine: Engine, day: Day) -> None:
    """No nurse has palliative care: no feasible option, and the answer names the missing skill
    rather than a lack of room."""
    with Session(engine) as session:
        answer = recommend(
            session,
            plan_id=day.plan_id,
            request=_ask(day, skills=["palliative_care"]),
            settings=day.settings,
            travel=GeodesicTravelTimes(),
        )
    assert not any(o.feasible for o in answer.options)
    assert answer.reason == "nobody working has the skills for part 1 (palliative_care)"


def test_the_diff_shows_the_urgent_visit_added_to_its_staff(
    engine: Engine, day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new visit is counted as added, appears in exactly its staff's 'added' list, and those
    staff are among the affected. The job computes the diff once and stores it with the plan (a
    counting wrapper around the real diff function counts the job's calls)."""
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> PlanDiff:
        calls.append(1)
        return plan_diff(*args, **kwargs)

    monkeypatch.setattr(solve_rest_of_day, "plan_diff", counted)
    urgent = _ask(day).model_dump(exclude={"k", "at"})
    with Session(engine, expire_on_commit=False) as session:
        plan = request_replan(
            session,
            plan_id=day.plan_id,
            request=ReplanRequest.model_validate({"at": at("10:15"), "new_visits": [urgent]}),
            principal=COORDINATOR,
            now=at("10:15"),
        )
        session.commit()
    assert plan.id is not None
    done = run_job(engine, plan_id=plan.id, settings=day.settings)
    assert done.status == PlanStatus.DRAFT and calls == [1]
    with Session(engine) as session:
        diff = plan_diff(session, plan_id=plan.id)
    assert done.diff == diff.model_dump(mode="json")
    new_id = plan.parameters["replan"]["new_visit_ids"][0]
    holders = [c.staff_id for c in diff.staff if any(a.visit_id == new_id for a in c.added)]
    assert diff.added_visits == 1 and len(holders) == 1
    assert set(holders) <= set(diff.affected_staff_ids)
    assert (diff.base_plan_id, diff.base_version, diff.version) == (day.plan_id, 1, 2)
    assert diff.unassigned == []


def test_a_change_in_driving_reads_with_one_sign() -> None:
    """Added driving is "+N", less driving "saves N", never "+-N"; -61 s is 1 min, not 2."""
    assert drive_change(720) == "+12 min drive"
    assert drive_change(-8820) == "saves 147 min drive"
    assert drive_change(-61) == "saves 1 min drive"
    assert drive_change(20) == drive_change(-20) == "no added drive"
