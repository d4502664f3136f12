"""OpenStreetMap's Nominatim through geopy, for a self-hosted instance or the public one.

The public instance's usage policy allows one request a second and asks for an identifying
user agent; geopy's RateLimiter keeps the pace. Requests go through httpx (a small geopy adapter)
so they share timeouts and can be tested with httpx.MockTransport. Addresses sent to a public
instance leave the system: prefer a self-hosted Nominatim or the local register for patients.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.exc import GeocoderParseError, GeopyError
from geopy.exc import GeocoderTimedOut as GeopyTimedOut
from geopy.exc import GeocoderUnavailable as GeopyUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from ambulant.geocoding.protocol import GeocodedAddress, GeocoderUnavailable, choose


class HttpxAdapter(BaseSyncAdapter):  # type: ignore[misc]
    """geopy's transport over an httpx.Client."""

    def __init__(self, client: httpx.Client, *, proxies: Any = None, ssl_context: Any = None):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.client = client

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            return json.loads(text)
        except ValueError as error:
            raise GeocoderParseError(f"not JSON: {text[:200]}") from error

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        try:
            response = self.client.get(url, timeout=timeout, headers=headers)
        except httpx.TimeoutException as error:
            raise GeopyTimedOut("Service timed out") from error
        except httpx.TransportError as error:
            raise GeopyUnavailable(f"Service not available ({type(error).__name__})") from error
        if response.status_code >= 400:
            raise AdapterHTTPError(
                f"Non-successful status code {response.status_code}",
                status_code=response.status_code,
                headers=dict(response.headers),
                text=response.text,
            )
        return response.text


class NominatimGeocoder:
    name = "nominatim"

    def __init__(
        self,
        base_url: str = "https://nominatim.openstreetmap.org",
        *,
        user_agent: str = "ambulant",
        min_delay_s: float = 1.0,
        timeout_s: float = 10.0,
        country_codes: str = "no",
        max_hits: int = 5,
        client: httpx.Client | None = None,
    ) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        self._owns_client = client is None
        self.client = client or httpx.Client()
        self._nominatim = Nominatim(
            user_agent=user_agent,
            scheme=parts.scheme or "https",
            domain=parts.netloc + parts.path,  # a self-hosted instance may live under a path
            timeout=timeout_s,
            adapter_factory=lambda proxies, ssl_context: HttpxAdapter(
                self.client, proxies=proxies, ssl_context=ssl_context
            ),
        )
        self._search = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_s,
            max_retries=0,
            swallow_exceptions=False,
        )
        self.country_codes = country_codes
        self.max_hits = max_hits

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def geocode(self, address: str, *, municipality_code: str | None = None) -> GeocodedAddress:
        # Nominatim knows no municipality numbers; the code does not narrow the search.
        try:
            found = self._search(
                address,
                exactly_one=False,
                limit=self.max_hits,
                country_codes=self.country_codes,
                addressdetails=True,
            )
        except GeopyError as error:
            raise GeocoderUnavailable(
                f"Nominatim did not answer ({type(error).__name__}: {error})"
            ) from error
        return choose(address, [_candidate(location.raw) for location in found or []])


def _candidate(raw: dict[str, Any]) -> GeocodedAddress:
    parts = raw.get("address", {})
    street = " ".join(p for p in (parts.get("road", ""), parts.get("house_number", "")) if p)
    return GeocodedAddress(
        label=raw.get("display_name", street),
        lat=float(raw["lat"]),
        lon=float(raw["lon"]),
        source="nominatim",
        postcode=parts.get("postcode", ""),
        address_text=street,
    )
