"""Nominatim through geopy, over httpx.

No Nominatim instance can be reached from the test machines, so the service is replaced by
httpx.MockTransport answering with payloads shaped like Nominatim's /search?format=json.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from ambulant.geocoding import AmbiguousAddress, GeocoderUnavailable, UnknownAddress
from ambulant.geocoding.nominatim import NominatimGeocoder


def place(road: str, number: str, town: str, postcode: str, lat: str, lon: str) -> dict[str, Any]:
    return {
        "place_id": 128374651,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "node",
        "osm_id": 3482910321,
        "lat": lat,
        "lon": lon,
        "class": "place",
        "type": "house",
        "place_rank": 30,
        "importance": 9.99999999995449e-06,
        "addresstype": "place",
        "name": "",
        "display_name": f"{number}, {road}, {town}, Trøndelag, {postcode}, Norge",
        "address": {
            "house_number": number,
            "road": road,
            "town": town,
            "county": "Trøndelag",
            "ISO3166-2-lvl4": "NO-50",
            "postcode": postcode,
            "country": "Norge",
            "country_code": "no",
        },
        "boundingbox": [lat, lat, lon, lon],
    }


def nominatim(
    handler: Any, *, base_url: str = "https://nominatim.example.org", min_delay_s: float = 0.0
) -> tuple[NominatimGeocoder, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        result: httpx.Response = handler(request)
        return result

    client = httpx.Client(transport=httpx.MockTransport(record))
    geocoder = NominatimGeocoder(
        base_url, user_agent="ambulant-test", min_delay_s=min_delay_s, client=client
    )
    return geocoder, seen


KIRKEGATA = place("Kirkegata", "3B", "Stjørdalshalsen", "7500", "63.4691200", "10.9170300")


def test_a_self_hosted_instance_under_a_path_is_asked_properly() -> None:
    """The base URL's path is kept; the query asks for JSON, Norway, address details."""
    geocoder, seen = nominatim(
        lambda _: httpx.Response(200, json=[KIRKEGATA]),
        base_url="http://10.0.0.5:8080/nominatim/",
    )
    found = geocoder.geocode("Kirkegata 3B, Stjørdal")
    assert (found.lat, found.lon) == (63.46912, 10.91703)
    assert found.postcode == "7500" and found.source == "nominatim"
    (request,) = seen
    assert str(request.url).startswith("http://10.0.0.5:8080/nominatim/search?")
    params = dict(request.url.params)
    assert params["q"] == "Kirkegata 3B, Stjørdal"
    assert params["format"] == "json" and params["countrycodes"] == "no"
    assert params["addressdetails"] == "1" and params["limit"] == "5"
    assert request.headers["user-agent"] == "ambulant-test"
    geocoder.client.close()


def test_requests_are_spaced_by_the_rate_limit() -> None:
    """With min_delay_s 0.3 two look-ups take at least 0.3 s (the public policy is 1 a second)."""
    geocoder, seen = nominatim(lambda _: httpx.Response(200, json=[KIRKEGATA]), min_delay_s=0.3)
    started = time.monotonic()
    geocoder.geocode("Kirkegata 3B")
    geocoder.geocode("Kirkegata 3B")
    assert time.monotonic() - started >= 0.3
    assert len(seen) == 2
    geocoder.client.close()


def test_places_far_apart_are_ambiguous_and_listed() -> None:
    """Two towns' Storgata 1: AmbiguousAddress with both display names."""
    places = [
        place("Storgata", "1", "Stjørdalshalsen", "7500", "63.468", "10.914"),
        place("Storgata", "1", "Meråker", "7530", "63.415", "11.746"),
    ]
    geocoder, _ = nominatim(lambda _: httpx.Response(200, json=places))
    with pytest.raises(AmbiguousAddress) as caught:
        geocoder.geocode("Storgata 1")
    assert len(caught.value.candidates) == 2
    assert "Meråker" in caught.value.candidates[1]
    geocoder.client.close()


def test_nothing_found_is_unknown() -> None:
    """Nominatim's empty list is an UnknownAddress."""
    geocoder, _ = nominatim(lambda _: httpx.Response(200, json=[]))
    with pytest.raises(UnknownAddress):
        geocoder.geocode("Nowhere Road 1")
    geocoder.client.close()


def test_a_refusal_is_unavailability() -> None:
    """A 429 (rate limit exceeded) or 503 surfaces as GeocoderUnavailable, not swallowed."""
    geocoder, _ = nominatim(lambda _: httpx.Response(503, text="Service Unavailable"))
    with pytest.raises(GeocoderUnavailable):
        geocoder.geocode("Kirkegata 3B")
    geocoder.client.close()
