"""Calibration: speed factor and per-leg extra over a real provider's matrix."""

from __future__ import annotations

import pytest

from ambulant.travel import GeodesicTravelTimes, Point
from ambulant.travel.calibrated import CalibratedTravelTimes

STJORDAL = Point(63.468, 10.917)
MERAKER = Point(63.415, 11.746)
HEGRA = Point(63.465, 11.112)


def test_durations_are_scaled_and_extended_distances_kept() -> None:
    """Winter factor 0.8 divides durations (x 1.25) and 120 s is added to every leg."""
    points = [STJORDAL, MERAKER, HEGRA]
    raw = GeodesicTravelTimes().matrix(points)
    calibrated = CalibratedTravelTimes(GeodesicTravelTimes(), speed_factor=0.8, leg_extra_s=120)
    matrix = calibrated.matrix(points)
    for i in range(3):
        for j in range(3):
            expected = 0 if i == j else round(raw.durations_s[i][j] / 0.8) + 120
            assert matrix.durations_s[i][j] == expected
    assert matrix.distances_m == raw.distances_m
    assert matrix.provider == "geodesic" and matrix.estimated
    assert matrix.notes == ["durations calibrated: road speeds x 0.8, 120 s added per leg"]


def test_two_visits_at_one_place_get_no_extra() -> None:
    """The parking extra applies between places, not between two visits at the same address."""
    matrix = CalibratedTravelTimes(GeodesicTravelTimes(), leg_extra_s=300).matrix(
        [STJORDAL, STJORDAL, MERAKER]
    )
    assert matrix.durations_s[0][1] == matrix.durations_s[1][0] == 0
    assert matrix.durations_s[0][2] > 300


@pytest.mark.parametrize(("factor", "extra"), [(0.0, 0), (-1.0, 0), (1.0, -5)])
def test_nonsense_calibration_is_refused(factor: float, extra: int) -> None:
    """A speed factor must be positive and the extra non-negative."""
    with pytest.raises(ValueError, match=r"speed_factor|leg_extra_s"):
        CalibratedTravelTimes(GeodesicTravelTimes(), speed_factor=factor, leg_extra_s=extra)
