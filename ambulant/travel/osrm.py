"""Road travel times from an OSRM server's table service, with a clear fallback to estimates.

A matrix is asked for in blocks the server accepts (`--max-table-size`: OSRM refuses a table when
sources x destinations exceeds its square), each block retried with exponential backoff on
transport errors and 5xx answers. A block that still fails, a leg OSRM finds no road for, and a
point too far from any road OSRM knows (a sign the server holds another region) get the fallback
provider's straight-line estimate; the matrix is then `estimated` and its notes say why, so the
coordinator sees that the plan rests on guesses. Notes never carry coordinates.

Retries are a short loop rather than a library: httpx's transport retries cover only failed
connections (not timeouts or a 503 while osrm-routed restarts) and would not apply to an injected
client; tenacity would add a dependency for ten lines.

Ferries: OSRM's car profile routes over ferries at their timetable duration but knows nothing of
the wait at the quay. With `ferry_wait_s` each block is asked twice, once with `exclude=ferry`: a
leg whose ferry-free duration is longer crossed by ferry, so it costs the crossing plus the wait,
unless the ferry-free route is faster than that. One extra table request per block, instead of a
route request per pair.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import httpx

from ambulant.travel.geodesic import GeodesicTravelTimes
from ambulant.travel.legs import LegTable, as_matrix
from ambulant.travel.protocol import Point, TravelMatrix, TravelTimes

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
VERSION_TTL_S = 60.0


class OsrmUnavailable(Exception):
    """The server did not give a usable answer after the retries."""


class OsrmTooBig(Exception):
    """The server refused the block as too large (its --max-table-size is smaller than ours)."""


@dataclass
class _Block:
    durations: list[list[float | None]]
    distances: list[list[float | None]]
    far_sources: set[int]
    far_destinations: set[int]
    data_version: str | None


@dataclass
class _Tally:
    """What went wrong while filling a table, in counts, for the notes."""

    failed_legs: int = 0
    failure: str = ""
    no_route_legs: int = 0
    far_points: set[Point] = field(default_factory=set)
    ferry_legs: int = 0
    ferry_detection_failed: str = ""


class OsrmTravelTimes:
    name = "osrm"

    def __init__(
        self,
        base_url: str,
        *,
        max_table_size: int = 100,
        timeout_s: float = 10.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        fallback: TravelTimes | None = None,
        client: httpx.Client | None = None,
        profile: str = "driving",
        version_label: str = "",
        max_snap_m: float = 1000.0,
        ferry_wait_s: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_table_size < 2:
            raise ValueError("max_table_size must be at least 2")
        if retries < 0 or timeout_s <= 0 or backoff_s < 0:
            raise ValueError("retries and backoff_s must be >= 0, timeout_s > 0")
        if ferry_wait_s < 0:
            raise ValueError("ferry_wait_s must be >= 0")
        self.base_url = base_url.rstrip("/")
        self.max_table_size = max_table_size
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.fallback: TravelTimes = fallback or GeodesicTravelTimes()
        # A client we make is ours to close; an injected one belongs to the caller.
        self._owns_client = client is None
        self.client = client or httpx.Client()
        self.profile = profile
        self.max_snap_m = max_snap_m
        self.ferry_wait_s = ferry_wait_s
        self._sleep = sleep
        # Without a data_version from the server, the URL and an operator's label stand in.
        label = hashlib.sha256(f"{self.base_url}|{version_label}".encode()).hexdigest()[:16]
        self._unversioned = f"url-{label}"
        self._version: tuple[float, str] | None = None

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the protocols ---------------------------------------------------------------------

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        if not points:
            return TravelMatrix([], [], provider=self.name)
        return as_matrix(self.legs(points, points), self.name)

    def data_version(self) -> str:
        """The server's data_version (probed at (0, 0), no one's home), remembered for a minute."""
        now = time.monotonic()
        if self._version is not None and now - self._version[0] < VERSION_TTL_S:
            return self._version[1]
        try:
            response = self.client.get(
                f"{self.base_url}/nearest/v1/{self.profile}/0,0", timeout=self.timeout_s
            )
            reported = response.json().get("data_version") if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            reported = None
        version = self._qualified(reported)
        self._version = (now, version)
        return version

    def legs(self, sources: Sequence[Point], destinations: Sequence[Point]) -> LegTable:
        ns, nd = len(sources), len(destinations)
        durations = [[0] * nd for _ in range(ns)]
        distances = [[0] * nd for _ in range(ns)]
        estimated = [[False] * nd for _ in range(ns)]
        unroutable: set[tuple[int, int]] = set()
        tally = _Tally()
        version: str | None = None
        pending = list(plan_blocks(ns, nd, self.max_table_size))
        while pending:
            rows, cols = pending.pop()
            src = [sources[i] for i in rows]
            dst = [destinations[j] for j in cols]
            try:
                block = self._block(src, dst, tally)
            except OsrmTooBig:
                if len(rows) * len(cols) <= 1:
                    block = None
                    tally.failure = tally.failure or "the server refuses even a 1x1 table"
                else:
                    pending.extend(split(rows, cols))
                    continue
            except OsrmUnavailable as error:
                block = None
                tally.failure = str(error)
            if block is not None and block.data_version:
                version = block.data_version
            guess: TravelMatrix | None = None
            for bi, i in enumerate(rows):
                for bj, j in enumerate(cols):
                    value = None if block is None else _usable(block, bi, bj)
                    if value is not None:
                        durations[i][j], distances[i][j] = value
                        continue
                    if guess is None:
                        guess = self.fallback.matrix([*src, *dst])
                    durations[i][j] = guess.durations_s[bi][len(src) + bj]
                    distances[i][j] = guess.distances_m[bi][len(src) + bj]
                    estimated[i][j] = True
                    if block is None:
                        tally.failed_legs += 1
                        continue
                    unroutable.add((i, j))
                    if bi not in block.far_sources and bj not in block.far_destinations:
                        tally.no_route_legs += 1
            if block is not None:
                tally.far_points.update(src[k] for k in block.far_sources)
                tally.far_points.update(dst[k] for k in block.far_destinations)
        return LegTable(
            durations_s=durations,
            distances_m=distances,
            estimated=estimated,
            data_version=self._qualified(version),
            notes=self._notes(tally, ns * nd),
            unroutable=unroutable,
        )

    # -- one block ---------------------------------------------------------------------------

    def _block(self, src: list[Point], dst: list[Point], tally: _Tally) -> _Block:
        block = self._table(src, dst, exclude=None)
        if self.ferry_wait_s > 0:
            try:
                ferry_free = self._table(src, dst, exclude="ferry")
            except (OsrmUnavailable, OsrmTooBig) as error:
                tally.ferry_detection_failed = str(error) or "the server refused exclude=ferry"
            else:
                tally.ferry_legs += self._apply_ferry_wait(block, ferry_free)
        return block

    def _apply_ferry_wait(self, fastest: _Block, ferry_free: _Block) -> int:
        crossings = 0
        for i, row in enumerate(fastest.durations):
            for j, duration in enumerate(row):
                if duration is None:
                    continue
                alternative = ferry_free.durations[i][j]
                # Half a second of slack: OSRM reports tenths, and equal routes may differ there.
                if alternative is not None and alternative <= duration + 0.5:
                    continue
                crossings += 1
                waited = duration + self.ferry_wait_s
                if alternative is not None and alternative < waited:
                    row[j] = alternative
                    fastest.distances[i][j] = ferry_free.distances[i][j]
                else:
                    row[j] = waited
        return crossings

    def _table(self, src: list[Point], dst: list[Point], *, exclude: str | None) -> _Block:
        coords: list[str] = []
        index: dict[str, int] = {}

        def at(p: Point) -> int:
            key = f"{p.lon:.6f},{p.lat:.6f}"
            if key not in index:
                index[key] = len(coords)
                coords.append(key)
            return index[key]

        sources = [at(p) for p in src]
        destinations = [at(p) for p in dst]
        params = {
            "sources": ";".join(map(str, sources)),
            "destinations": ";".join(map(str, destinations)),
            "annotations": "duration,distance",
            "generate_hints": "false",
        }
        if exclude:
            params["exclude"] = exclude
        url = f"{self.base_url}/table/v1/{self.profile}/{';'.join(coords)}"
        body = self._get(url, params)
        durations, distances = body.get("durations"), body.get("distances")
        if not isinstance(durations, list) or not isinstance(distances, list):
            raise OsrmUnavailable("the server's table answer lacks durations or distances")
        return _Block(
            durations=durations,
            distances=distances,
            far_sources=self._far(body.get("sources", [])),
            far_destinations=self._far(body.get("destinations", [])),
            data_version=body.get("data_version"),
        )

    def _far(self, waypoints: list[dict[str, Any]]) -> set[int]:
        return {
            k for k, w in enumerate(waypoints) if float(w.get("distance", 0.0)) > self.max_snap_m
        }

    def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self.client.get(url, params=params, timeout=self.timeout_s)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}"
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                continue
            try:
                body: dict[str, Any] = response.json()
            except ValueError:
                raise OsrmUnavailable(f"HTTP {response.status_code} without JSON") from None
            if body.get("code") == "TooBig":
                raise OsrmTooBig()
            if response.status_code != 200 or body.get("code") != "Ok":
                raise OsrmUnavailable(
                    f"HTTP {response.status_code} {body.get('code')}: {body.get('message', '')}"
                )
            return body
        raise OsrmUnavailable(f"{problem} after {self.retries + 1} attempts")

    # -- reporting ---------------------------------------------------------------------------

    def _qualified(self, reported: str | None) -> str:
        version = reported or self._unversioned
        return f"{version}+ferry_wait={self.ferry_wait_s}" if self.ferry_wait_s else version

    def _notes(self, tally: _Tally, legs: int) -> list[str]:
        notes = []
        if tally.failed_legs:
            notes.append(
                f"OSRM at {self.base_url} gave no answer for {tally.failed_legs} of {legs} legs "
                f"({tally.failure}); those are straight-line estimates from {self.fallback.name}"
            )
        if tally.no_route_legs:
            notes.append(
                f"OSRM found no road for {tally.no_route_legs} of {legs} legs; those are "
                f"straight-line estimates from {self.fallback.name}"
            )
        if tally.far_points:
            notes.append(
                f"{len(tally.far_points)} points lie more than {self.max_snap_m:.0f} m from any "
                "road in the OSRM data (is the server built for this region?); their legs are "
                "straight-line estimates"
            )
        if tally.ferry_legs:
            notes.append(
                f"{tally.ferry_legs} legs cross by ferry: {self.ferry_wait_s} s of waiting added, "
                "or a ferry-free road taken where that is faster"
            )
        if tally.ferry_detection_failed:
            notes.append(
                "ferry legs could not be detected (exclude=ferry failed: "
                f"{tally.ferry_detection_failed}); no ferry waiting time is included"
            )
        return notes


def _usable(block: _Block, i: int, j: int) -> tuple[int, int] | None:
    if i in block.far_sources or j in block.far_destinations:
        return None
    duration, distance = block.durations[i][j], block.distances[i][j]
    if duration is None or distance is None:
        return None
    return round(duration), round(distance)


def plan_blocks(ns: int, nd: int, limit: int) -> list[tuple[range, range]]:
    """Blocks of sources x destinations that an OSRM server with `--max-table-size limit` takes.

    OSRM checks sources x destinations <= limit^2, so a narrow block may be long; the count of
    coordinates in one URL is kept to 2 x limit so the request line stays short.
    """
    if ns == 0 or nd == 0:
        return []
    budget, max_coords = limit * limit, 2 * limit
    if nd <= limit:
        bs, bd = min(ns, budget // nd, max_coords - nd), nd
    elif ns <= limit:
        bs, bd = ns, min(nd, budget // ns, max_coords - ns)
    else:
        bs = bd = limit
    return [
        (range(r, min(r + bs, ns)), range(c, min(c + bd, nd)))
        for r in range(0, ns, bs)
        for c in range(0, nd, bd)
    ]


def split(rows: range, cols: range) -> list[tuple[range, range]]:
    """Halves a block along its longer side."""
    if len(rows) >= len(cols):
        mid = rows.start + math.ceil(len(rows) / 2)
        return [(range(rows.start, mid), cols), (range(mid, rows.stop), cols)]
    mid = cols.start + math.ceil(len(cols) / 2)
    return [(rows, range(cols.start, mid)), (rows, range(mid, cols.stop))]
