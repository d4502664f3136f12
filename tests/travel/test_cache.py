"""The travel-leg cache in front of a real OSRM server, on SQLite and PostgreSQL.

Requests are counted by a transport that wraps httpx's real one: the server answers every leg.
"""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from ambulant.models import TravelLeg
from ambulant.travel import Point, osrm_server
from ambulant.travel.cache import CachedTravelTimes, forget_other_versions, key, missing_rectangles
from tests.travel.conftest import HELSINKI, CountingTransport, MakeOsrm, random_helsinki


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(TravelLeg)).scalar_one())


def test_a_second_matrix_comes_from_the_cache(
    engine: Engine,
    helsinki_osrm: osrm_server.OsrmServer,
    counting: tuple[httpx.Client, CountingTransport],
    make_osrm: MakeOsrm,
) -> None:
    """The first matrix asks OSRM once and stores 8 x 7 legs; the same matrix again asks nothing."""
    client, transport = counting
    cached = CachedTravelTimes(make_osrm(helsinki_osrm.url, client=client), engine)
    first = cached.matrix(HELSINKI)
    assert transport.counts == {"nearest": 1, "table": 1}  # version probe + one table
    assert stored(engine) == 8 * 7
    assert cached.last_stats.known == 0 and cached.last_stats.calls == 1

    again = cached.matrix(HELSINKI)
    assert transport.counts == {"nearest": 1, "table": 1}  # the version is remembered a minute
    assert again == first
    assert cached.last_stats.known == 56 and cached.last_stats.calls == 0
    assert first == make_osrm(helsinki_osrm.url).matrix(HELSINKI)


def test_new_points_ask_only_for_their_rows_and_columns(
    engine: Engine,
    helsinki_osrm: osrm_server.OsrmServer,
    counting: tuple[httpx.Client, CountingTransport],
    make_osrm: MakeOsrm,
) -> None:
    """With 6 points cached, adding 2 asks for 2 x 8 + 6 x 2 = 28 legs in 2 table requests."""
    client, transport = counting
    cached = CachedTravelTimes(make_osrm(helsinki_osrm.url, client=client), engine)
    cached.matrix(HELSINKI[:6])
    transport.counts.clear()
    grown = cached.matrix(HELSINKI)
    assert transport.counts == {"table": 2}
    assert cached.last_stats.known == 30 and cached.last_stats.asked == 28
    assert grown == make_osrm(helsinki_osrm.url).matrix(HELSINKI)
    assert stored(engine) == 56


def test_estimates_are_not_stored(
    engine: Engine, helsinki_dataset: osrm_server.OsrmDataset, make_osrm: MakeOsrm
) -> None:
    """Legs guessed while the server is down are returned as estimates but never cached."""
    server = osrm_server.serve(helsinki_dataset.base, port=0, log=None)
    server.stop()
    cached = CachedTravelTimes(make_osrm(server.url, retries=0), engine)
    matrix = cached.matrix(HELSINKI[:4])
    assert matrix.estimated and matrix.notes
    assert stored(engine) == 0
    cached.matrix(HELSINKI[:4])
    assert cached.last_stats.known == 0 and cached.last_stats.asked == 16


def test_another_data_version_is_a_miss_and_can_be_forgotten(
    engine: Engine, helsinki_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """Legs of another data version are not used; forget_other_versions deletes them."""
    plain = CachedTravelTimes(make_osrm(helsinki_osrm.url), engine)
    plain.matrix(HELSINKI[:4])
    # A ferry wait qualifies the version, so these legs are computed and stored anew.
    waited = CachedTravelTimes(make_osrm(helsinki_osrm.url, ferry_wait_s=60), engine)
    waited.matrix(HELSINKI[:4])
    assert waited.last_stats.known == 0 and waited.last_stats.calls == 1
    assert stored(engine) == 2 * 12
    assert forget_other_versions(engine, "osrm", waited.data_version()) == 12
    assert stored(engine) == 12


def test_points_within_a_metre_share_legs(
    engine: Engine,
    helsinki_osrm: osrm_server.OsrmServer,
    counting: tuple[httpx.Client, CountingTransport],
    make_osrm: MakeOsrm,
) -> None:
    """Two visits at one address (same rounded point) are 0 apart and asked for only once."""
    client, transport = counting
    cached = CachedTravelTimes(make_osrm(helsinki_osrm.url, client=client), engine)
    twin = Point(HELSINKI[0].lat + 2e-6, HELSINKI[0].lon)
    assert key(twin) == key(HELSINKI[0])
    matrix = cached.matrix([HELSINKI[0], HELSINKI[1], twin])
    assert matrix.durations_s[0][2] == matrix.durations_s[2][0] == 0
    assert matrix.durations_s[2][1] == matrix.durations_s[0][1]
    assert cached.last_stats.asked == 4  # 2 distinct points: one 2 x 2 table
    assert transport.counts["table"] == 1


def test_rectangles_for_typical_gaps() -> None:
    """All fresh: one square; two new points: new x all and old x new; a lone gap: its cell."""
    a, b, c, d = (1, 1), (2, 2), (3, 3), (4, 4)
    every = [(x, y) for x in (a, b, c, d) for y in (a, b, c, d) if x != y]
    assert missing_rectangles([a, b, c, d], []) == [([a, b, c, d], [a, b, c, d])]
    old = [(x, y) for x, y in every if x in (a, b) and y in (a, b)]
    assert missing_rectangles([a, b, c, d], old) == [([c, d], [a, b, c, d]), ([a, b], [c, d])]
    all_but_one = [leg for leg in every if leg != (a, b)]
    assert missing_rectangles([a, b, c, d], all_but_one) == [([a], [b])]
    assert missing_rectangles([a, b, c, d], every) == []


def test_legs_without_a_road_are_remembered_and_estimated_again(
    engine: Engine,
    helsinki_osrm: osrm_server.OsrmServer,
    counting: tuple[httpx.Client, CountingTransport],
    make_osrm: MakeOsrm,
) -> None:
    """OSRM's "no road" is a fact of its data: stored, not asked again, estimated the same way."""
    client, transport = counting
    cached = CachedTravelTimes(make_osrm(helsinki_osrm.url, client=client), engine)
    points = random_helsinki(30)
    first = cached.matrix(points)
    assert first.estimated
    transport.counts.clear()
    again = cached.matrix(points)
    assert transport.counts == {}
    assert again.durations_s == first.durations_s and again.distances_m == first.distances_m
    assert again.estimated
    assert again.notes[0].startswith("osrm found no road for ")
    assert stored(engine) == 30 * 29
