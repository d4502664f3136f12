"""`ambulant bench careplans` times real runs: a day with nothing to do, weeks created, the same
weeks unchanged, each with its counts."""

from __future__ import annotations

import datetime as dt

import pytest

from ambulant.bench.careplans import format_careplans_bench, run_careplans_bench


@pytest.mark.slow
def test_the_bench_reports_three_runs_with_their_counts() -> None:
    """Two days, one repetition: the day is all unchanged, the first run over both days creates
    the second day's visits, and the run again finds every one unchanged."""
    day, weeks, again = run_careplans_bench(first_day=dt.date(2026, 12, 7), days=2, repeat=1)
    assert day.counts["created"] == 0 and day.counts["unchanged"] > 200
    assert weeks.counts["created"] > 200 and weeks.counts["unchanged"] == day.counts["unchanged"]
    assert again.counts["created"] == 0
    assert again.counts["unchanged"] == day.counts["unchanged"] + weeks.counts["created"]
    assert len(format_careplans_bench([day, weeks, again])) == 4
