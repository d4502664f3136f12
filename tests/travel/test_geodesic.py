"""The zero-install travel-time default."""

from __future__ import annotations

import random
import statistics

import pytest
from geopy.distance import geodesic

from ambulant.travel import GeodesicTravelTimes, Point

STJORDAL = Point(63.468, 10.917)
MERAKER = Point(63.415, 11.746)
TYDAL = Point(63.043, 11.600)


def test_matrix_agrees_with_geopy_geodesic_within_half_a_percent() -> None:
    """The vectorised great-circle matrix stays within 0.5 % of geopy's exact geodesic."""
    rng = random.Random(1)
    points = [Point(62.9 + rng.random() * 0.7, 10.7 + rng.random() * 1.3) for _ in range(40)]
    provider = GeodesicTravelTimes(speed_kmh=60, circuity=1.0)
    matrix = provider.matrix(points)
    errors = []
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                exact = geodesic((a.lat, a.lon), (b.lat, b.lon)).meters
                errors.append(abs(matrix.distances_m[i][j] - exact) / exact)
    assert max(errors) < 0.005


def test_regional_times_are_plausible() -> None:
    """Stjørdal-Meråker is about 45 min by car; circuity 1.4 at 60 km/h comes close."""
    matrix = GeodesicTravelTimes(speed_kmh=60, circuity=1.4).matrix([STJORDAL, MERAKER, TYDAL])
    assert 35 * 60 <= matrix.durations_s[0][1] <= 60 * 60
    assert matrix.durations_s[0][0] == 0
    assert matrix.durations_s[0][1] == matrix.durations_s[1][0]
    assert matrix.estimated and matrix.provider == "geodesic"


def test_speed_and_circuity_scale_times() -> None:
    """Half the speed doubles the time; more circuity lengthens the road."""
    slow = GeodesicTravelTimes(speed_kmh=30, circuity=1.4).matrix([STJORDAL, TYDAL])
    fast = GeodesicTravelTimes(speed_kmh=60, circuity=1.4).matrix([STJORDAL, TYDAL])
    assert slow.durations_s[0][1] == pytest.approx(2 * fast.durations_s[0][1], abs=2)
    straight = GeodesicTravelTimes(speed_kmh=60, circuity=1.0).matrix([STJORDAL, TYDAL])
    assert fast.distances_m[0][1] == pytest.approx(1.4 * straight.distances_m[0][1], rel=1e-3)


def test_single_leg_uses_exact_geodesic() -> None:
    """leg_s matches the matrix entry to within a few seconds."""
    provider = GeodesicTravelTimes()
    matrix = provider.matrix([STJORDAL, TYDAL])
    assert (
        abs(provider.leg_s(STJORDAL, TYDAL) - matrix.durations_s[0][1])
        < 0.005 * statistics.fmean([matrix.durations_s[0][1], 1]) + 2
    )


def test_bad_settings_and_points_are_refused() -> None:
    """Speeds must be positive, circuity at least 1, coordinates inside the world."""
    with pytest.raises(ValueError, match="speed"):
        GeodesicTravelTimes(speed_kmh=0)
    with pytest.raises(ValueError, match="circuity"):
        GeodesicTravelTimes(circuity=0.9)
    with pytest.raises(ValueError, match="outside the world"):
        Point(91.0, 10.0)


def test_empty_matrix() -> None:
    """No points, no legs."""
    assert len(GeodesicTravelTimes().matrix([])) == 0
