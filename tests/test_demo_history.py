"""`ambulant demo history`: a day of the demo region lived through the services production uses,
with the clock of each step where the day had it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from ambulant.bench.trust_area import measured_job_times
from ambulant.cli import app
from ambulant.config import Settings, get_settings
from ambulant.demo_history import HistoryConfig, load_history
from ambulant.models import (
    AuditEntry,
    Plan,
    PlanStatus,
    PlanStop,
    Priority,
    UnassignedVisit,
    VisitRequest,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.planning.staff_schedule import staff_schedule
from ambulant.timeutil import day_origin, today

# Tydal: the demo's smallest municipality, so a day of it solves in about a second.
SCOPE = "5033"


def a_past_weekday() -> dt.date:
    """A working day before today (reports must lie in the past, and weekends are thinner)."""
    day = today() - dt.timedelta(days=2)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, solve_time_limit_s=1.0, replan_time_limit_s=0.5)


def test_a_day_is_planned_read_reported_replanned_and_published(
    engine: Engine, settings: Settings
) -> None:
    """Version 1 is published and then superseded by the replan with the urgent visit; the
    nurses' schedule reads give version 2; every planned visit is reported started and then
    done, each once; the reads are in the audit trail at the moments of the day. Loading the
    day again changes nothing."""
    day = a_past_weekday()
    config = HistoryConfig(days=1, last_day=day, scopes=[SCOPE], plan_time_limit_s=1.0)
    summary = load_history(engine, settings, config)
    assert summary.skipped == [] and len(summary.planned) == 2
    first_id, second_id = summary.planned
    with Session(engine) as session:
        first, second = session.get(Plan, first_id), session.get(Plan, second_id)
        assert first is not None and second is not None
        assert (first.status, second.status) == (PlanStatus.SUPERSEDED, PlanStatus.PUBLISHED)
        assert second.based_on_id == first_id and second.version == 2
        urgent = session.exec(
            select(VisitRequest).where(
                VisitRequest.date == day, VisitRequest.priority == Priority.URGENT
            )
        ).all()
        added = [v for v in urgent if v.description.startswith("Urgent: ")]
        assert len(added) == 1
        placed = session.exec(select(PlanStop).where(PlanStop.plan_id == second_id)).all()
        left_out = session.exec(
            select(UnassignedVisit).where(UnassignedVisit.plan_id == second_id)
        ).all()
        assert added[0].id in {s.visit_id for s in placed} | {u.visit_id for u in left_out}

        planned = {s.visit_id for s in placed if s.visit_id is not None}
        reports = session.exec(select(VisitStatusReport).where(VisitStatusReport.date == day)).all()
        per_visit = Counter((r.visit_id, r.status) for r in reports)
        assert set(per_visit.values()) == {1}
        for visit_id in planned:
            assert per_visit[(visit_id, VisitStatus.STARTED)] == 1
            assert per_visit[(visit_id, VisitStatus.DONE)] == 1
        assert all(r.received_at == r.at for r in reports)

        nurse = next(s.staff_id for s in placed if s.visit_id is not None)
        assert staff_schedule(session, staff_id=nurse, day=day).plan_id == second_id

        entries = session.exec(select(AuditEntry)).all()
        assert summary.audit_entries == len(entries) > 0
        assert {e.resource_type for e in entries} == {"plan", "schedule"}
        start, end = day_origin(day), day_origin(day + dt.timedelta(days=1))
        assert all(start <= e.at < end for e in entries)
        in_plans = {
            v.patient_id
            for v in session.exec(select(VisitRequest).where(col(VisitRequest.id).in_(planned)))
        }
        assert in_plans <= {e.patient_id for e in entries if e.resource_type == "schedule"}

    # The job times the trust-area simulation reads: the day plan, not the replan.
    times = measured_job_times(engine)
    assert len(times) == 1 and times[0] > 0

    # Loading again adds nothing (an interrupted load continues where it stopped), and a
    # municipality without shifts that day is named with the reason.
    again = load_history(engine, settings, config)
    assert again.planned == [] and again.skipped == [f"{day} {SCOPE}: already planned"]
    nowhere = HistoryConfig(days=1, last_day=day, scopes=["9999"], plan_time_limit_s=1.0)
    skipped = load_history(engine, settings, nowhere).skipped
    assert len(skipped) == 1 and skipped[0].startswith(f"{day} 9999: ")
    with Session(engine) as session:
        assert len(session.exec(select(Plan)).all()) == 2


def test_the_history_is_refused_beyond_its_bounds() -> None:
    """Days and time limits out of range are refused naming the option."""
    with pytest.raises(Exception, match="days"):
        HistoryConfig(days=0)
    with pytest.raises(Exception, match="time limit"):
        HistoryConfig(plan_time_limit_s=0)


def test_the_command_loads_a_day_into_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ambulant demo history --days 1 --municipality 5033` seeds the region, plans and replans
    the municipality's day and prints what it loaded (SQLite: the services are the same on both
    databases, above)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'history.db'}")
    monkeypatch.setenv("AMBULANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AMBULANT_REPLAN_TIME_LIMIT_S", "0.5")
    get_settings.cache_clear()
    try:
        day = a_past_weekday()
        result = CliRunner().invoke(
            app,
            [
                "demo",
                "history",
                "--days",
                "1",
                "--last-day",
                day.isoformat(),
                "--time-limit",
                "1",
                "--municipality",
                SCOPE,
            ],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"history {day} to {day}: 2 plans (2 made now)" in result.output
