"""Addresses to coordinates, behind one protocol; the local register keeps patients' data here."""

from ambulant.geocoding.protocol import (
    AddressNotResolved,
    AmbiguousAddress,
    GeocodedAddress,
    Geocoder,
    GeocoderUnavailable,
    UnknownAddress,
)

__all__ = [
    "AddressNotResolved",
    "AmbiguousAddress",
    "GeocodedAddress",
    "Geocoder",
    "GeocoderUnavailable",
    "UnknownAddress",
]
