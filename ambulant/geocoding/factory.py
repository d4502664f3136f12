"""The geocoder the settings ask for."""

from __future__ import annotations

from sqlalchemy import Engine

from ambulant.config import Settings
from ambulant.geocoding.kartverket import KartverketGeocoder
from ambulant.geocoding.local_register import LocalRegisterGeocoder
from ambulant.geocoding.nominatim import NominatimGeocoder
from ambulant.geocoding.protocol import Geocoder


def geocoder_from_settings(settings: Settings, *, engine: Engine) -> Geocoder:
    if settings.geocoder == "kartverket":
        return KartverketGeocoder(settings.kartverket_url, timeout_s=settings.geocoding_timeout_s)
    if settings.geocoder == "nominatim":
        return NominatimGeocoder(
            settings.nominatim_url,
            user_agent=settings.nominatim_user_agent,
            min_delay_s=settings.nominatim_min_delay_s,
            timeout_s=settings.geocoding_timeout_s,
        )
    return LocalRegisterGeocoder(engine)
