"""The contract every travel-time provider fulfils."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"coordinates outside the world: ({self.lat}, {self.lon})")


@dataclass(frozen=True)
class TravelMatrix:
    """durations_s[i][j] and distances_m[i][j]: from point i to point j, whole seconds and metres.

    `provider` names what made it; `estimated` is true when any leg is a straight-line estimate
    rather than a road engine's answer, so a coordinator can see the plan rests on guesses.
    """

    durations_s: list[list[int]]
    distances_m: list[list[int]]
    provider: str
    estimated: bool = False
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.durations_s)


class TravelTimes(Protocol):
    """Gives the full matrix for a list of points; the diagonal is zero."""

    name: str

    def matrix(self, points: Sequence[Point]) -> TravelMatrix: ...
