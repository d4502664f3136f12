"""Choosing the travel-time provider from settings, down to a real OSRM answer."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.travel import GeodesicTravelTimes, osrm_server
from ambulant.travel.cache import CachedTravelTimes
from ambulant.travel.calibrated import CalibratedTravelTimes
from ambulant.travel.factory import travel_times_from_settings
from ambulant.travel.osrm import OsrmTravelTimes
from tests.travel.conftest import HELSINKI, MakeOsrm


def settings(**overrides: object) -> Settings:
    return Settings.model_validate({"travel_provider": "osrm", **overrides})


def test_the_default_is_the_zero_install_geodesic() -> None:
    """Without settings the provider is geodesic with the configured speed and circuity."""
    provider = travel_times_from_settings(Settings(travel_speed_kmh=50, travel_circuity=1.5))
    assert isinstance(provider, GeodesicTravelTimes)
    assert (provider.speed_kmh, provider.circuity) == (50, 1.5)


def test_osrm_settings_reach_the_provider() -> None:
    """Without an engine OSRM is used directly, with every OSRM setting passed on."""
    provider = travel_times_from_settings(
        settings(
            osrm_url="http://osrm:5000/",
            osrm_max_table_size=250,
            osrm_retries=4,
            osrm_timeout_s=3,
            travel_ferry_wait_s=900,
        )
    )
    assert isinstance(provider, OsrmTravelTimes)
    assert provider.base_url == "http://osrm:5000"
    assert (provider.max_table_size, provider.retries, provider.timeout_s) == (250, 4, 3)
    assert provider.ferry_wait_s == 900
    assert isinstance(provider.fallback, GeodesicTravelTimes)
    provider.close()


def test_with_an_engine_osrm_is_cached_and_then_calibrated(engine: Engine) -> None:
    """Cache inside, calibration outside, so cached legs stay the engine's raw answers."""
    provider = travel_times_from_settings(
        settings(travel_speed_factors={"osrm": 0.8}, travel_leg_extra_s=60), engine=engine
    )
    assert isinstance(provider, CalibratedTravelTimes)
    assert isinstance(provider.inner, CachedTravelTimes)
    assert isinstance(provider.inner.inner, OsrmTravelTimes)
    provider.close()
    uncached = travel_times_from_settings(settings(travel_cache=False), engine=engine)
    assert isinstance(uncached, OsrmTravelTimes)
    uncached.close()


def test_a_factor_for_another_provider_does_not_apply() -> None:
    """travel_speed_factors is per provider: a factor for osrm leaves geodesic alone."""
    provider = travel_times_from_settings(
        Settings(travel_provider="geodesic", travel_speed_factors={"osrm": 0.8})
    )
    assert isinstance(provider, GeodesicTravelTimes)


def test_a_nonpositive_factor_names_the_setting() -> None:
    """A zero speed factor is refused with the setting's name."""
    with pytest.raises(InvalidInput) as caught:
        travel_times_from_settings(Settings(travel_speed_factors={"geodesic": 0}))
    assert caught.value.field == "travel_speed_factors"


def test_calibrated_osrm_end_to_end(
    engine: Engine, helsinki_osrm: osrm_server.OsrmServer, make_osrm: MakeOsrm
) -> None:
    """Factor 0.5 doubles OSRM's durations, then 60 s per leg is added."""
    provider = travel_times_from_settings(
        settings(
            osrm_url=helsinki_osrm.url,
            travel_speed_factors={"osrm": 0.5},
            travel_leg_extra_s=60,
        ),
        engine=engine,
    )
    assert isinstance(provider, CalibratedTravelTimes)
    try:
        matrix = provider.matrix(HELSINKI)
    finally:
        provider.close()
    raw = make_osrm(helsinki_osrm.url).matrix(HELSINKI)
    n = len(HELSINKI)
    assert matrix.durations_s == [
        [0 if i == j else raw.durations_s[i][j] * 2 + 60 for j in range(n)] for i in range(n)
    ]
    assert matrix.provider == "osrm" and not matrix.estimated
