"""Building and serving OSRM data: loopback only, no request URLs in the log."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ambulant.travel import osrm_server
from tests.travel.conftest import HELSINKI


def test_the_server_keeps_patient_coordinates_out_of_its_log(
    helsinki_dataset: osrm_server.OsrmDataset, tmp_path: Path
) -> None:
    """Bound to 127.0.0.1, and a table request's coordinates never reach the log."""
    log_path = tmp_path / "routed.log"
    with (
        log_path.open("wb") as log,
        osrm_server.serve(helsinki_dataset.base, port=0, log=log) as server,
    ):
        assert server.url.startswith("http://127.0.0.1:")
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in HELSINKI[:3])
        assert httpx.get(f"{server.url}/table/v1/driving/{coords}").status_code == 200
    assert not server.running
    text = log_path.read_text()
    assert "IP address: 127.0.0.1" in text
    assert "/table/" not in text and f"{HELSINKI[0].lon:.6f}" not in text


def test_building_a_missing_extract_says_so(tmp_path: Path) -> None:
    """A wrong path is named, before any tool runs."""
    with pytest.raises(osrm_server.OsrmEngineError, match="no such OSM extract"):
        osrm_server.build(tmp_path / "nowhere.osm.pbf", tmp_path / "data")


def test_serving_an_unbuilt_dataset_says_to_build(tmp_path: Path) -> None:
    """serve() refuses a path without MLD data and tells what to run."""
    with pytest.raises(osrm_server.OsrmEngineError, match="ambulant osrm build"):
        osrm_server.serve(tmp_path / "region.osrm", port=0)


def test_the_data_version_fingerprints_extract_and_profile(tmp_path: Path) -> None:
    """Same bytes, same version; one changed byte in the extract, another version."""
    pbf, profile = tmp_path / "varnes.osm.pbf", tmp_path / "car.lua"
    pbf.write_bytes(b"osm")
    profile.write_text("-- profile")
    first = osrm_server.default_data_version(pbf, profile)
    assert first.startswith("varnes-") and first == osrm_server.default_data_version(pbf, profile)
    pbf.write_bytes(b"osm2")
    assert osrm_server.default_data_version(pbf, profile) != first
