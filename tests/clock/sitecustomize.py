"""Moves the clock of every Python process the tests start, by the offset the test run chose.

tests/conftest.py puts this folder on PYTHONPATH and sets AMBULANT_TEST_CLOCK_OFFSET_S when
AMBULANT_TEST_NOW moves the run's clock. Servers, `ambulant worker` processes and the spawned
solver processes then read the same moved wall clock as the test that started them, so a token
issued by the test is not expired for the server and "today" is the same day on both sides.
The monotonic clock is left alone: timeouts still measure real time.
"""

from __future__ import annotations

import os

_offset = os.environ.get("AMBULANT_TEST_CLOCK_OFFSET_S")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
