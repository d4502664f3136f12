"""The job queue contract: plans are solved out of the API's process."""

from __future__ import annotations

from typing import Protocol


class JobQueue(Protocol):
    def submit(self, plan_id: int) -> None:
        """Solve plan `plan_id` (already committed as queued) some time soon."""

    def cancel(self, plan_id: int) -> bool:
        """Take plan `plan_id`'s job off the queue if it has not started; True if it was taken
        off. (A job that has started stops by itself: its worker sees the plan cancelled.)"""

    def shutdown(self) -> None:
        """Stop taking jobs; let running ones finish or be abandoned (they are retried)."""
