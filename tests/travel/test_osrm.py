"""The OSRM provider against real osrm-routed servers (Helsinki extract, synthetic fjord)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ambulant.travel import GeodesicTravelTimes, Point, osrm_server
from ambulant.travel.osrm import plan_blocks
from tests.travel.conftest import HELSINKI, CountingTransport, MakeOsrm, random_helsinki
from tests.travel.ferry_network import EAST, ISLAND, WEST


def raw_table(url: str, points: list[Point], **params: str) -> dict[str, Any]:
    """OSRM's own answer for the full square, asked directly, to compare the provider with."""
    coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
    query = {"annotations": "duration,distance", **params}
    body: dict[str, Any] = httpx.get(f"{url}/table/v1/driving/{coords}", params=query).json()
    return body


@pytest.fixture
def stopped_server(helsinki_dataset: osrm_server.OsrmDataset) -> str:
    """The URL of an OSRM server that ran and has been stopped."""
    server = osrm_server.serve(helsinki_dataset.base, port=0, log=None)
    server.stop()
    assert not server.running
    return server.url


@pytest.fixture
def small_server(
    helsinki_dataset: osrm_server.OsrmDataset, tmp_path: Path
) -> Iterator[osrm_server.OsrmServer]:
    """A server that takes tables of at most 3 x 3."""
    with (
        (tmp_path / "routed.log").open("wb") as log,
        osrm_server.serve(helsinki_dataset.base, port=0, max_table_size=3, log=log) as server,
    ):
        yield server


def test_matrix_is_osrms_table_rounded(
    helsinki_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """Every leg is OSRM's duration and distance rounded to whole units; nothing is estimated."""
    raw = raw_table(helsinki_osrm.url, HELSINKI)
    matrix = make_osrm(helsinki_osrm.url).matrix(HELSINKI)
    assert matrix.provider == "osrm"
    assert not matrix.estimated and matrix.notes == []
    assert matrix.durations_s == [[round(d) for d in row] for row in raw["durations"]]
    assert matrix.distances_m == [[round(d) for d in row] for row in raw["distances"]]
    assert all(matrix.durations_s[i][i] == 0 for i in range(len(HELSINKI)))
    # Central Helsinki: one-way streets make some legs differ by direction.
    assert any(
        matrix.durations_s[i][j] != matrix.durations_s[j][i]
        for i in range(len(HELSINKI))
        for j in range(i)
    )


def test_legs_without_a_road_are_estimated_and_counted(
    helsinki_osrm: osrm_server.OsrmServer,
    make_osrm: MakeOsrm,
) -> None:
    """Legs OSRM answers with null get the geodesic estimate, and a note counts exactly them."""
    points = random_helsinki(60)
    raw = raw_table(helsinki_osrm.url, points)
    matrix = make_osrm(helsinki_osrm.url).matrix(points)
    geodesic = GeodesicTravelTimes().matrix(points)
    nulls = [
        (i, j) for i, row in enumerate(raw["durations"]) for j, d in enumerate(row) if d is None
    ]
    assert nulls, "the clipped extract has dead ends; this test needs some"
    for i, j in nulls:
        assert matrix.durations_s[i][j] == geodesic.durations_s[i][j]
    assert matrix.estimated
    assert matrix.notes == [
        f"OSRM found no road for {len(nulls)} of 3600 legs; those are straight-line estimates "
        "from geodesic"
    ]


@pytest.mark.parametrize(("ns", "nd", "limit"), [(8, 8, 3), (100, 100, 100), (500, 5, 100)])
def test_blocks_cover_every_leg_once_within_the_limit(ns: int, nd: int, limit: int) -> None:
    """Blocks tile sources x destinations exactly, each within OSRM's limit and 2 x limit URLs."""
    seen: list[tuple[int, int]] = []
    for rows, cols in plan_blocks(ns, nd, limit):
        assert len(rows) * len(cols) <= limit * limit
        assert len(rows) + len(cols) <= 2 * limit
        seen.extend((i, j) for i in rows for j in cols)
    assert sorted(seen) == [(i, j) for i in range(ns) for j in range(nd)]


def test_narrow_tables_take_few_requests() -> None:
    """500 sources x 5 destinations at limit 100: 195-row blocks (the URL cap), so 3 requests."""
    assert len(plan_blocks(500, 5, 100)) == 3
    assert len(plan_blocks(100, 100, 100)) == 1
    assert len(plan_blocks(8, 8, 3)) == 9


def test_chunked_matrix_equals_the_whole(
    helsinki_osrm: osrm_server.OsrmServer,
    counting: tuple[httpx.Client, CountingTransport],
    make_osrm: MakeOsrm,
) -> None:
    """At max_table_size 3 the 8-point matrix takes 9 table requests and equals the whole."""
    client, transport = counting
    whole = make_osrm(helsinki_osrm.url).matrix(HELSINKI)
    chunked = make_osrm(helsinki_osrm.url, max_table_size=3, client=client).matrix(HELSINKI)
    assert transport.counts == {"table": 9}
    assert chunked == whole


def test_blocks_the_server_refuses_as_too_big_are_split(
    small_server: osrm_server.OsrmServer,
    counting: tuple[httpx.Client, CountingTransport],
    make_osrm: MakeOsrm,
) -> None:
    """A server limited to 3 x 3 answers TooBig to 8 x 8; halving blocks still gets every leg."""
    client, transport = counting
    expected = raw_table(small_server.url, HELSINKI[:3])  # 3 x 3 is within its limit
    matrix = make_osrm(small_server.url, max_table_size=100, client=client).matrix(HELSINKI)
    assert not matrix.estimated
    assert [row[:3] for row in matrix.durations_s[:3]] == [
        [round(d) for d in row] for row in expected["durations"]
    ]
    # 8x8 -> 4x8 (x2) -> 4x4 (x4) -> 2x4 (x8) all refused but the 2x4 ones: 1 + 2 + 4 + 8 = 15.
    assert transport.counts == {"table": 15}


def test_stopped_server_falls_back_to_geodesic_with_a_note(
    stopped_server: str, make_osrm: MakeOsrm
) -> None:
    """With the server gone every leg is the geodesic estimate, after retries with backoff."""
    waits: list[float] = []
    transport = CountingTransport()
    with httpx.Client(transport=transport) as client:
        provider = make_osrm(
            stopped_server, retries=2, backoff_s=0.25, client=client, sleep=waits.append
        )
        matrix = provider.matrix(HELSINKI)
    geodesic = GeodesicTravelTimes().matrix(HELSINKI)
    assert matrix.estimated
    assert matrix.durations_s == geodesic.durations_s
    assert matrix.distances_m == geodesic.distances_m
    assert transport.counts == {"table": 3}
    assert waits == [0.25, 0.5]
    assert len(matrix.notes) == 1
    assert matrix.notes[0].startswith(f"OSRM at {stopped_server} gave no answer for 64 of 64 legs")
    assert "ConnectError after 3 attempts" in matrix.notes[0]


def test_a_503_is_retried(helsinki_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm) -> None:
    """A 503 (osrm-routed restarting behind a proxy) is retried and the next answer used."""

    class FirstAnswerIs503(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner, self.calls = httpx.HTTPTransport(), 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            if self.calls == 1:
                return httpx.Response(503, text="Service Unavailable")
            return self.inner.handle_request(request)

        def close(self) -> None:
            self.inner.close()

    transport = FirstAnswerIs503()
    with httpx.Client(transport=transport) as client:
        matrix = make_osrm(helsinki_osrm.url, client=client, sleep=lambda _: None).matrix(
            HELSINKI[:3]
        )
    assert transport.calls == 2
    assert not matrix.estimated


def test_points_far_from_any_road_are_estimated(
    helsinki_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """A point in Trondheim snaps hundreds of km away in Helsinki's data: its legs are estimates."""
    trondheim = Point(63.43, 10.39)
    points = [*HELSINKI[:3], trondheim]
    matrix = make_osrm(helsinki_osrm.url, max_snap_m=1000).matrix(points)
    geodesic = GeodesicTravelTimes().matrix(points)
    assert matrix.estimated
    assert [row[3] for row in matrix.durations_s] == [row[3] for row in geodesic.durations_s]
    assert matrix.durations_s[3] == geodesic.durations_s[3]
    assert matrix.durations_s[0][1] == round(
        raw_table(helsinki_osrm.url, points)["durations"][0][1]
    )
    assert matrix.notes == [
        "1 points lie more than 1000 m from any road in the OSRM data (is the server built for "
        "this region?); their legs are straight-line estimates"
    ]


def test_data_version_comes_from_the_server(
    helsinki_osrm: osrm_server.OsrmServer,
    helsinki_dataset: osrm_server.OsrmDataset,
    make_osrm: MakeOsrm,
) -> None:
    """The version the build wrote is what the provider reports and what its tables carry."""
    provider = make_osrm(helsinki_osrm.url)
    assert provider.data_version() == helsinki_dataset.data_version
    assert provider.legs(HELSINKI[:2], HELSINKI[2:4]).data_version == helsinki_dataset.data_version


def test_without_a_server_version_url_and_label_stand_in(
    stopped_server: str, make_osrm: MakeOsrm
) -> None:
    """No answer, no version: a stable hash of URL and label, changed by changing the label."""
    a = make_osrm(stopped_server, retries=0).data_version()
    again = make_osrm(stopped_server, retries=0).data_version()
    relabelled = make_osrm(stopped_server, version_label="winter-2026").data_version()
    assert a == again and a.startswith("url-")
    assert relabelled != a


def test_empty_and_rectangular_requests(
    helsinki_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """No points, no legs; a 2 x 3 block has 2 rows of 3 matching the square's cells."""
    provider = make_osrm(helsinki_osrm.url)
    assert len(provider.matrix([])) == 0
    square = provider.matrix(HELSINKI[:5])
    block = provider.legs(HELSINKI[:2], HELSINKI[2:5])
    assert block.durations_s == [row[2:5] for row in square.durations_s[:2]]


# -- ferries ---------------------------------------------------------------------------------


def test_without_a_wait_ferries_cost_their_crossing(
    fjord_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """With no ferry wait the matrix is OSRM's: west to east by the 20-minute ferry."""
    raw = raw_table(fjord_osrm.url, [WEST, EAST])
    matrix = make_osrm(fjord_osrm.url).matrix([WEST, EAST])
    assert matrix.durations_s[0][1] == round(raw["durations"][0][1])
    assert 1200 < matrix.durations_s[0][1] < 1500  # 20 min afloat plus a few hundred metres
    assert matrix.notes == []


@pytest.mark.parametrize("wait_s", [600, 2400])
def test_ferry_wait_is_added_unless_the_road_round_is_faster(
    fjord_osrm: osrm_server.OsrmServer, wait_s: int, make_osrm: MakeOsrm
) -> None:
    """Ferry legs cost crossing + wait, or the ferry-free road where that is quicker; an island
    reachable only by ferry always pays the wait."""
    points = [WEST, EAST, ISLAND]
    by_ferry = raw_table(fjord_osrm.url, points)
    by_road = raw_table(fjord_osrm.url, points, exclude="ferry")
    # The road round the fjord's head (~58 km) takes ~53 min; the ferry ~21 min + the wait.
    ferry_s, road_s = by_ferry["durations"][0][1], by_road["durations"][0][1]
    assert road_s > ferry_s
    assert by_road["durations"][0][2] is None  # no road to the island

    matrix = make_osrm(fjord_osrm.url, ferry_wait_s=wait_s).matrix(points)
    west_east = matrix.durations_s[0][1]
    if ferry_s + wait_s < road_s:  # 600 s: the ferry still wins
        assert west_east == round(ferry_s + wait_s)
        assert matrix.distances_m[0][1] == round(by_ferry["distances"][0][1])
    else:  # 2400 s: the road round the fjord wins
        assert west_east == round(road_s)
        assert matrix.distances_m[0][1] == round(by_road["distances"][0][1])
    assert matrix.durations_s[0][2] == round(by_ferry["durations"][0][2] + wait_s)
    assert not matrix.estimated
    # All six off-diagonal legs cross water by the fastest route.
    assert matrix.notes == [
        f"6 legs cross by ferry: {wait_s} s of waiting added, or a ferry-free road taken where "
        "that is faster"
    ]


def test_ferry_wait_is_part_of_the_data_version(
    fjord_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """Legs computed with a ferry wait are cached apart from legs without one."""
    plain = make_osrm(fjord_osrm.url).data_version()
    waited = make_osrm(fjord_osrm.url, ferry_wait_s=600).data_version()
    assert waited == f"{plain}+ferry_wait=600"
