"""A replan keeps what is done and running, takes in the change, and moves as little as it can."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.bench.replan import full_day_violations
from ambulant.errors import Conflict
from ambulant.jobs.lifecycle import run_job
from ambulant.models import (
    Plan,
    PlanStatus,
    PlanStop,
    UnassignedVisit,
    VisitRequestCreate,
    VisitStatus,
)
from ambulant.publishing import publish_version
from ambulant.replanning.requests import request_replan
from ambulant.replanning.solve import disruption_weights
from ambulant.replanning.solve_rest_of_day import solve_rest_of_day
from ambulant.replanning.versions import VersionConflict
from ambulant.replanning.views import ReplanRequest, StaffUnavailable
from ambulant.travel import Point, TravelMatrix
from ambulant.travel.geodesic import GeodesicTravelTimes
from tests.replanning.conftest import Day
from tests.replanning.day import COORDINATOR, at, report

MOMENT = "10:15"


def _stops(session: Session, plan_id: int) -> dict[int, list[tuple[int, dt.datetime, dt.datetime]]]:
    by_visit: dict[int, list[tuple[int, dt.datetime, dt.datetime]]] = {}
    for s in session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id, col(PlanStop.visit_id).is_not(None))
    ):
        assert s.visit_id is not None
        by_visit.setdefault(s.visit_id, []).append((s.staff_id, s.start_at, s.end_at))
    return {v: sorted(t) for v, t in by_visit.items()}


def _report_morning(session: Session, plan_id: int, moment: dt.datetime) -> set[int]:
    """Everything that started before `moment` reported as planned; returns those visits."""
    reported = set()
    for visit_id, parts in _stops(session, plan_id).items():
        staff_id, start, end = parts[0]
        if start < moment:
            report(session, visit_id, VisitStatus.STARTED, start, staff_id=staff_id)
            if end <= moment:
                report(session, visit_id, VisitStatus.DONE, end, staff_id=staff_id)
            reported.add(visit_id)
    session.commit()
    return reported


def _replan(engine: Engine, day: Day, request: ReplanRequest) -> Plan:
    with Session(engine, expire_on_commit=False) as session:
        plan = request_replan(
            session, plan_id=day.plan_id, request=request, principal=COORDINATOR, now=at(MOMENT)
        )
        session.commit()
        assert plan.id is not None
    return run_job(engine, plan_id=plan.id, settings=day.settings)


def _urgent(day: Day, **overrides: object) -> VisitRequestCreate:
    values: dict[str, object] = {
        "patient_id": day.region.patients[3].id,
        "description": "Fall at home",
        "window_start": at("10:30"),
        "window_end": at("13:00"),
        "duration_minutes": 30,
        "skills": ["wound_care"],
        "priority": "urgent",
    }
    return VisitRequestCreate.model_validate(values | overrides)


def test_done_and_started_visits_stay_and_the_urgent_visit_gets_in(
    engine: Engine, day: Day
) -> None:
    """Frozen visits keep staff and times; the urgent visit is planned after the moment; every
    other visit is still planned; the new version is a draft based on the old one, valid for the
    whole day."""
    with Session(engine) as session:
        frozen = _report_morning(session, day.plan_id, at(MOMENT))
        before = _stops(session, day.plan_id)
    assert frozen, "the fixture's day has visits before the moment"
    new = _replan(engine, day, ReplanRequest(at=at(MOMENT), new_visits=[_urgent(day)]))
    assert new.status == PlanStatus.DRAFT, new.error
    assert (new.based_on_id, new.version) == (day.plan_id, 2)
    with Session(engine) as session:
        after = _stops(session, new.id)  # type: ignore[arg-type]
        unassigned = session.exec(
            select(UnassignedVisit).where(UnassignedVisit.plan_id == new.id)
        ).all()
    urgent_id = new.parameters["replan"]["new_visit_ids"][0]
    assert all(after[v] == before[v] for v in frozen)
    assert urgent_id in after and all(start >= at(MOMENT) for _, start, _ in after[urgent_id])
    assert unassigned == []
    assert new.kpis["frozen_visits"] == len(frozen)
    with Session(engine) as session:
        stored = session.get(Plan, new.id)
        assert stored is not None
        assert full_day_violations(session, day.settings, GeodesicTravelTimes(), stored) == []


def test_staff_unavailable_from_a_time_get_no_work_after_it(engine: Engine, day: Day) -> None:
    """Sick from 10:15: nothing of theirs starts after that; their visits go to others (or are
    unassigned); the day is valid with the absence."""
    with Session(engine) as session:
        _report_morning(session, day.plan_id, at(MOMENT))
        before = _stops(session, day.plan_id)
    sick = next(parts[0][0] for v, parts in before.items() if parts[0][1] >= at(MOMENT))
    request = ReplanRequest(
        at=at(MOMENT), unavailable=[StaffUnavailable(staff_id=sick, from_at=at(MOMENT))]
    )
    new = _replan(engine, day, request)
    assert new.status == PlanStatus.DRAFT, new.error
    with Session(engine) as session:
        after = _stops(session, new.id)  # type: ignore[arg-type]
        left_out = {
            u.visit_id
            for u in session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == new.id))
        }
    for visit_id, parts in before.items():
        if any(s == sick and start >= at(MOMENT) for s, start, _ in parts):
            assert visit_id in left_out or all(s != sick for s, _, _ in after[visit_id])
    with Session(engine) as session:
        stored = session.get(Plan, new.id)
        assert stored is not None
        travel = GeodesicTravelTimes()
        assert full_day_violations(session, day.settings, travel, stored) == []


def test_a_cancelled_visit_is_listed_as_cancelled(engine: Engine, day: Day) -> None:
    """Cancelled in the replan: no stop, an unassigned entry with the reason 'cancelled'."""
    with Session(engine) as session:
        later = [
            v for v, parts in _stops(session, day.plan_id).items() if parts[0][1] > at("11:00")
        ]
    new = _replan(engine, day, ReplanRequest(at=at(MOMENT), cancelled_visit_ids=later[:1]))
    with Session(engine) as session:
        row = session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == new.id)).one()
        assert (row.visit_id, row.reason) == (later[0], "cancelled")
        assert later[0] not in _stops(session, new.id)  # type: ignore[arg-type]


def test_a_replan_on_an_old_version_is_a_conflict_naming_the_current(
    engine: Engine, day: Day
) -> None:
    """Once version 2 is published, replanning version 1 (or saying you saw 1) is a 409 that
    names version 2, and publishing another draft based on version 1 is refused too."""
    first = _replan(engine, day, ReplanRequest(at=at(MOMENT)))
    second = _replan(engine, day, ReplanRequest(at=at(MOMENT)))
    with Session(engine) as session:
        publish_version(session, plan_id=first.id)  # type: ignore[arg-type]
        session.commit()
        with pytest.raises(VersionConflict) as error:
            request_replan(
                session, plan_id=day.plan_id, request=ReplanRequest(), principal=COORDINATOR
            )
        assert error.value.current_version == first.version
        with pytest.raises(VersionConflict):
            request_replan(
                session,
                plan_id=first.id,
                request=ReplanRequest(),
                principal=COORDINATOR,  # type: ignore[arg-type]
                based_on_version=1,
            )
        with pytest.raises(VersionConflict):
            publish_version(session, plan_id=second.id)  # type: ignore[arg-type]


def test_publishing_a_version_a_later_report_contradicts_is_refused(
    engine: Engine, day: Day
) -> None:
    """A visit the draft still plans was cancelled after the solve: publish answers 409."""
    new = _replan(engine, day, ReplanRequest(at=at(MOMENT)))
    with Session(engine) as session:
        planned = next(v for v in _stops(session, new.id) if v)  # type: ignore[arg-type]
        report(session, planned, VisitStatus.CANCELLED, at("10:20"))
        session.commit()
        with pytest.raises(Conflict, match="cancelled"):
            publish_version(session, plan_id=new.id)  # type: ignore[arg-type]


class ReportsWhileSolving:
    """Geodesic travel times that, the first time they are asked, behave like a nurse whose
    report lands during the solve: a visit ahead is reported started (committed elsewhere)."""

    name = "geodesic"

    def __init__(self, engine: Engine, visit_id: int, staff_id: int) -> None:
        self.inner = GeodesicTravelTimes()
        self.engine, self.visit_id, self.staff_id = engine, visit_id, staff_id
        self.calls = 0

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        self.calls += 1
        if self.calls == 1:
            with Session(self.engine) as other:
                report(
                    other, self.visit_id, VisitStatus.STARTED, at("10:10"), staff_id=self.staff_id
                )
                other.commit()
        return self.inner.matrix(points)


def test_a_report_arriving_while_solving_is_in_the_new_version(engine: Engine, day: Day) -> None:
    """The replan solves again on top of it: the visit reported started is kept on that nurse at
    the reported time, and the job says it took two attempts."""
    with Session(engine, expire_on_commit=False) as session:
        stops = _stops(session, day.plan_id)
        visit_id, parts = next(
            (v, p) for v, p in stops.items() if p[0][1] > at("11:00") and len(p) == 1
        )
        plan = request_replan(
            session,
            plan_id=day.plan_id,
            request=ReplanRequest(at=at(MOMENT)),
            principal=COORDINATOR,
            now=at(MOMENT),
        )
        session.commit()
        travel = ReportsWhileSolving(engine, visit_id, parts[0][0])
        solve_rest_of_day(session, engine, plan, day.settings, travel=travel)
        session.commit()
        assert plan.solver_stats["attempts"] == 2
        assert _stops(session, plan.id)[visit_id][0][:2] == (parts[0][0], at("10:10"))  # type: ignore[index]


def test_publishing_announces_the_version_to_the_staff_whose_day_changed(
    engine: Engine, day: Day
) -> None:
    """One event for coordinators naming the affected staff, and one per affected nurse, for
    exactly the staff whose stops differ from the version replaced."""
    new = _replan(engine, day, ReplanRequest(at=at(MOMENT), new_visits=[_urgent(day)]))
    with Session(engine) as session:
        before, after = _stops(session, day.plan_id), _stops(session, new.id)  # type: ignore[arg-type]
        _, events = publish_version(session, plan_id=new.id)  # type: ignore[arg-type]
    changed = set()
    for visit_id in set(before) | set(after):
        if before.get(visit_id) != after.get(visit_id):
            changed |= {s for s, _, _ in before.get(visit_id, []) + after.get(visit_id, [])}
    announced = events[0]
    assert announced.kind == "plan_published"
    assert changed <= set(announced.data["affected_staff_ids"])  # type: ignore[arg-type]
    assert {e.kind for e in events[1:]} == {"schedule_changed"}
    assert {next(iter(e.staff_ids)) for e in events[1:]} == set(
        announced.data["affected_staff_ids"]
    )  # type: ignore[arg-type]


def test_a_replan_keeps_the_weights_its_plan_was_solved_with(engine: Engine, day: Day) -> None:
    """A plan solved with a per-plan override (here a workload weight of 3, stored in its
    parameters as every solved plan stores its weights) is replanned with that weight, not the
    settings' 1, and the new version carries it on to the next replan; the cost of moving
    visits still comes from the replan settings."""
    with Session(engine) as session:
        base = session.get(Plan, day.plan_id)
        assert base is not None
        stored = dict(base.parameters["weights"])
        assert stored["workload_per_s"] == 1  # the settings' default, as solved
        base.parameters = {**base.parameters, "weights": {**stored, "workload_per_s": 3}}
        session.add(base)
        session.commit()
    new = _replan(engine, day, ReplanRequest(at=at(MOMENT), new_visits=[_urgent(day)]))
    assert new.status == PlanStatus.DRAFT, new.error
    assert new.parameters["weights"]["workload_per_s"] == 3
    assert "move_per_s" not in new.parameters["weights"]  # not a per-plan weight
    weights = disruption_weights(day.settings, new.parameters)
    assert weights.workload_per_s == 3
    assert weights.move_per_s == round(day.settings.replan_move_cost_per_min / 60)
    assert disruption_weights(day.settings).workload_per_s == 1
