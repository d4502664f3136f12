"""`ambulant careplans generate --from --to`: the same generation from the command line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from ambulant.bootstrap import prepare_database
from ambulant.cli import app
from ambulant.config import get_settings
from ambulant.models import CarePlan
from ambulant.timeutil import today
from tests.builders import add, make_patient, make_region


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("AMBULANT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_generate_prints_counts_and_is_idempotent(cli: CliRunner) -> None:
    """A week ahead of a daily plan: 7 created, then 7 unchanged; a range that runs backwards
    is refused naming --to."""
    with Session(prepare_database(get_settings())) as session:
        region = make_region(session)
        patient = make_patient(session, region)
        add(
            session,
            CarePlan(
                patient_id=patient.id or 0,
                recurrence="FREQ=DAILY",
                window_start=dt.time(8),
                window_end=dt.time(9),
                duration_minutes=20,
            ),
        )
        session.commit()
    first, last = today() + dt.timedelta(days=1), today() + dt.timedelta(days=7)
    args = ["careplans", "generate", "--from", first.isoformat(), "--to", last.isoformat()]
    runs = [cli.invoke(app, args) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0], [r.output for r in runs]
    assert [json.loads(r.output)["created"] for r in runs] == [7, 0]
    assert json.loads(runs[1].output)["unchanged"] == 7
    backwards = cli.invoke(app, [*args[:3], last.isoformat(), "--to", first.isoformat()])
    assert backwards.exit_code != 0 and "--to" in backwards.output
