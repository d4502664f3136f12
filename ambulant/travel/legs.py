"""Rectangular tables of legs, for providers that can answer sources x destinations.

A road engine answers more than a square matrix: any sources x destinations block, with a version
for the data it routed on and a flag per leg when that leg is only an estimate. The cache needs
all three, so it stores what the engine knew and never a fallback's guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ambulant.travel.protocol import Point, TravelMatrix, TravelTimes


@dataclass(frozen=True)
class LegTable:
    """durations_s[i][j] from sources[i] to destinations[j]; estimated[i][j] marks a guess."""

    durations_s: list[list[int]]
    distances_m: list[list[int]]
    estimated: list[list[bool]]
    data_version: str
    notes: list[str] = field(default_factory=list)
    # Legs the engine answered as having no road (or a point far from every road): a fact of the
    # data version, cacheable, unlike a leg estimated because the engine did not answer.
    unroutable: set[tuple[int, int]] = field(default_factory=set)

    def any_estimated(self) -> bool:
        return any(any(row) for row in self.estimated)


class RoadTravelTimes(TravelTimes, Protocol):
    """A provider with versioned data that can answer rectangular blocks."""

    def data_version(self) -> str:
        """Identifies the road data; legs cached under another version are stale."""
        ...

    def legs(self, sources: Sequence[Point], destinations: Sequence[Point]) -> LegTable: ...


def as_matrix(table: LegTable, provider: str) -> TravelMatrix:
    """A square LegTable (same points as sources and destinations) as a TravelMatrix."""
    durations = [list(row) for row in table.durations_s]
    distances = [list(row) for row in table.distances_m]
    for i in range(len(durations)):
        durations[i][i] = 0
        distances[i][i] = 0
    return TravelMatrix(
        durations_s=durations,
        distances_m=distances,
        provider=provider,
        estimated=table.any_estimated(),
        notes=list(table.notes),
    )
