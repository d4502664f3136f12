"""The ranges of numbers the API takes, in one place.

Every id lives in a PostgreSQL `integer` column, so an id past 2^31-1 names nothing; passed on,
it overflows the driver (SQLite's and psycopg's alike) instead of finding no row. Checking it at
the edge turns that into a 422 naming the field. Dates have theirs in `ambulant.timeutil`
(`check_day`, used by the `Day`, `WallClock` and `Instant` types).
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le
from sqlmodel._compat import SQLModelConfig

MAX_ID = 2**31 - 1  # PostgreSQL integer
# A list never holds more rows than there are ids, so no offset past them finds anything.
MAX_OFFSET = MAX_ID
# Page size: large enough for a day's visits of a municipality, small enough for one response.
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
# A dependent visit follows the other on the same day, and no day is longer than 25 hours.
MAX_LAG_MINUTES = 25 * 60

# An id, or a reference to one, that a client sends.
Id = Annotated[int, Ge(1), Le(MAX_ID)]

# What clients send: a field the API does not know is a typing error (or a client written for
# another version), refused with a 422 naming it rather than dropped without a word. Not for
# tables or answers, which are read back from rows that may carry more.
# SQLModel types its config as a ConfigDict with more keys, so this one fits both kinds.
FORBID_EXTRA = SQLModelConfig(extra="forbid")
