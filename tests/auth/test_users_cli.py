"""`ambulant users`: add users in a role and scope, list them, deactivate them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ambulant.cli import app
from ambulant.config import get_settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("AMBULANT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_add_list_and_deactivate_users(cli: CliRunner) -> None:
    """An all-scope coordinator and an auditor are added and listed; deactivating one shows;
    a coordinator of an unknown municipality and deactivating a stranger are refused."""
    added = cli.invoke(
        app, ["users", "add", "--subject", "kari", "--role", "coordinator", "--municipality", "all"]
    )
    assert added.exit_code == 0, added.output
    assert (
        cli.invoke(app, ["users", "add", "--subject", "revisor", "--role", "auditor"]).exit_code
        == 0
    )
    assert cli.invoke(app, ["users", "deactivate", "--subject", "revisor"]).exit_code == 0
    listed = cli.invoke(app, ["users", "list"]).output.splitlines()
    assert [line.split("\t")[1:] for line in listed] == [
        ["kari", "coordinator", "scope=all", "team=-", "staff=-", "active"],
        ["revisor", "auditor", "scope=-", "team=-", "staff=-", "inactive"],
    ]
    unknown = cli.invoke(
        app, ["users", "add", "--subject", "x", "--role", "coordinator", "--municipality", "9999"]
    )
    assert unknown.exit_code != 0 and "9999" in unknown.output
    assert cli.invoke(app, ["users", "deactivate", "--subject", "nobody"]).exit_code != 0
