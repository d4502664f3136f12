"""A database cache of road legs in front of a road engine.

Legs are keyed by provider, the engine's data version and both points rounded to 1e-5 degrees
(about a metre). A matrix is assembled from known legs and the engine is asked only for the rest,
in at most three rectangular calls:

    fresh points (nothing known from or to them) -> every point      one call
    known points                                 -> fresh points     one call
    known points x known points, where gaps remain (after a failure)  one covering call

so adding visits to a day asks for the new rows and columns, not the whole matrix again. Only the
engine's own answers are stored, never a fallback's estimate: an estimated leg is asked for again
next time, when the server may be back. A leg the engine found no road for is stored as such and
estimated when read: asking again would get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from ambulant.models.travel_cache import TravelLeg
from ambulant.timeutil import now
from ambulant.travel.geodesic import GeodesicTravelTimes
from ambulant.travel.legs import RoadTravelTimes
from ambulant.travel.protocol import Point, TravelMatrix, TravelTimes

Key = tuple[int, int]  # (lat, lon) in 1e-5 degrees
Leg = tuple[int | None, int | None]  # (duration_s, distance_m); None: no road in the data


def key(p: Point) -> Key:
    return round(p.lat * 1e5), round(p.lon * 1e5)


def point(k: Key) -> Point:
    return Point(k[0] / 1e5, k[1] / 1e5)


@dataclass(frozen=True)
class CacheStats:
    """What the last matrix took: legs found in the cache, legs asked for, calls to the engine."""

    known: int
    asked: int
    calls: int


class CachedTravelTimes:
    def __init__(
        self, inner: RoadTravelTimes, engine: Engine, *, fallback: TravelTimes | None = None
    ) -> None:
        self.inner = inner
        self.engine = engine
        self.fallback: TravelTimes = fallback or GeodesicTravelTimes()
        self.name = inner.name
        self.last_stats = CacheStats(0, 0, 0)

    def close(self) -> None:
        """Closes the wrapped provider's connections, if it holds any."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()

    def data_version(self) -> str:
        return self.inner.data_version()

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        if not points:
            return TravelMatrix([], [], provider=self.name)
        keys = [key(p) for p in points]
        unique = list(dict.fromkeys(keys))
        version = self.inner.data_version()
        legs = self._load(version, unique)
        known = len(legs)
        estimated: set[tuple[Key, Key]] = set()
        notes: list[str] = []
        asked = calls = 0
        for sources, destinations in missing_rectangles(unique, legs.keys()):
            table = self.inner.legs([point(k) for k in sources], [point(k) for k in destinations])
            calls += 1
            asked += len(sources) * len(destinations)
            fresh: dict[tuple[Key, Key], Leg] = {}
            for i, a in enumerate(sources):
                for j, b in enumerate(destinations):
                    if a == b:
                        continue
                    legs[a, b] = (table.durations_s[i][j], table.distances_m[i][j])
                    if (i, j) in table.unroutable:
                        fresh[a, b] = (None, None)
                    elif not table.estimated[i][j]:
                        fresh[a, b] = legs[a, b]
                    if table.estimated[i][j]:
                        estimated.add((a, b))
            notes.extend(n for n in table.notes if n not in notes)
            self._store(table.data_version, fresh)
        self.last_stats = CacheStats(known=known, asked=asked, calls=calls)
        no_road = [pair for pair, (duration, _) in legs.items() if duration is None]
        if no_road:
            self._estimate(no_road, unique, legs)
            estimated.update(no_road)
            notes.append(
                f"{self.name} found no road for {len(no_road)} legs (known from earlier answers); "
                f"those are straight-line estimates from {self.fallback.name}"
            )

        n = len(points)
        durations = [[0] * n for _ in range(n)]
        distances = [[0] * n for _ in range(n)]
        for i, a in enumerate(keys):
            for j, b in enumerate(keys):
                if a != b:
                    duration, distance = legs[a, b]
                    assert duration is not None and distance is not None  # estimated above
                    durations[i][j], distances[i][j] = duration, distance
        return TravelMatrix(
            durations_s=durations,
            distances_m=distances,
            provider=self.name,
            estimated=bool(estimated),
            notes=notes,
        )

    def _estimate(
        self, pairs: list[tuple[Key, Key]], keys: list[Key], legs: dict[tuple[Key, Key], Leg]
    ) -> None:
        involved = [k for k in keys if any(k in pair for pair in pairs)]
        at = {k: n for n, k in enumerate(involved)}
        guess = self.fallback.matrix([point(k) for k in involved])
        for a, b in pairs:
            legs[a, b] = (guess.durations_s[at[a]][at[b]], guess.distances_m[at[a]][at[b]])

    def _load(self, version: str, keys: list[Key]) -> dict[tuple[Key, Key], Leg]:
        t = TravelLeg
        from_lat, from_lon = col(t.from_lat_e5), col(t.from_lon_e5)
        to_lat, to_lon = col(t.to_lat_e5), col(t.to_lon_e5)
        query = select(from_lat, from_lon, to_lat, to_lon, col(t.duration_s), col(t.distance_m))
        query = query.where(
            col(t.provider) == self.name,
            col(t.data_version) == version,
            tuple_(from_lat, from_lon).in_(keys),
            tuple_(to_lat, to_lon).in_(keys),
        )
        with self.engine.connect() as connection:
            return {((r[0], r[1]), (r[2], r[3])): (r[4], r[5]) for r in connection.execute(query)}

    def _store(self, version: str, legs: dict[tuple[Key, Key], Leg]) -> None:
        if not legs:
            return
        created = now()
        rows = [
            {
                "provider": self.name,
                "data_version": version,
                "from_lat_e5": a[0],
                "from_lon_e5": a[1],
                "to_lat_e5": b[0],
                "to_lon_e5": b[1],
                "duration_s": duration,
                "distance_m": distance,
                "created_at": created,
            }
            for (a, b), (duration, distance) in legs.items()
        ]
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        # A concurrent replan may have stored the same legs meanwhile: theirs are as good.
        insert = dialect.insert(TravelLeg).on_conflict_do_nothing()
        with self.engine.begin() as connection:
            for start in range(0, len(rows), 5000):
                connection.execute(insert, rows[start : start + 5000])


def missing_rectangles(
    keys: list[Key], known: Iterable[tuple[Key, Key]]
) -> list[tuple[list[Key], list[Key]]]:
    """Rectangles of sources x destinations that cover every unknown leg between `keys`."""
    missing = {(a, b) for a in keys for b in keys if a != b} - set(known)
    if not missing:
        return []
    touched = {a for a, _ in missing} | {b for _, b in missing}
    # Fresh: every leg from and to it is missing (the diagonal is never asked for).
    fresh = [
        k
        for k in keys
        if k in touched and all((k, o) in missing and (o, k) in missing for o in keys if o != k)
    ]
    fresh_set = set(fresh)
    seasoned = [k for k in keys if k not in fresh_set]
    rectangles: list[tuple[list[Key], list[Key]]] = []
    if fresh:
        rectangles.append((fresh, keys))
        if seasoned:
            rectangles.append((seasoned, fresh))
    gaps = {(a, b) for a, b in missing if a not in fresh_set and b not in fresh_set}
    if gaps:
        rows = [k for k in seasoned if any((k, b) in gaps for b in seasoned)]
        cols = [k for k in seasoned if any((a, k) in gaps for a in seasoned)]
        rectangles.append((rows, cols))
    return rectangles


def forget_other_versions(engine: Engine, provider: str, keep_version: str) -> int:
    """Deletes a provider's legs computed on any other data version; returns how many."""
    query = delete(TravelLeg).where(
        col(TravelLeg.provider) == provider, col(TravelLeg.data_version) != keep_version
    )
    with engine.begin() as connection:
        return int(connection.execute(query).rowcount)
