"""`ambulant report municipalities`: the cost-sharing figures from the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from ambulant.cli import app
from ambulant.config import get_settings
from ambulant.db import make_engine
from ambulant.migrate import upgrade_database
from tests.builders import MERAKER, make_region
from tests.planning.hand_plan import make_hand_day, plan_hand_day


@pytest.fixture
def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AMBULANT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_report_as_json_and_csv_and_a_bad_range(cli_env: CliRunner, database_url: str) -> None:
    """JSON with the API's field names, `--csv` with the API's table; a reversed range is
    refused naming --to."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            region = make_region(session)
            plan_hand_day(session, make_hand_day(session, region))
            session.commit()
    finally:
        engine.dispose()
    day = region.day.isoformat()
    as_json = cli_env.invoke(app, ["report", "municipalities", "--from", day, "--to", day])
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.output)
    assert body["from"] == day and body["days_without_published_plan"] == []
    assert [(r["municipality_code"], r["visits"]) for r in body["municipalities"]] == [
        (MERAKER, 2),
        ("5035", 1),
        ("all", 3),
    ]
    as_csv = cli_env.invoke(app, ["report", "municipalities", "--from", day, "--to", day, "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert (rows[0]["section"], rows[0]["code"], rows[0]["km"]) == ("municipality", MERAKER, "82.0")
    before = (region.day - dt.timedelta(days=1)).isoformat()
    reversed_range = cli_env.invoke(
        app, ["report", "municipalities", "--from", day, "--to", before]
    )
    assert reversed_range.exit_code != 0 and "--to" in reversed_range.output
