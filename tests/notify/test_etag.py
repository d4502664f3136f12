"""A schedule's ETag follows its content, not the plan version that carries it."""

from __future__ import annotations

import datetime as dt

from ambulant.notify.etag import etag_matches, schedule_etag
from ambulant.planning.views import Schedule, ScheduleStop

T = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _schedule(plan_id: int, start: dt.datetime) -> Schedule:
    stop = ScheduleStop(
        sequence=1,
        kind="visit",
        visit_id=7,
        arrival_at=start,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        travel_s=300,
        distance_m=4000,
    )
    return Schedule(
        staff_id=1,
        staff_name="Kari",
        date=T.date(),
        plan_id=plan_id,
        plan_version=plan_id,
        published_at=T,
        departure_at=T,
        return_at=T,
        travel_s=300,
        distance_m=4000,
        travel_estimated=False,
        stops=[stop],
    )


def test_a_new_version_with_the_same_day_keeps_the_etag() -> None:
    """Plan 1 and plan 2 give the same stops: same ETag; a moved stop: another ETag."""
    same = schedule_etag(_schedule(1, T)) == schedule_etag(_schedule(2, T))
    moved = schedule_etag(_schedule(1, T)) != schedule_etag(
        _schedule(2, T + dt.timedelta(minutes=5))
    )
    assert same and moved


def test_if_none_match_accepts_lists_weak_tags_and_star() -> None:
    """RFC 9110: any listed tag matches (weak prefix ignored), '*' matches anything."""
    tag = schedule_etag(_schedule(1, T))
    assert etag_matches(f'"x", W/{tag}', tag) and etag_matches("*", tag)
    assert not etag_matches('"x"', tag) and not etag_matches(None, tag)
