"""Build and serve an OSRM road network from an OpenStreetMap extract, for operators and tests.

The binaries come from the `osrm-bindings` wheel (`pip install 'ambulant[osrm]'`), or from PATH
when OSRM is installed another way. Data is prepared for MLD (extract, partition, customize):
MLD builds in seconds where CH contracts for minutes, and answers tables fast enough for a
district's few hundred points.

`serve` binds to 127.0.0.1 and turns access logging off: osrm-routed's defaults are 0.0.0.0 and
one log line per request URL, and our request URLs are patients' coordinates.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

TOOLS = ("osrm-extract", "osrm-partition", "osrm-customize", "osrm-routed")
# Answers 200 once the network is loaded; (0, 0) is no one's home, so it carries no patient data.
READY_PROBE = "/nearest/v1/driving/0,0"


class OsrmEngineError(RuntimeError):
    """OSRM's tools are missing, or one of them failed."""


@dataclass(frozen=True)
class OsrmTools:
    bin_dir: Path | None  # None: the tools are on PATH
    profiles_dir: Path | None

    def path(self, tool: str) -> str:
        if self.bin_dir is not None:
            return str(self.bin_dir / tool)
        found = shutil.which(tool)
        if found is None:  # pragma: no cover - find_tools checked it
            raise OsrmEngineError(f"{tool} is not on PATH")
        return found

    def profile(self, name: str = "car") -> Path:
        if self.profiles_dir is None:
            raise OsrmEngineError(
                f"no bundled OSRM profiles; pass the path to {name}.lua explicitly"
            )
        return self.profiles_dir / f"{name}.lua"


def find_tools() -> OsrmTools:
    """The osrm-bindings wheel's binaries and profiles, else the tools on PATH."""
    # find_spec locates the package without importing its large extension module.
    spec = importlib.util.find_spec("osrm")
    if spec is not None and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        bin_dir, profiles = package / "bin", package / "share" / "profiles"
        if all((bin_dir / tool).is_file() for tool in TOOLS):
            return OsrmTools(bin_dir, profiles if profiles.is_dir() else None)
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise OsrmEngineError(
            f"OSRM tools not found ({', '.join(missing)}): install them with "
            "`pip install 'ambulant[osrm]'` or put osrm-backend's binaries on PATH"
        )
    return OsrmTools(None, None)


@dataclass(frozen=True)
class OsrmDataset:
    """A prepared network: `base` is the path osrm-routed takes (`<data_dir>/<name>.osrm`)."""

    base: Path
    data_version: str


def default_data_version(pbf: Path, profile: Path) -> str:
    """Names the extract and fingerprints its bytes and the profile's, so the travel-time cache
    forgets legs when either changes."""
    digest = hashlib.sha256()
    for path in (pbf, profile):
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return f"{pbf.name.split('.')[0]}-{digest.hexdigest()[:12]}"


def dataset_base(pbf: Path, data_dir: Path) -> Path:
    """Where `build` puts the network made from `pbf`: `<data_dir>/<name>.osrm`."""
    return data_dir / (pbf.name.split(".")[0] + ".osrm")


def is_current(pbf: Path, data_dir: Path) -> bool:
    """True when `data_dir` holds a finished network (its last stage's file) written after the
    extract last changed: a rebuild would make the same network."""
    finished = Path(f"{dataset_base(pbf, data_dir)}.mldgr")
    return pbf.is_file() and finished.is_file() and finished.stat().st_mtime >= pbf.stat().st_mtime


def build(
    pbf: Path,
    data_dir: Path,
    *,
    profile: Path | None = None,
    data_version: str | None = None,
    threads: int = 2,
    log: IO[str] | None = None,
) -> OsrmDataset:
    """Extract, partition and customize `pbf` into `data_dir` with the car profile."""
    if not pbf.is_file():
        raise OsrmEngineError(f"no such OSM extract: {pbf}")
    tools = find_tools()
    profile = profile or tools.profile("car")
    data_dir.mkdir(parents=True, exist_ok=True)
    version = data_version or default_data_version(pbf, profile)
    base = dataset_base(pbf, data_dir)
    stages = [
        [
            tools.path("osrm-extract"),
            "-p",
            str(profile),
            "-t",
            str(threads),
            "--data_version",
            version,
            "-o",
            str(base.with_suffix("")),
            str(pbf),
        ],
        [tools.path("osrm-partition"), "-t", str(threads), str(base)],
        [tools.path("osrm-customize"), "-t", str(threads), str(base)],
    ]
    for command in stages:
        done = subprocess.run(
            command,
            stdout=log if log is not None else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stdout or "")[-2000:]
            raise OsrmEngineError(f"{Path(command[0]).name} failed ({done.returncode}):\n{tail}")
    return OsrmDataset(base=base, data_version=version)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class OsrmServer:
    """A running osrm-routed; `stop()` (or leaving the `with` block) ends it."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process = process
        self.url = url

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        if not self.running:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout_s)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    base: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    max_table_size: int = 100,
    threads: int = 2,
    log: IO[bytes] | None = None,
    startup_timeout_s: float = 30.0,
) -> OsrmServer:
    """Start osrm-routed (MLD) on `base` and wait until it answers. Port 0 picks a free one."""
    if not Path(f"{base}.mldgr").is_file():
        raise OsrmEngineError(f"{base} is not a built MLD dataset: run `ambulant osrm build` first")
    port = port or free_port(host)
    command = [
        find_tools().path("osrm-routed"),
        "--algorithm",
        "MLD",
        "--ip",
        host,
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--max-table-size",
        str(max_table_size),
        str(base),
    ]
    env = {**os.environ, "DISABLE_ACCESS_LOGGING": "1"}
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = OsrmServer(process, f"http://{host}:{port}")
    try:
        wait_until_ready(server, startup_timeout_s)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_ready(server: OsrmServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    probe = server.url + READY_PROBE
    while time.monotonic() < deadline:
        if not server.running:
            raise OsrmEngineError(f"osrm-routed exited with {server.process.returncode}")
        try:
            if httpx.get(probe, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise OsrmEngineError(f"osrm-routed did not answer within {timeout_s} s")
