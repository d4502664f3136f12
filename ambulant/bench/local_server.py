"""A throwaway `ambulant run` for the benchmarks that measure the served application: it runs on
a free loopback port in a folder of its own, seeds the demo day and plans it; `publish_plan`
waits for the solve and publishes it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass(frozen=True)
class LocalServer:
    process: subprocess.Popen[str]
    base: str
    coordinator_token: str
    plan_url: str
    # The last lines it printed: its output is drained all along, or a full pipe would stall it.
    output: deque[str] = field(default_factory=lambda: deque(maxlen=200))

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(folder: Path, port: int, database_url: str | None = None) -> dict[str, str]:
    """The environment of the server and of anything that shares its database and signing key."""
    return os.environ | {
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'ambulant.db'}",
        "AMBULANT_DATA_DIR": str(folder / "data"),
        "AMBULANT_PORT": str(port),
        "AMBULANT_SOLVE_TIME_LIMIT_S": "10",
    }


def start_run(folder: Path, env: dict[str, str]) -> LocalServer:
    """`ambulant run` in `folder`, returned once it has printed its coordinator token."""
    ambulant = Path(sys.executable).with_name("ambulant")
    process = subprocess.Popen(
        [str(ambulant), "run"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not any("coordinator token" in line for line in lines[:-1]):
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("ambulant run stopped:\n" + "".join(lines))
        lines.append(line)
    token = lines[-1].strip()
    plan = next(line.split()[2] for line in lines if "today's plan" in line)
    base = f"http://127.0.0.1:{env['AMBULANT_PORT']}"
    server = LocalServer(process, base, token, plan)
    server.output.extend(lines)
    threading.Thread(target=_drain, args=(process, server.output), daemon=True).start()
    return server


def _drain(process: subprocess.Popen[str], into: deque[str]) -> None:
    assert process.stdout is not None
    try:
        for line in process.stdout:
            into.append(line)
    except ValueError:  # the pipe was closed by stop()
        pass


def publish_plan(server: LocalServer, *, timeout_s: float = 120) -> None:
    """Waits until the demo day's plan is solved, then publishes it."""
    headers = {"Authorization": f"Bearer {server.coordinator_token}"}
    with httpx.Client(headers=headers, timeout=30) as client:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                status = client.get(server.plan_url).json()["status"]
                if status not in ("queued", "solving"):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the demo day was not planned in time")
            time.sleep(0.5)
        client.post(server.plan_url + "/publish").raise_for_status()
