"""`ambulant bench load`: how the served API holds up when many nurses read their day at once.

It starts `ambulant run` on a free loopback port in a throwaway folder (SQLite there, or a fresh
PostgreSQL database made on the server `--database-url` names and dropped after), publishes the
demo day and signs a token for each of `nurses` nurse users (spread over the demo's staff). Then:

- open loop: GET schedule for one nurse after another at a fixed arrival rate, over at most
  `connections` kept-alive connections (as a proxy in front of the service would hold); a
  latency counts from the moment its request was due, so a server that falls behind shows it
  even while every connection is busy (no coordinated omission);
- closed loop: `concurrency` clients, each sending its next GET as soon as the last one answered;
- the field day: every nurse polls her day every `poll_s` seconds (with If-None-Match once she
  has an ETag, as the phone does), the first user of each staff member reports the status of her
  next visit (with an Idempotency-Key, every fifth report sent twice as a retry would be), and a
  coordinator replans and publishes a few times, which changes the nurses' ETags.

Every request goes to 127.0.0.1, the counts and times are bounded, and any answer that is not the
expected one is an error. Each kind also reports the CPU time the server process used per
request (from /proc, where there is one): on a shared machine that figure moves less than the
latencies do.

The client is aiohttp: httpx's connection pool costs time quadratic in the requests waiting for
a connection, so with httpx the client, not the server, set the pace of the open loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ambulant.auth.dev_login import development_token
from ambulant.bench.local_server import LocalServer, free_port, publish_plan, server_env, start_run
from ambulant.config import Settings
from ambulant.db import engine_for, session_scope
from ambulant.models import Role

REQUEST_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class LoadConfig:
    rate: float = 200.0
    open_s: float = 20.0
    connections: int = 32
    concurrency: int = 20
    closed_s: float = 20.0
    nurses: int = 100
    poll_s: float = 30.0
    field_s: float = 60.0
    replans: int = 3
    database_url: str | None = None
    seed: int = 0


@dataclass
class Kind:
    """The answers of one kind of request."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu_s: float | None = None

    def add(self, started: float, status: str, ok: bool) -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.statuses[status] += 1
        if not ok:
            self.errors.append(status)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(p) - 1]


@dataclass(frozen=True)
class Nurse:
    staff_id: int
    token: str
    reports: bool


@dataclass
class LoadReport:
    database: str
    kinds: list[Kind]

    @property
    def errors(self) -> int:
        return sum(len(k.errors) for k in self.kinds)


def run_load(config: LoadConfig) -> LoadReport:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request is not news here
    with tempfile.TemporaryDirectory(prefix="ambulant-bench-load-") as name:
        folder = Path(name)
        with _database(config.database_url) as url:
            env = server_env(folder, free_port(), url)
            server = start_run(folder, env)
            try:
                publish_plan(server)
                nurses = _sign_nurses(server, env, config.nurses)
                kinds = asyncio.run(_measure(server, nurses, config))
            finally:
                server.stop()
            label = "SQLite" if env["DATABASE_URL"].startswith("sqlite") else "PostgreSQL"
            return LoadReport(label, kinds)


@contextmanager
def _database(url: str | None) -> Iterator[str | None]:
    """None (the run's own SQLite file), or a fresh PostgreSQL database beside the one `url`
    names, dropped afterwards."""
    if url is None or url.startswith("sqlite"):
        yield url
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    fresh = f"ambulant_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{fresh}"'))
    try:
        yield make_url(url).set(database=fresh).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
        admin.dispose()


def _sign_nurses(server: LocalServer, env: dict[str, str], count: int) -> list[Nurse]:
    """`count` nurse users over the published plan's staff, round robin; the first user of each
    staff member is the one who reports her visits."""
    headers = {"Authorization": f"Bearer {server.coordinator_token}"}
    routes = httpx.get(server.plan_url, headers=headers, timeout=30).json()["routes"]
    staff_ids = sorted(r["staff_id"] for r in routes if r["stops"])
    settings = Settings.model_validate(
        {"DATABASE_URL": env["DATABASE_URL"], "data_dir": env["AMBULANT_DATA_DIR"]}
    )
    nurses = []
    with session_scope(engine_for(settings.database_url)) as session:
        for i in range(count):
            staff_id = staff_ids[i % len(staff_ids)]
            token = development_token(
                session,
                settings,
                role=Role.NURSE,
                staff_id=staff_id,
                subject=f"bench-nurse-{i}",
            )
            nurses.append(Nurse(staff_id, token, reports=i < len(staff_ids)))
    return nurses


async def _measure(server: LocalServer, nurses: list[Nurse], config: LoadConfig) -> list[Kind]:
    connector = aiohttp.TCPConnector(limit=max(config.connections, config.concurrency))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(server.base, connector=connector, timeout=timeout) as client:
        await _warm_up(client, nurses)
        cpu = ServerCpu(server.process.pid)
        kinds = [
            await cpu.measure(_open_loop(client, nurses, config)),
            await cpu.measure(_closed_loop(client, nurses, config)),
        ]
        kinds.extend(await _field_day(client, server, nurses, config))
        return kinds


@dataclass(frozen=True)
class ServerCpu:
    """The CPU seconds (user and system, all threads) the server process has used, from
    /proc/PID/stat; None where there is no /proc."""

    pid: int

    def seconds(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # utime and stime are the 14th and 15th fields; the first two are before the ")".
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def measure(self, run: Awaitable[Kind]) -> Kind:
        before = self.seconds()
        kind = await run
        after = self.seconds()
        if before is not None and after is not None:
            kind.server_cpu_s = after - before
        return kind


async def _warm_up(client: aiohttp.ClientSession, nurses: list[Nurse]) -> None:
    for nurse in nurses[:10]:
        async with client.get(_schedule_path(nurse), headers=_auth(nurse.token)) as answer:
            await answer.read()


def _schedule_path(nurse: Nurse) -> str:
    return f"/api/v1/staff/{nurse.staff_id}/schedule"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


FAILURES = (aiohttp.ClientError, TimeoutError)


async def _get_schedule(
    client: aiohttp.ClientSession, nurse: Nurse, kind: Kind, due: float
) -> None:
    try:
        async with client.get(_schedule_path(nurse), headers=_auth(nurse.token)) as answer:
            await answer.read()
            kind.add(due, str(answer.status), answer.status == 200)
    except FAILURES as error:
        kind.add(due, type(error).__name__, False)


async def _open_loop(
    client: aiohttp.ClientSession, nurses: list[Nurse], config: LoadConfig
) -> Kind:
    """Request i is due at start + i / rate. Each of `connections` senders takes the next request
    not yet taken, waits until it is due (not at all if it is late) and sends it; its latency
    counts from when it was due, so time spent waiting for a free connection counts too."""
    kind = Kind(f"open loop {config.rate:g}/s, {config.connections} connections")
    total = int(config.rate * config.open_s)
    start = time.perf_counter()
    taken = itertools.count()

    async def sender() -> None:
        while (i := next(taken)) < total:
            due = start + i / config.rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            await _get_schedule(client, nurses[i % len(nurses)], kind, due)

    await asyncio.gather(*(sender() for _ in range(config.connections)))
    kind.seconds = time.perf_counter() - start
    return kind


async def _closed_loop(
    client: aiohttp.ClientSession, nurses: list[Nurse], config: LoadConfig
) -> Kind:
    kind = Kind(f"closed loop {config.concurrency} clients")
    start = time.perf_counter()
    end = start + config.closed_s

    async def one_client(offset: int) -> None:
        i = offset
        while time.perf_counter() < end:
            await _get_schedule(client, nurses[i % len(nurses)], kind, time.perf_counter())
            i += config.concurrency

    await asyncio.gather(*(one_client(c) for c in range(config.concurrency)))
    kind.seconds = time.perf_counter() - start
    return kind


NEXT_STATUS = {None: "en_route", "en_route": "started", "started": "done"}


async def _field_day(
    client: aiohttp.ClientSession,
    server: LocalServer,
    nurses: list[Nurse],
    config: LoadConfig,
) -> list[Kind]:
    fresh = Kind("field day: GET schedule, changed (200)")
    unchanged = Kind("field day: GET schedule, unchanged (304)")
    reports = Kind("field day: POST visit status")
    replans = Kind("field day: coordinator replan + publish")
    rng = random.Random(config.seed)
    start = time.perf_counter()
    end = start + config.field_s

    async def phone(nurse: Nurse) -> None:
        etag: str | None = None
        reported: dict[int, str] = {}
        posts = 0
        await asyncio.sleep(rng.uniform(0, config.poll_s))
        while time.perf_counter() < end:
            headers = _auth(nurse.token) | ({"If-None-Match": etag} if etag else {})
            sent = time.perf_counter()
            try:
                async with client.get(_schedule_path(nurse), headers=headers) as answer:
                    body = await answer.read()
            except FAILURES as error:
                fresh.add(sent, type(error).__name__, False)
            else:
                if answer.status == 304:
                    unchanged.add(sent, "304", True)
                else:
                    fresh.add(sent, str(answer.status), answer.status == 200)
                    if answer.status == 200:
                        etag = answer.headers.get("ETag")
                        if nurse.reports:
                            posts = await _report_next(
                                client, nurse, json.loads(body), reported, posts, reports
                            )
            await asyncio.sleep(config.poll_s)

    async def coordinator() -> None:
        headers = _auth(server.coordinator_token)
        plan_path = server.plan_url.removeprefix(server.base)
        slow = aiohttp.ClientTimeout(total=60)
        async with client.get(plan_path, headers=headers, timeout=slow) as answer:
            plan = await answer.json()
        for n in range(config.replans):
            await asyncio.sleep(
                max(0.0, start + (n + 0.5) * config.field_s / config.replans - time.perf_counter())
            )
            sent = time.perf_counter()
            try:
                async with client.post(
                    f"/api/v1/plans/{plan['id']}/replan",
                    json={"publish": True},
                    headers=headers | {"If-Match": f'"{plan["version"]}"'},
                    timeout=slow,
                ) as answer:
                    body: dict[str, Any] = await answer.json() if answer.status == 201 else {}
            except FAILURES as error:
                replans.add(sent, type(error).__name__, False)
                continue
            published = bool(body.get("published"))
            replans.add(sent, str(answer.status), published)
            if published:
                plan = body["plan"]

    await asyncio.gather(coordinator(), *(phone(n) for n in nurses))
    for kind in (fresh, unchanged, reports, replans):
        kind.seconds = time.perf_counter() - start
    return [fresh, unchanged, reports, replans]


async def _report_next(
    client: aiohttp.ClientSession,
    nurse: Nurse,
    schedule: dict[str, object],
    reported: dict[int, str],
    posts: int,
    kind: Kind,
) -> int:
    """Reports the next step of her first visit not yet done; every fifth report twice."""
    stops = schedule["stops"]
    assert isinstance(stops, list)
    for stop in stops:
        visit_id = stop.get("visit_id")
        if visit_id is None or reported.get(visit_id) == "done":
            continue
        status = NEXT_STATUS[reported.get(visit_id)]
        body = {"status": status, "at": dt.datetime.now(dt.UTC).isoformat()}
        key = uuid.uuid4().hex
        for attempt in range(2 if posts % 5 == 4 else 1):
            sent = time.perf_counter()
            try:
                async with client.post(
                    f"/api/v1/visits/{visit_id}/status",
                    json=body,
                    headers=_auth(nurse.token) | {"Idempotency-Key": key},
                ) as answer:
                    await answer.read()
            except FAILURES as error:
                kind.add(sent, type(error).__name__, False)
                continue
            expected = 201 if attempt == 0 else 200
            kind.add(sent, str(answer.status), answer.status == expected)
        reported[visit_id] = status
        return posts + 1
    return posts


def format_load(report: LoadReport, config: LoadConfig) -> list[str]:
    lines = [
        f"ambulant bench load on {report.database}: {config.nurses} nurse users; "
        f"latency in ms from when a request was due; cpu/req: the server's CPU ms per request",
        f"{'kind':<44} {'count':>6} {'req/s':>7} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}"
        f" {'errors':>6} {'cpu/req':>7}  answers",
    ]
    for k in report.kinds:
        rate = k.count / k.seconds if k.seconds else 0.0
        answers = " ".join(f"{s}x{n}" for s, n in sorted(k.statuses.items()))
        cpu = (
            "-"
            if k.server_cpu_s is None or not k.count
            else f"{k.server_cpu_s / k.count * 1000:.2f}"
        )
        lines.append(
            f"{k.name:<44} {k.count:>6} {rate:>7.1f} {k.percentile(50):>7.1f}"
            f" {k.percentile(90):>7.1f} {k.percentile(99):>7.1f}"
            f" {max(k.latencies_ms, default=float('nan')):>7.1f} {len(k.errors):>6} {cpu:>7}"
            f"  {answers}"
        )
    lines.append(f"errors: {report.errors}")
    return lines
