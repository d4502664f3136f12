"""The road network's commands as the containers run them: `ambulant osrm build --if-changed`
builds only when the extract changed, and `ambulant osrm serve` answers the health probe and
stops its server on SIGTERM (what `docker compose stop` sends)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ambulant.cli import app
from ambulant.travel import osrm_server
from tests.travel.conftest import HELSINKI_PBF


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    """A copy of the Helsinki test extract, whose time stamp the test may move."""
    if not HELSINKI_PBF.is_file():
        pytest.skip(f"!!! SKIPPED: OSM extract {HELSINKI_PBF} not found")
    copy = tmp_path / "region.osm.pbf"
    shutil.copyfile(HELSINKI_PBF, copy)
    return copy


def test_build_if_changed_builds_once_and_again_after_the_extract_changes(
    extract: Path, tmp_path: Path
) -> None:
    """No network: it builds. Built after the extract: nothing to do. The extract newer than
    the network (a monthly download): it builds again."""
    network = tmp_path / "osrm"
    build = ["osrm", "build", str(extract), "--data-dir", str(network), "--if-changed"]
    runner = CliRunner()
    first = runner.invoke(app, build)
    assert first.exit_code == 0 and first.output.startswith("built "), first.output
    assert osrm_server.is_current(extract, network)
    second = runner.invoke(app, build)
    assert second.exit_code == 0 and "nothing to do" in second.output
    later = time.time() + 60
    os.utime(extract, (later, later))
    assert not osrm_server.is_current(extract, network)
    third = runner.invoke(app, build)
    assert third.exit_code == 0 and third.output.startswith("built "), third.output


def test_serve_answers_the_probe_and_sigterm_stops_it_and_its_server(
    extract: Path, tmp_path: Path
) -> None:
    """`ambulant osrm serve --host --port` as a process: the health check's probe answers 200;
    SIGTERM ends the command with status 0, and nothing listens on the port after."""
    dataset = osrm_server.build(extract, tmp_path / "osrm")
    port = osrm_server.free_port()
    command = [
        str(Path(sys.executable).with_name("ambulant")),
        "osrm",
        "serve",
        "--dataset",
        str(dataset.base),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    probe = f"http://127.0.0.1:{port}{osrm_server.READY_PROBE}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # as in the image
        )
    try:
        deadline = time.monotonic() + 60
        while "OSRM serving" not in log.read_text():  # started: past its own readiness wait
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.2)
        assert httpx.get(probe, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        with pytest.raises(httpx.TransportError):
            httpx.get(probe, timeout=1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
