"""A solved, published small day to replan (solved for real, in this process)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.config import Settings
from tests.builders import TinyRegion, make_patient, make_region, make_staff, make_visit
from tests.replanning.day import solved_plan


@dataclass
class Day:
    region: TinyRegion
    plan_id: int
    settings: Settings


@pytest.fixture
def day(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[Day]:
    """Three nurses and nine visits (one joint) between 08:00 and 14:30, planned and published."""
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        solve_time_limit_s=0.5,
        replan_time_limit_s=0.5,
    )
    with Session(engine, expire_on_commit=False) as session:
        region = make_region(session)
        for _ in range(3):
            make_staff(session, region)
        for i in range(8):
            patient = make_patient(session, region)
            start = dt.time(8 + i % 4, 0)
            make_visit(session, region, patient, start=start, end=dt.time(start.hour + 2, 0))
        make_visit(
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
    yield Day(region, solved_plan(engine, settings), settings)
