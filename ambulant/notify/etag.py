"""A schedule's ETag: a hash of what the staff member sees, so it changes exactly when that does.

The plan's id, version and publication time are left out: a new version that leaves someone's day
as it was must not make their phone download it again.
"""

from __future__ import annotations

import hashlib

from ambulant.planning.views import Schedule

NOT_CONTENT = {"plan_id", "plan_version", "published_at"}


def schedule_etag(schedule: Schedule) -> str:
    """A strong ETag (quoted, as HTTP wants it)."""
    content = schedule.model_dump_json(exclude=NOT_CONTENT)
    return '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: a list of tags or '*', compared weakly (W/ ignored)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags
