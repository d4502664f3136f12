"""The command line: tokens, seeding the demo, planning a day, building a road network."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jwt
import pytest
import time_machine
from sqlmodel import Session, select
from typer.testing import CliRunner

from ambulant.cli import app
from ambulant.config import Settings, get_settings
from ambulant.db import make_engine
from ambulant.models import Plan, Shift
from ambulant.timeutil import local
from tests.reason_checks import assert_reasons_hold

DAY = dt.date(2026, 11, 25)
OSM = Settings().osm_extract


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AMBULANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AMBULANT_SOLVE_TIME_LIMIT_S", "3")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_token_for_a_nurse_names_a_user_who_is_that_staff_member(cli_env: CliRunner) -> None:
    """`ambulant token --role nurse --staff 1` prints a signed at+jwt whose subject is a nurse
    user of staff 1 (roles live in the user table); an unknown staff id is refused."""
    seeded = cli_env.invoke(app, ["demo", "--date", DAY.isoformat(), "--days", "1"])
    assert seeded.exit_code == 0, seeded.output
    result = cli_env.invoke(app, ["token", "--role", "nurse", "--staff", "1"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    subject = jwt.decode(token, options={"verify_signature": False})["sub"]
    listed = cli_env.invoke(app, ["users", "list"])
    assert f"{subject}\tnurse\tscope=-\tteam=-\tstaff=1\tactive" in listed.output
    unknown = cli_env.invoke(app, ["token", "--role", "nurse", "--staff", "99999"])
    assert unknown.exit_code != 0 and "does not exist" in unknown.output


def test_nurse_token_without_staff_is_refused(cli_env: CliRunner) -> None:
    """A nurse token must say which staff member it is."""
    result = cli_env.invoke(app, ["token", "--role", "nurse"])
    assert result.exit_code != 0
    assert "--staff" in result.output


def test_demo_then_plan_a_day(cli_env: CliRunner, database_url: str) -> None:
    """Seeding the demo and planning the day in-process gives a draft; every visit left out
    carries a reason that the day's rows confirm."""
    seeded = cli_env.invoke(app, ["demo", "--date", DAY.isoformat(), "--days", "1"])
    assert seeded.exit_code == 0, seeded.output
    planned = cli_env.invoke(app, ["plan", "--date", DAY.isoformat(), "--scope", "5033"])
    assert planned.exit_code == 0, planned.output
    summary = json.loads(planned.output[planned.output.index("{") :])
    assert summary["status"] == "draft", summary["error"]
    assert summary["kpis"]["visits"] > 0
    engine = make_engine(database_url)
    try:
        # The demo's Stjørdal day holds a geriatric-care visit its own staff cannot do.
        assert assert_reasons_hold(engine, summary["plan"]) >= 1
    finally:
        engine.dispose()


def test_seeding_twice_is_refused(cli_env: CliRunner) -> None:
    """The demo seeds an empty database only; a second seed does not duplicate the region."""
    assert cli_env.invoke(app, ["demo", "--date", DAY.isoformat(), "--days", "1"]).exit_code == 0
    again = cli_env.invoke(app, ["demo", "--date", DAY.isoformat(), "--days", "1"])
    assert again.exit_code != 0


@pytest.mark.skipif(
    not OSM.is_file(),
    reason=f"!!! SKIPPED: OSM extract {OSM} not found (the AMBULANT_OSM_EXTRACT setting)",
)
def test_osrm_build(cli_env: CliRunner, tmp_path: Path) -> None:
    """`ambulant osrm build` turns an OSM extract into an MLD network."""
    result = cli_env.invoke(app, ["osrm", "build", str(OSM), "--data-dir", str(tmp_path / "osrm")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "osrm" / "helsinki.osrm.mldgr").is_file()


def test_address_register_import(cli_env: CliRunner, tmp_path: Path) -> None:
    """`ambulant addresses import` loads Kartverket's CSV into the local register."""
    from tests.geocoding.register_csv import ROWS, write_register

    result = cli_env.invoke(app, ["addresses", "import", str(write_register(tmp_path / "a.csv"))])
    assert result.exit_code == 0, result.output
    assert f"imported {len(ROWS)} addresses" in result.output


def test_bench_travel_and_demo_report_their_measurements(cli_env: CliRunner) -> None:
    """The foundation benchmarks run and print what they measured (the numbers live in
    docs/benchmarks.md; here only that they are produced)."""
    travel = cli_env.invoke(app, ["bench", "travel", "--points", "50", "--repeat", "2"])
    assert travel.exit_code == 0, travel.output
    assert "50 locations (2500 legs): median" in travel.output
    demo = cli_env.invoke(
        app, ["bench", "demo", "--region", "drammen", "--seeds", "1", "--time-limit", "2"]
    )
    assert demo.exit_code == 0, demo.output
    assert "drammen 2026-11-25 data seed 0: draft" in demo.output
    assert "median assignment rate" in demo.output


def test_continuity_report_from_the_command_line(cli_env: CliRunner, database_url: str) -> None:
    """`ambulant report continuity` prints a line per patient (or the whole report as JSON);
    a range over 62 days is refused naming --end."""
    from sqlmodel import Session

    from ambulant.db import make_engine
    from ambulant.migrate import upgrade_database
    from tests.builders import make_region
    from tests.reports.scenario import make_scenario

    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            s = make_scenario(session, make_region(session))
    finally:
        engine.dispose()
    end = (s.day1 + dt.timedelta(days=2)).isoformat()
    args = ["report", "continuity", "--start", s.day1.isoformat(), "--end", end]
    table = cli_env.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "3 patients, 5 visits planned, 1 left out" in table.output
    assert f"{s.kari}\t5035\t2\t2\t-\t{s.bob}:2 {s.cai}:1" in table.output
    as_json = cli_env.invoke(app, [*args, "--json", "--municipality", "5034"])
    assert as_json.exit_code == 0, as_json.output
    assert [r["patient_id"] for r in json.loads(as_json.output)["patients"]] == [s.per]
    too_long = cli_env.invoke(app, ["report", "continuity", "--start", "2026-01-01", "--end", end])
    assert too_long.exit_code != 0 and "--end" in too_long.output


@pytest.mark.dates
def test_commands_without_a_date_mean_the_oslo_date(cli_env: CliRunner, database_url: str) -> None:
    """At 00:30 on new year's day in Oslo, UTC still has 31 December; `ambulant demo` without
    --date seeds new year's day, and `ambulant plan` without --date plans it."""
    new_year = dt.date(2027, 1, 1)
    with time_machine.travel(local(new_year, dt.time(0, 30)), tick=False):
        seeded = cli_env.invoke(app, ["demo", "--region", "drammen", "--days", "1"])
        assert seeded.exit_code == 0, seeded.output
        planned = cli_env.invoke(app, ["plan", "--scope", "0602"])
    assert planned.exit_code == 0, planned.output
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert set(session.exec(select(Shift.date)).all()) == {new_year}
        assert session.exec(select(Plan.date)).all() == [new_year]
    engine.dispose()
