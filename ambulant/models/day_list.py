"""A JSON column of calendar days (a care plan's exception days), stored as ISO strings so the
same JSON reads back on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class DayList(TypeDecorator[list[dt.date]]):
    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[str] | None:
        if value is None:
            return None
        return [d if isinstance(d, str) else d.isoformat() for d in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[dt.date] | None:
        if value is None:
            return None
        return [dt.date.fromisoformat(d) for d in value]
