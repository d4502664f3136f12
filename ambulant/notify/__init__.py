"""Telling people what changed: events to the clients listening (server-sent events), and ETags
that change exactly when a staff member's schedule does."""

from ambulant.notify.broadcaster import (
    Broadcaster,
    LocalBroadcaster,
    RedisBroadcaster,
    Subscription,
    announce,
    get_broadcaster,
    shutdown_broadcasters,
)
from ambulant.notify.etag import schedule_etag
from ambulant.notify.events import Event, plan_published_events, visible_to, visit_status_event

__all__ = [
    "Broadcaster",
    "Event",
    "LocalBroadcaster",
    "RedisBroadcaster",
    "Subscription",
    "announce",
    "get_broadcaster",
    "plan_published_events",
    "schedule_etag",
    "shutdown_broadcasters",
    "visible_to",
    "visit_status_event",
]
