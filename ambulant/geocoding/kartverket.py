"""Kartverket's address API (https://ws.geonorge.no/adresser/v1/sok): Norway's official register.

Sends the address to Kartverket, a public agency, so use it for staff bases and places, or where
the data processing agreement allows; patients' addresses default to the local register.
"""

from __future__ import annotations

from typing import Any

import httpx

from ambulant.geocoding.protocol import GeocodedAddress, GeocoderUnavailable, choose


class KartverketGeocoder:
    name = "kartverket"

    def __init__(
        self,
        base_url: str = "https://ws.geonorge.no/adresser/v1",
        *,
        client: httpx.Client | None = None,
        timeout_s: float = 10.0,
        max_hits: int = 10,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self.client = client or httpx.Client()
        self.timeout_s = timeout_s
        self.max_hits = max_hits

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def geocode(self, address: str, *, municipality_code: str | None = None) -> GeocodedAddress:
        params: dict[str, str | int] = {
            "sok": address,
            "treffPerSide": self.max_hits,
            "utkoordsys": 4258,  # ETRS89 lat/lon: WGS84 within a metre
        }
        if municipality_code:
            params["kommunenummer"] = municipality_code
        try:
            response = self.client.get(
                f"{self.base_url}/sok", params=params, timeout=self.timeout_s
            )
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise GeocoderUnavailable(
                f"Kartverket's address API did not answer ({type(error).__name__})"
            ) from error
        return choose(address, [_candidate(hit) for hit in body.get("adresser", [])])


def _candidate(hit: dict[str, Any]) -> GeocodedAddress:
    point = hit["representasjonspunkt"]
    text = hit.get("adressetekst", "")
    return GeocodedAddress(
        label=f"{text}, {hit.get('postnummer', '')} {hit.get('poststed', '')}".strip(", "),
        lat=float(point["lat"]),
        lon=float(point["lon"]),
        source="kartverket",
        postcode=hit.get("postnummer", ""),
        municipality_code=hit.get("kommunenummer", ""),
        address_text=text,
    )
