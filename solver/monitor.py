"""Watching a search while it runs: how far it has got, and whether to stop it.

The search calls `Monitor.check` between iterations. The monitor is throttled on the clock, so
the caller's callbacks (which may write to a database) run at most once per interval however
fast the search iterates: `on_progress` every `progress_every_s`, `should_stop` every
`stop_check_every_s`. A callback that raises is logged and ignored: watching must never break
the search it watches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """The best plan so far: its cost (the search's own, lower is better), how many of the
    visits it places, and how many iterations the search has made in how many seconds."""

    best_cost: int
    visits_placed: int
    visits_total: int
    iterations: int
    elapsed_s: float


class Monitor:
    def __init__(
        self,
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        *,
        progress_every_s: float = 1.0,
        stop_check_every_s: float = 0.25,
    ) -> None:
        self._on_progress = on_progress
        self._should_stop = should_stop
        self._progress_every_s = progress_every_s
        self._stop_check_every_s = stop_check_every_s
        self._next_progress = 0.0  # the first check reports at once
        self._next_stop_check = 0.0
        self.stopped = False
        """True once `should_stop` said yes: the search ends early with the best plan so far."""

    def check(self, progress: Callable[[], Progress]) -> bool:
        """True when the search should stop now. `progress` is called only when a report is due
        (counting the placed visits is not free)."""
        if self.stopped:
            return True
        clock = time.monotonic()
        if self._on_progress is not None and clock >= self._next_progress:
            self._next_progress = clock + self._progress_every_s
            self._call(self._on_progress, progress())
        return self.stop_requested()

    def stop_requested(self) -> bool:
        """`check` without a progress report (a phase of the search with nothing new to say)."""
        if self.stopped:
            return True
        clock = time.monotonic()
        if self._should_stop is not None and clock >= self._next_stop_check:
            self._next_stop_check = clock + self._stop_check_every_s
            if self._call(self._should_stop) is True:
                self.stopped = True
                log.info("search stopped on request")
        return self.stopped

    def report(self, progress: Progress) -> None:
        """A report that is due whatever the clock says (the search's final best plan)."""
        if self._on_progress is not None:
            self._call(self._on_progress, progress)

    @staticmethod
    def _call(callback: Callable[..., object], *args: object) -> object:
        try:
            return callback(*args)
        except Exception:
            log.exception("a search monitor's callback failed; the search goes on")
            return None
