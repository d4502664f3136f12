"""The travel-time provider the settings ask for: geodesic or OSRM, cached and calibrated."""

from __future__ import annotations

from sqlalchemy import Engine

from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.travel.cache import CachedTravelTimes
from ambulant.travel.calibrated import CalibratedTravelTimes
from ambulant.travel.geodesic import GeodesicTravelTimes
from ambulant.travel.osrm import OsrmTravelTimes
from ambulant.travel.protocol import TravelTimes


def travel_times_from_settings(settings: Settings, *, engine: Engine | None = None) -> TravelTimes:
    """Geodesic, or OSRM with geodesic as its fallback and (given an engine) the leg cache;
    then calibration, when any is set for the provider."""
    geodesic = GeodesicTravelTimes(settings.travel_speed_kmh, settings.travel_circuity)
    provider: TravelTimes = geodesic
    if settings.travel_provider == "osrm":
        osrm = OsrmTravelTimes(
            settings.osrm_url,
            max_table_size=settings.osrm_max_table_size,
            timeout_s=settings.osrm_timeout_s,
            retries=settings.osrm_retries,
            fallback=geodesic,
            version_label=settings.osrm_version_label,
            max_snap_m=settings.osrm_max_snap_m,
            ferry_wait_s=settings.travel_ferry_wait_s,
        )
        provider = osrm
        if engine is not None and settings.travel_cache:
            provider = CachedTravelTimes(osrm, engine, fallback=geodesic)
    factor = settings.travel_speed_factors.get(provider.name, 1.0)
    if factor <= 0:
        raise InvalidInput(
            f"travel_speed_factors[{provider.name!r}] must be positive, not {factor}",
            field="travel_speed_factors",
        )
    if factor != 1.0 or settings.travel_leg_extra_s:
        provider = CalibratedTravelTimes(
            provider, speed_factor=factor, leg_extra_s=settings.travel_leg_extra_s
        )
    return provider
