"""`ambulant bench careplans`: how long generation from care plans takes on the Værnes demo.

Three runs matter: the one every plan request now makes first (one day, everything already
generated: nothing to do but compare), the first run over weeks ahead (every visit created), and
the same weeks again (all unchanged). Each is timed `repeat` times on a fresh seeded database
in a temporary directory (SQLite, as `make run`); a run that creates is rolled back after it is
timed, so every repetition does the same work. Times are medians in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.db import create_all, make_engine
from ambulant.demo.generator import seed_region
from ambulant.registry.care_plan_generation import Generation, generate
from ambulant.timeutil import day_origin


@dataclass(frozen=True)
class GenerationTiming:
    name: str
    days: int
    counts: dict[str, int]
    times_ms: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)


def run_careplans_bench(*, first_day: dt.date, days: int, repeat: int) -> list[GenerationTiming]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            create_all(engine)
            with Session(engine) as session:
                seed_region(session, day=first_day, days=1)
                session.commit()
            last = first_day + dt.timedelta(days=days - 1)
            at = day_origin(first_day)

            def one_day(session: Session) -> Generation:
                return generate(session, first=first_day, last=first_day, at=at)

            def weeks(session: Session) -> Generation:
                return generate(session, first=first_day, last=last, at=at)

            timings = [
                _timed("a plan request's day (nothing to do)", 1, one_day, engine, repeat),
                _timed("weeks ahead, first run", days, weeks, engine, repeat, keep=False),
            ]
            with Session(engine) as session:
                weeks(session)
                session.commit()
            timings.append(_timed("the same weeks again", days, weeks, engine, repeat))
            return timings
        finally:
            engine.dispose()


def _timed(
    name: str,
    days: int,
    run: Callable[[Session], Generation],
    engine: Engine,
    repeat: int,
    *,
    keep: bool = True,
) -> GenerationTiming:
    times: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(repeat):
        with Session(engine) as session:
            start = time.perf_counter()
            result = run(session)
            times.append((time.perf_counter() - start) * 1000)
            counts = result.counts().model_dump()
            if keep:
                session.commit()
            else:
                session.rollback()
    return GenerationTiming(name=name, days=days, counts=counts, times_ms=times)


def format_careplans_bench(timings: list[GenerationTiming]) -> list[str]:
    lines = ["run | days | created | unchanged | median ms | runs"]
    for t in timings:
        lines.append(
            f"{t.name} | {t.days} | {t.counts['created']} | {t.counts['unchanged']} | "
            f"{t.median_ms:.0f} | {len(t.times_ms)}"
        )
    return lines
