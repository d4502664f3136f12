"""Real OSRM servers for the travel tests: central Helsinki and a synthetic fjord with ferries.

Each network is built once per session into a temporary directory (well under a second each) and
served by osrm-routed itself on 127.0.0.1 with a free port and access logging off; the fixture's
teardown stops it.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ambulant.config import Settings
from ambulant.travel import Point, osrm_server
from ambulant.travel.osrm import OsrmTravelTimes
from tests.travel.ferry_network import write_ferry_network

MakeOsrm = Callable[..., OsrmTravelTimes]

HELSINKI_PBF = Settings().osm_extract

# Street points in central Helsinki that reach each other both ways in the clipped extract
# (many points in it do not: one-way streets cut by the clip lead nowhere).
HELSINKI = [
    Point(60.16504, 24.94309),  # Yrjönkatu
    Point(60.17066, 24.94997),  # Kirkkokatu
    Point(60.17287, 24.94244),  # Kaisankuja
    Point(60.16659, 24.93756),  # Annankatu
    Point(60.16897, 24.94978),  # Aleksanterinkatu
    Point(60.16712, 24.94568),  # Eteläesplanadi
    Point(60.17437, 24.94298),  # Kaisaniemen puistokuja
    Point(60.17602, 24.94773),  # Kaisaniemenranta
]


def random_helsinki(n: int, seed: int = 7) -> list[Point]:
    """Points anywhere in the extract; some land on dead ends the clip made."""
    rng = random.Random(seed)
    return [Point(rng.uniform(60.1645, 60.1790), rng.uniform(24.9355, 24.9530)) for _ in range(n)]


class CountingTransport(httpx.BaseTransport):
    """Passes requests to a real transport and counts them by OSRM service (`table`, ...)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.counts: dict[str, int] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        service = request.url.path.strip("/").split("/")[0]
        self.counts[service] = self.counts.get(service, 0) + 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _serve(
    base: Path, log_dir: Path, *, max_table_size: int = 100
) -> Iterator[osrm_server.OsrmServer]:
    with (
        (log_dir / "osrm-routed.log").open("ab") as log,
        osrm_server.serve(base, port=0, max_table_size=max_table_size, log=log) as server,
    ):
        yield server


@pytest.fixture(scope="session")
def helsinki_dataset(tmp_path_factory: pytest.TempPathFactory) -> osrm_server.OsrmDataset:
    if not HELSINKI_PBF.is_file():
        message = f"OSM extract {HELSINKI_PBF} not found (the AMBULANT_OSM_EXTRACT setting)"
        if os.environ.get("AMBULANT_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(f"!!! SKIPPED: {message}")
    return osrm_server.build(HELSINKI_PBF, tmp_path_factory.mktemp("osrm-helsinki"))


@pytest.fixture(scope="session")
def helsinki_osrm(
    helsinki_dataset: osrm_server.OsrmDataset,
) -> Iterator[osrm_server.OsrmServer]:
    yield from _serve(helsinki_dataset.base, helsinki_dataset.base.parent)


@pytest.fixture(scope="session")
def fjord_osrm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[osrm_server.OsrmServer]:
    work = tmp_path_factory.mktemp("osrm-fjord")
    dataset = osrm_server.build(write_ferry_network(work / "fjord.osm.pbf"), work)
    yield from _serve(dataset.base, work)


@pytest.fixture
def counting() -> Iterator[tuple[httpx.Client, CountingTransport]]:
    transport = CountingTransport()
    with httpx.Client(transport=transport) as client:
        yield client, transport


@pytest.fixture
def make_osrm() -> Iterator[MakeOsrm]:
    """Makes OSRM providers and closes their HTTP clients after the test."""
    made: list[OsrmTravelTimes] = []

    def make(base_url: str, **options: Any) -> OsrmTravelTimes:
        made.append(OsrmTravelTimes(base_url, **options))
        return made[-1]

    yield make
    for provider in made:
        provider.close()
