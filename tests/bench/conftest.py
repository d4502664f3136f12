"""The bench tests read the public benchmark files (see data.py); without them they skip with a
loud reason, or fail when AMBULANT_REQUIRE_SERVICES=1."""

from __future__ import annotations

import os

import pytest

from tests.bench.data import BENCHMARKS, MANKOWSKA, SOLOMON


@pytest.fixture(autouse=True)
def _benchmark_files() -> None:
    if SOLOMON.is_dir() and MANKOWSKA.is_dir():
        return
    message = f"benchmark files not found under {BENCHMARKS} (the AMBULANT_BENCHMARKS_DIR setting)"
    if os.environ.get("AMBULANT_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(f"!!! SKIPPED: {message}")
