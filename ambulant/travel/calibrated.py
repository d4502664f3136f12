"""Calibration of a provider's durations to how the teams really drive.

Road engines are optimistic on narrow rural roads and in winter, and a leg does not end at the
kerb: the car is parked and the door found. So durations are divided by a speed factor (0.8 =
roads 20 % slower than the engine thinks) and a fixed extra is added to every leg between two
different places (not between two visits at one address, nor on the diagonal).

The ferry wait is not applied here: it changes which route is fastest (a long wait makes the road
round the fjord quicker), which only the engine can judge, so OsrmTravelTimes takes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ambulant.travel.protocol import Point, TravelMatrix, TravelTimes


class CalibratedTravelTimes:
    def __init__(self, inner: TravelTimes, *, speed_factor: float = 1.0, leg_extra_s: int = 0):
        if speed_factor <= 0:
            raise ValueError("speed_factor must be positive")
        if leg_extra_s < 0:
            raise ValueError("leg_extra_s must be >= 0")
        self.inner = inner
        self.name = inner.name
        self.speed_factor = speed_factor
        self.leg_extra_s = leg_extra_s

    def close(self) -> None:
        """Closes the wrapped provider's connections, if it holds any."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        raw = self.inner.matrix(points)
        durations = [
            [
                0 if a == b else round(seconds / self.speed_factor) + self.leg_extra_s
                for b, seconds in zip(points, row, strict=True)
            ]
            for a, row in zip(points, raw.durations_s, strict=True)
        ]
        note = (
            f"durations calibrated: road speeds x {self.speed_factor:g}, "
            f"{self.leg_extra_s} s added per leg"
        )
        return TravelMatrix(
            durations_s=durations,
            distances_m=raw.distances_m,
            provider=raw.provider,
            estimated=raw.estimated,
            notes=[*raw.notes, note],
        )
