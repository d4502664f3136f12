"""The README's tour, run as a newcomer runs it: `ambulant run` in an empty folder, then the tour's
commands, one by one, in that folder, against the real server.

The commands are read from the README, not copied here, so the tour cannot drift from what works.
Only the address changes (the server listens on a free port, not 8000). The server and its
worker processes are one process group, stopped by the fixture. With a moved clock
(AMBULANT_TEST_NOW) a `date` on PATH answers with the moved clock, as the server does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import moved_now
from tests.test_main_job import free_port, read_until, start_ambulant_run, stop_group

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
ASSIGNMENT = re.compile(r"^([A-Z_]+)=(.*)$")
DATE_SHIM = """\
import datetime, sys
# Only `date +FORMAT`, which is all the tour uses; TZ is honoured as by date(1).
print(datetime.datetime.now().astimezone().strftime(sys.argv[1].removeprefix("+")))
"""


def tour_commands() -> list[str]:
    """Every line of the shell blocks in the README's tour section, in order."""
    text = README.read_text()
    section = text[text.index("## A tour") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def _own_environment() -> dict[str, str]:
    """This process's environment without any ambulant setting, so the server and the tour's
    commands see only the defaults, as after a fresh clone."""
    keep = ("AMBULANT_TEST_",)
    return {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and (not k.startswith("AMBULANT_") or k.startswith(keep))
    }


@pytest.fixture
def tour_folder(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], int]]:
    """A folder with `.venv` (this interpreter's), an `ambulant run` serving from it, and the
    environment the tour's commands run in."""
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = _own_environment()
    if moved_now() is not None:
        shims = tmp_path / "shims"
        shims.mkdir()
        (shims / "date").write_text(f"#!{sys.executable}\n{DATE_SHIM}")
        (shims / "date").chmod(0o755)
        env["PATH"] = f"{shims}{os.pathsep}{env['PATH']}"
    port = free_port()
    server_env = {
        **env,
        "AMBULANT_PORT": str(port),
        "AMBULANT_SOLVE_TIME_LIMIT_S": "5",
        # The replan answers with the published plan, even on a busy machine.
        "AMBULANT_REPLAN_WAIT_S": "60",
    }
    process = start_ambulant_run(tmp_path, server_env, tmp_path / ".venv" / "bin" / "ambulant")
    try:
        printed = read_until(process, "coordinator token", timeout_s=120)
        assert any("/api/v1/plans/1 " in line for line in printed), printed
        _wait_for_health(port)
        yield tmp_path, env, port
    finally:
        stop_group(process)


def _wait_for_health(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the API did not come up"
            time.sleep(0.5)


def _bash(line: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _json(line: str, output: str) -> Any:
    try:
        answer = json.loads(output)
    except json.JSONDecodeError:
        raise AssertionError(f"{line}\nanswered {output!r}") from None
    assert not (isinstance(answer, dict) and "detail" in answer), f"{line}\nanswered {answer}"
    return answer


def _stream_for_a_while(line: str, cwd: Path, env: dict[str, str]) -> None:
    """The events stream does not end; it is read for three seconds and then stopped. A refused
    request would have ended at once with its error."""
    process = subprocess.Popen(
        ["bash", "-c", line],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(3)
        assert process.poll() is None, f"{line}\nended: {process.communicate()[0]}"
    finally:
        stop_group(process)


def test_the_readme_tour_works_as_written(tour_folder: tuple[Path, dict[str, str], int]) -> None:
    """Every command of the tour, in order: tokens from the server's own key and database, the
    plan `make run` queued read until solved and published, nurse 1's day, recommendations, a
    replan published with the version in If-Match, the events stream, and a fresh plan."""
    folder, env, port = tour_folder
    env = dict(env)
    commands = tour_commands()
    assert len(commands) >= 10
    answers: dict[str, Any] = {}
    for command in commands:
        line = command.replace("localhost:8000", f"127.0.0.1:{port}")
        if assignment := ASSIGNMENT.match(line):
            name = assignment.group(1)
            env[name] = _bash(f'{line}\nprintf %s "${name}"', folder, env)
            assert env[name], f"{line} set nothing"
        elif "curl -sN" in line:
            _stream_for_a_while(line, folder, env)
        elif "repeat until" in line:
            deadline = time.monotonic() + 180
            while (plan := _json(line, _bash(line, folder, env)))["status"] != "draft":
                assert plan["status"] in ("queued", "solving"), plan.get("error")
                assert time.monotonic() < deadline, f"plan still {plan['status']}"
                time.sleep(1)
            answers["plan"] = plan
        else:
            path = re.search(r"/api/v1/(\S+)", line)
            assert path is not None, line
            answers[path.group(1).split("/")[-1]] = _json(line, _bash(line, folder, env))

    assert env["PLAN"] == "1"
    assert answers["plan"]["id"] == 1 and answers["plan"]["version"] == 1
    assert answers["plan"]["routes"], "today's demo plan has routes"
    assert answers["publish"]["status"] == "published"
    assert answers["schedule"]["staff_id"] == 1
    replanned = answers["replan"]
    assert replanned["published"] is True, replanned
    assert replanned["based_on_plan_id"] == 1 and replanned["based_on_version"] == 1
    # The replan is a new plan: a new id and the next version.
    assert (replanned["plan"]["id"], replanned["plan"]["version"]) == (2, 2)
    fresh = answers["plans"]
    assert fresh["status"] == "queued" and (fresh["id"], fresh["version"]) == (3, 3)
