"""Kartverket's address API client.

ws.geonorge.no cannot be reached from the test machines, so the service is replaced by
httpx.MockTransport answering with payloads shaped like the real /adresser/v1/sok responses.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ambulant.geocoding import AmbiguousAddress, GeocoderUnavailable, UnknownAddress
from ambulant.geocoding.kartverket import KartverketGeocoder


def hit(
    text: str, postcode: str, town: str, municipality: str, lat: float, lon: float
) -> dict[str, Any]:
    return {
        "adressenavn": text.rsplit(" ", 1)[0],
        "adressetekst": text,
        "adressetilleggsnavn": None,
        "adressekode": 1234,
        "nummer": 3,
        "bokstav": "",
        "kommunenummer": municipality,
        "kommunenavn": town,
        "gardsnummer": 12,
        "bruksnummer": 3,
        "festenummer": 0,
        "undernummer": None,
        "bruksenhetsnummer": ["H0101"],
        "objtype": "Vegadresse",
        "poststed": town,
        "postnummer": postcode,
        "adressetekstutenadressetilleggsnavn": text,
        "stedfestingverifisert": True,
        "representasjonspunkt": {"epsg": "EPSG:4258", "lat": lat, "lon": lon},
        "oppdateringsdato": "2026-01-05T10:11:12",
    }


def answer(*hits: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {
            "totaltAntallTreff": len(hits),
            "asciiKompatibel": True,
            "viserFra": 0,
            "sokeStreng": "sok=...",
            "side": 0,
            "treffPerSide": 10,
            "viserTil": len(hits),
        },
        "adresser": list(hits),
    }


def geocoder(handler: Any) -> tuple[KartverketGeocoder, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        result: httpx.Response = handler(request)
        return result

    client = httpx.Client(transport=httpx.MockTransport(record))
    return KartverketGeocoder(client=client), seen


KIRKEGATA = hit("Kirkegata 3B", "7500", "STJØRDAL", "5035", 63.46912, 10.91703)


def test_one_hit_is_the_answer_and_the_query_is_well_formed() -> None:
    """The request carries sok, the municipality, lat/lon output; the hit's point comes back."""
    kartverket, seen = geocoder(lambda _: httpx.Response(200, json=answer(KIRKEGATA)))
    found = kartverket.geocode("Kirkegata 3B", municipality_code="5035")
    assert (found.lat, found.lon, found.label) == (
        63.46912,
        10.91703,
        "Kirkegata 3B, 7500 STJØRDAL",
    )
    assert found.source == "kartverket" and found.municipality_code == "5035"
    (request,) = seen
    assert request.url.path == "/adresser/v1/sok"
    assert dict(request.url.params) == {
        "sok": "Kirkegata 3B",
        "treffPerSide": "10",
        "utkoordsys": "4258",
        "kommunenummer": "5035",
    }
    kartverket.client.close()


def test_an_exact_street_address_beats_its_lettered_neighbours() -> None:
    """ "Storgata 1" among Storgata 1, 1A and 1B (each 100 m apart) is Storgata 1."""
    hits = [
        hit("Storgata 1A", "7500", "STJØRDAL", "5035", 63.4680, 10.9140),
        hit("Storgata 1", "7500", "STJØRDAL", "5035", 63.4690, 10.9140),
        hit("Storgata 1B", "7500", "STJØRDAL", "5035", 63.4700, 10.9140),
    ]
    kartverket, _ = geocoder(lambda _: httpx.Response(200, json=answer(*hits)))
    assert kartverket.geocode("Storgata 1").lat == 63.4690
    kartverket.client.close()


def test_the_same_address_in_two_municipalities_is_ambiguous() -> None:
    """Two exact hits far apart: the error lists both with postcode and town."""
    hits = [
        hit("Storgata 1", "7500", "STJØRDAL", "5035", 63.468, 10.914),
        hit("Storgata 1", "0155", "OSLO", "0301", 59.913, 10.752),
    ]
    kartverket, _ = geocoder(lambda _: httpx.Response(200, json=answer(*hits)))
    with pytest.raises(AmbiguousAddress) as caught:
        kartverket.geocode("Storgata 1")
    assert caught.value.candidates == ["Storgata 1, 7500 STJØRDAL", "Storgata 1, 0155 OSLO"]
    assert caught.value.field == "address"
    kartverket.client.close()


def test_no_hits_is_an_unknown_address() -> None:
    """An empty `adresser` list is an UnknownAddress."""
    kartverket, _ = geocoder(lambda _: httpx.Response(200, json=answer()))
    with pytest.raises(UnknownAddress):
        kartverket.geocode("Nowhere Road 1")
    kartverket.client.close()


def test_a_server_error_is_unavailability_not_bad_input() -> None:
    """A 500 from the API is GeocoderUnavailable (503), not the user's fault."""
    kartverket, _ = geocoder(lambda _: httpx.Response(500, text="Internal Server Error"))
    with pytest.raises(GeocoderUnavailable) as caught:
        kartverket.geocode("Kirkegata 3B")
    assert caught.value.status_code == 503
    kartverket.client.close()
