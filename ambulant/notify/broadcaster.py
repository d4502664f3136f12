"""Fan-out of events to the clients listening on this process, and (with Redis) across processes.

Events are published where a plan is published or a report stored: in an API process, from a
worker thread of the request. `LocalBroadcaster` hands them to each subscriber's asyncio queue
thread-safely; with one API process that is all there is. Several API processes (the RQ
deployment) each run a `RedisBroadcaster`: publishing goes through a Redis channel and every
process delivers what it hears to its own subscribers, so a nurse connected to process B hears
of a plan published through process A.

Each process keeps the last events it delivered, so a client that reconnects with
`Last-Event-ID` gets what it missed (ids are made by the publisher and shared by all processes).
A subscriber that falls too far behind is dropped; it reconnects and catches up the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any, Protocol

from redis import Redis

from ambulant.config import Settings
from ambulant.notify.events import Event

log = logging.getLogger(__name__)

CHANNEL = "ambulant-events"
_counter = itertools.count()


def new_event_id() -> str:
    return f"{time.time_ns():x}-{next(_counter)}"


class Subscription:
    """One listening client: its filter and its queue (read on the event loop it was made on)."""

    def __init__(self, wants: Callable[[Event], bool], *, max_pending: int) -> None:
        self.wants = wants
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=max_pending)
        self.loop = asyncio.get_running_loop()
        self.closed = False

    def offer(self, event: Event) -> None:
        """Runs on the subscription's loop."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # Too far behind: end the stream; the client reconnects and replays from its last id.
            self.closed = True
            self.queue.get_nowait()
            self.queue.put_nowait(None)

    async def next(self) -> Event | None:
        """The next event, or None when the stream should end."""
        return await self.queue.get()


class Broadcaster(Protocol):
    def publish(self, event: Event) -> Event: ...

    def subscribe(
        self, wants: Callable[[Event], bool], *, last_event_id: str | None = None
    ) -> tuple[Subscription, list[Event]]: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def close(self) -> None: ...


class LocalBroadcaster:
    def __init__(self, *, history: int = 1000, max_pending: int = 200) -> None:
        self._subscribers: set[Subscription] = set()
        self._history: deque[Event] = deque(maxlen=history)
        self._lock = threading.Lock()
        self._max_pending = max_pending

    def publish(self, event: Event) -> Event:
        """Delivers `event` (from any thread); returns it with its id."""
        event = event if event.id else replace(event, id=new_event_id())
        self.deliver(event)
        return event

    def deliver(self, event: Event) -> None:
        with self._lock:
            self._history.append(event)
            subscribers = list(self._subscribers)
        for sub in subscribers:
            if sub.wants(event):
                try:
                    sub.loop.call_soon_threadsafe(sub.offer, event)
                except RuntimeError:  # its loop is gone: the client left
                    self.unsubscribe(sub)

    def subscribe(
        self, wants: Callable[[Event], bool], *, last_event_id: str | None = None
    ) -> tuple[Subscription, list[Event]]:
        """A new subscription (call on the event loop that reads it) and the events it missed
        since `last_event_id` (none if that id is unknown here)."""
        sub = Subscription(wants, max_pending=self._max_pending)
        with self._lock:
            self._subscribers.add(sub)
            history = list(self._history)
        missed: list[Event] = []
        if last_event_id:
            ids = [e.id for e in history]
            if last_event_id in ids:
                missed = [e for e in history[ids.index(last_event_id) + 1 :] if wants(e)]
        return sub, missed

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def close(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
            self._subscribers.clear()
        for sub in subscribers:
            with contextlib.suppress(RuntimeError):
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, None)


class RedisBroadcaster:
    """Publishes through Redis pub/sub; delivers what the channel carries to local subscribers."""

    def __init__(self, redis_url: str, *, channel: str = CHANNEL, history: int = 1000) -> None:
        self._local = LocalBroadcaster(history=history)
        self._channel = channel
        self._redis = Redis.from_url(redis_url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(**{channel: self._on_message})
        self._thread = self._pubsub.run_in_thread(sleep_time=0.2, daemon=True)

    def publish(self, event: Event) -> Event:
        event = event if event.id else replace(event, id=new_event_id())
        try:
            self._redis.publish(self._channel, json.dumps(_to_json(event)))
        except Exception:
            # Redis is down: at least the clients of this process hear of it.
            log.exception("event %s: Redis publish failed; delivered locally only", event.kind)
            self._local.deliver(event)
        return event

    def _on_message(self, message: dict[str, Any]) -> None:
        try:
            self._local.deliver(_from_json(json.loads(message["data"])))
        except Exception:
            log.exception("an event from Redis could not be read")

    def subscribe(
        self, wants: Callable[[Event], bool], *, last_event_id: str | None = None
    ) -> tuple[Subscription, list[Event]]:
        return self._local.subscribe(wants, last_event_id=last_event_id)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._local.unsubscribe(subscription)

    def close(self) -> None:
        self._thread.stop()
        self._thread.join(timeout=2)  # it reads the socket until it notices
        self._pubsub.close()
        self._redis.close()
        self._local.close()


def _to_json(event: Event) -> dict[str, Any]:
    data = asdict(event)
    data["staff_ids"] = sorted(event.staff_ids)
    return data


def _from_json(data: dict[str, Any]) -> Event:
    return Event(
        kind=data["kind"],
        data=data["data"],
        scope=data["scope"],
        staff_ids=frozenset(data["staff_ids"]),
        id=data["id"],
    )


_broadcasters: dict[tuple[str, str], Broadcaster] = {}
_lock = threading.Lock()


def get_broadcaster(settings: Settings) -> Broadcaster:
    """One per configuration and process: in-process for the embedded default, Redis with RQ."""
    key = (settings.queue, settings.redis_url if settings.queue == "rq" else "")
    with _lock:
        if key not in _broadcasters:
            _broadcasters[key] = (
                RedisBroadcaster(settings.redis_url)
                if settings.queue == "rq"
                else LocalBroadcaster()
            )
        return _broadcasters[key]


def announce(settings: Settings, events: list[Event]) -> None:
    """Publishes `events`. Call it after the commit (e.g. as a response's background task):
    nobody may hear of a plan or report that then fails to commit."""
    broadcaster = get_broadcaster(settings)
    for event in events:
        broadcaster.publish(event)


def shutdown_broadcasters() -> None:
    with _lock:
        for broadcaster in _broadcasters.values():
            broadcaster.close()
        _broadcasters.clear()
