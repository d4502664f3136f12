"""Real `ambulant worker` processes for the job tests, each in a process group of its own and
all stopped at the end; RQ's intervals shortened so that a dead worker is found in seconds."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from redis import Redis


class Workers:
    def __init__(self, database_url: str, redis_url: str, **settings: str) -> None:
        self.env = os.environ | {
            "DATABASE_URL": database_url,
            "AMBULANT_REDIS_URL": redis_url,
            "AMBULANT_WORKER_HEARTBEAT_S": "1",
            "AMBULANT_WORKER_MAINTENANCE_S": "1",
            "AMBULANT_WORKER_GRACE_S": "3",
            **{f"AMBULANT_{name.upper()}": value for name, value in settings.items()},
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        ambulant = str(Path(sys.executable).with_name("ambulant"))
        process = subprocess.Popen(
            [ambulant, "worker"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the worker and its work horse (RQ starts the horse in a session of its
        own, so the process group alone would leave it running)."""
        children_file = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        children: list[str] = []
        with contextlib.suppress(OSError):
            children = children_file.read_text().split()
        os.killpg(process.pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(child), signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


def empty_queues(redis_url: str) -> None:
    """A clean slate: the test's own Redis database emptied, queues and registries alike (job
    ids are plan ids, which start again at 1 in each test's database)."""
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    redis.close()
