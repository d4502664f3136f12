"""Choosing among candidates, normalising addresses, and UTM to lat/lon."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ambulant.geocoding import AmbiguousAddress, GeocodedAddress, UnknownAddress
from ambulant.geocoding.protocol import choose, normalise
from ambulant.geocoding.utm import K0, A, F, utm_to_latlon


def at(label: str, lat: float, lon: float, text: str = "") -> GeocodedAddress:
    return GeocodedAddress(label=label, lat=lat, lon=lon, source="test", address_text=text)


def test_candidates_within_fifty_metres_are_one_place() -> None:
    """An address point and its building 30 m away: the first candidate is the answer."""
    first = at("Kirkegata 3B", 63.46912, 10.91703)
    assert choose("Kirkegata 3B", [first, at("building", 63.46939, 10.91703)]) is first


def test_more_than_ten_candidates_are_summarised() -> None:
    """The message lists ten and counts the rest; `candidates` keeps them all."""
    many = [at(f"Storgata 1, {i}", 60 + i, 10) for i in range(12)]
    with pytest.raises(AmbiguousAddress) as caught:
        choose("Storgata 1", many)
    assert len(caught.value.candidates) == 12
    assert caught.value.message.endswith("(and 2 more)")


def test_no_candidates_is_unknown() -> None:
    """An empty list is an UnknownAddress naming the query."""
    with pytest.raises(UnknownAddress, match="Nowhere 1"):
        choose("Nowhere 1", [])


def test_normalise_folds_case_punctuation_and_letters() -> None:
    """Spelling variants of one address fold to one key."""
    assert normalise("Kirkegata 3 B,") == normalise(" kirkegata  3b") == "kirkegata 3b"
    assert normalise("Øvre Ålgårdsveg 12") == "øvre ålgårdsveg 12"


def meridian_arc_m(lat_deg: float) -> float:
    """The meridian's length from the equator, by integrating its radius of curvature."""
    e2 = F * (2 - F)
    phi = np.linspace(0.0, math.radians(lat_deg), 200_001)
    radius = A * (1 - e2) / (1 - e2 * np.sin(phi) ** 2) ** 1.5
    return float(np.trapezoid(radius, phi))


@pytest.mark.parametrize("lat", [58.0, 63.4, 70.9])
def test_on_the_central_meridian_northing_is_the_scaled_meridian_arc(lat: float) -> None:
    """At easting 500 000 the point lies on the zone's meridian at the arc's latitude."""
    got_lat, got_lon = utm_to_latlon(500_000.0, K0 * meridian_arc_m(lat), 33)
    assert got_lon == pytest.approx(15.0, abs=1e-12)
    assert got_lat == pytest.approx(lat, abs=1e-8)  # about a millimetre


def test_eastings_mirror_about_the_central_meridian() -> None:
    """Equal offsets east and west give the same latitude and mirrored longitudes."""
    east = utm_to_latlon(600_000.0, 7_000_000.0, 33)
    west = utm_to_latlon(400_000.0, 7_000_000.0, 33)
    assert east[0] == pytest.approx(west[0], abs=1e-12)
    assert east[1] - 15 == pytest.approx(15 - west[1], abs=1e-12)
    assert utm_to_latlon(500_000.0, 7_000_000.0, 32)[1] == pytest.approx(9.0)
