"""One task of the compiled problem: a part of a visit, for one staff member (see solver.tasks).

Kept apart from the index of tasks because route timing (solver.schedule) reads tasks, and the
index uses route timing to lay out the fixed appointments.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Task:
    """Part `part` of visit `visit` (indices), and the staff (indices) who may do it.

    Soft timing, in cost units: each (deadline, weight) in `late_costs` costs `weight` per second
    of start after `deadline` (tardiness, or a replanned visit moving later than its tolerance);
    `tardy_after` is the soft latest start whose excess counts towards the maximum tardiness;
    `target_s` is the start a replanned visit had, which the final timing waits for when it can
    (moving earlier costs only beyond the tolerance, see the objective). `off_duty` marks the
    fixed task that is time off between two shifts (see solver.tasks)."""

    index: int
    visit: int
    part: int
    location: int
    duration_s: int
    earliest_s: int
    latest_s: int
    eligible: frozenset[int]
    demand: int = 0
    late_costs: tuple[tuple[int, int], ...] = ()
    tardy_after: int | None = None
    target_s: int | None = None
    off_duty: bool = False

    def late_cost(self, start: int) -> int:
        total = 0
        for deadline, weight in self.late_costs:
            if start > deadline:
                total += weight * (start - deadline)
        return total

    @property
    def soft_deadline(self) -> int | None:
        """The earliest soft deadline: starting later than this costs something."""
        return min(d for d, _ in self.late_costs) if self.late_costs else None
