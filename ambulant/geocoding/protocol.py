"""The contract every geocoder fulfils, and how a list of candidates becomes one answer or an error.

InvalidInput (422, field="address")
└── AddressNotResolved       carries `candidates` (labels), perhaps empty
    ├── UnknownAddress       no match; candidates are near misses, if any
    └── AmbiguousAddress     matches in more than one place
AmbulantError
└── GeocoderUnavailable (503)  the service did not answer
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ambulant.errors import AmbulantError, InvalidInput

SAME_PLACE_M = 50.0
MAX_LISTED = 10


@dataclass(frozen=True)
class GeocodedAddress:
    label: str  # e.g. "Kirkegata 3B, 7500 STJØRDAL"
    lat: float
    lon: float
    source: str  # the geocoder's name
    postcode: str = ""
    municipality_code: str = ""
    # The street address alone ("Kirkegata 3B"), when the service tells it apart from the label.
    address_text: str = ""


class Geocoder(Protocol):
    name: str

    def geocode(self, address: str, *, municipality_code: str | None = None) -> GeocodedAddress:
        """One address to one point, or AddressNotResolved listing the candidates."""
        ...


class AddressNotResolved(InvalidInput):
    def __init__(self, message: str, candidates: Sequence[str]) -> None:
        self.candidates = list(candidates)
        listed = "; ".join(self.candidates[:MAX_LISTED])
        more = len(self.candidates) - MAX_LISTED
        if listed:
            message += f": {listed}" + (f" (and {more} more)" if more > 0 else "")
        super().__init__(message, field="address")


class UnknownAddress(AddressNotResolved):
    pass


class AmbiguousAddress(AddressNotResolved):
    pass


class GeocoderUnavailable(AmbulantError):
    status_code = 503


def normalise(text: str) -> str:
    """Case, punctuation and spacing folded: "Kirkegata 3 B," -> "kirkegata 3b"."""
    words = re.sub(r"[^\w]+", " ", text.casefold()).split()
    # A house letter written apart from its number ("3 B") joins it, as the register writes it.
    joined: list[str] = []
    for word in words:
        if joined and len(word) == 1 and word.isalpha() and joined[-1].isdigit():
            joined[-1] += word
        else:
            joined.append(word)
    return " ".join(joined)


def choose(query: str, candidates: Sequence[GeocodedAddress]) -> GeocodedAddress:
    """The one place the candidates agree on, else an error listing them.

    Candidates within 50 m of the first are one place (an address point and its building).
    Otherwise a single candidate whose street address is exactly the query's wins ("Storgata 1"
    over "Storgata 1A"); anything else is ambiguous.
    """
    if not candidates:
        raise UnknownAddress(f"no address matches {query!r}", [])
    first = candidates[0]
    if all(metres_between(first, c) <= SAME_PLACE_M for c in candidates):
        return first
    street = normalise(query.split(",")[0])
    exact = [c for c in candidates if c.address_text and normalise(c.address_text) == street]
    if len(exact) == 1:
        return exact[0]
    places = exact or list(candidates)
    raise AmbiguousAddress(
        f"{query!r} matches {len(places)} places; add the postcode or municipality",
        [c.label for c in places],
    )


def metres_between(a: GeocodedAddress, b: GeocodedAddress) -> float:
    """Equirectangular distance: exact enough to tell 50 m from a town away."""
    lat = math.radians((a.lat + b.lat) / 2)
    dx = math.radians(b.lon - a.lon) * math.cos(lat)
    dy = math.radians(b.lat - a.lat)
    return 6_371_008.8 * math.hypot(dx, dy)
