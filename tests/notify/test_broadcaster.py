"""Events reach exactly the subscribers they are for, from any thread, across processes via
Redis, and a reconnecting client gets what it missed."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ambulant.auth.principal import Principal
from ambulant.models import Role
from ambulant.notify import Event, LocalBroadcaster, RedisBroadcaster, visible_to
from ambulant.notify.broadcaster import Broadcaster

NURSE_1 = Principal(subject="n1", role=Role.NURSE, staff_id=1)
NURSE_2 = Principal(subject="n2", role=Role.NURSE, staff_id=2)
COORDINATOR = Principal(subject="c", role=Role.COORDINATOR, all_municipalities=True)
LOCAL_COORDINATOR = Principal(
    subject="m", role=Role.COORDINATOR, municipalities=frozenset({"5035"})
)


def test_nurses_hear_only_about_themselves_and_coordinators_about_their_scope() -> None:
    """A schedule change for staff 1 in 5034: nurse 1 and the all-scope coordinator hear it;
    nurse 2 and the Stjørdal coordinator do not."""
    event = Event("schedule_changed", {}, scope="5034", staff_ids=frozenset({1}))
    assert [visible_to(p, event) for p in (NURSE_1, NURSE_2, COORDINATOR, LOCAL_COORDINATOR)] == [
        True,
        False,
        True,
        False,
    ]


async def _collect(broadcaster: Broadcaster, publish: list[Event], count: int) -> list[Event]:
    sub, _ = broadcaster.subscribe(lambda e: visible_to(NURSE_1, e))
    thread = threading.Thread(target=lambda: [broadcaster.publish(e) for e in publish])
    thread.start()
    got = [await asyncio.wait_for(sub.next(), 5) for _ in range(count)]
    thread.join()
    broadcaster.unsubscribe(sub)
    return [e for e in got if e is not None]


def test_events_published_from_another_thread_reach_the_subscriber_in_order() -> None:
    """Two events for nurse 1 and one for nurse 2, published from a worker thread: nurse 1's
    subscription gets its two, in order, each with an id."""
    events = [
        Event("schedule_changed", {"n": 1}, staff_ids=frozenset({1})),
        Event("schedule_changed", {"n": 2}, staff_ids=frozenset({2})),
        Event("schedule_changed", {"n": 3}, staff_ids=frozenset({1})),
    ]
    got = asyncio.run(_collect(LocalBroadcaster(), events, 2))
    assert [e.data["n"] for e in got] == [1, 3] and all(e.id for e in got)


def test_a_reconnecting_client_gets_what_it_missed() -> None:
    """Subscribing with the id of the first event replays the later ones it may see."""
    broadcaster = LocalBroadcaster()
    first = broadcaster.publish(Event("a", {}, staff_ids=frozenset({1})))
    broadcaster.publish(Event("b", {}, staff_ids=frozenset({2})))
    broadcaster.publish(Event("c", {}, staff_ids=frozenset({1})))

    async def replay() -> list[str]:
        sub, missed = broadcaster.subscribe(
            lambda e: visible_to(NURSE_1, e), last_event_id=first.id
        )
        broadcaster.unsubscribe(sub)
        return [e.kind for e in missed]

    assert asyncio.run(replay()) == ["c"]


def test_a_subscriber_too_far_behind_is_ended() -> None:
    """More pending events than its queue holds: the stream ends (None) instead of growing."""
    broadcaster = LocalBroadcaster(max_pending=2)

    async def overflow() -> list[Event | None]:
        sub, _ = broadcaster.subscribe(lambda e: True)
        for n in range(4):
            broadcaster.publish(Event("x", {"n": n}))
        await asyncio.sleep(0.05)
        return [await sub.next() for _ in range(2)]

    got = asyncio.run(overflow())
    assert got[-1] is None


@pytest.mark.redis
def test_redis_carries_events_between_processes(redis_url: str) -> None:
    """Published through one broadcaster (one API process), delivered by another's."""
    sender = RedisBroadcaster(redis_url, channel="ambulant-events-test")
    receiver = RedisBroadcaster(redis_url, channel="ambulant-events-test")
    try:
        event = Event("schedule_changed", {"n": 1}, staff_ids=frozenset({1}))

        async def run() -> Event | None:
            sub, _ = receiver.subscribe(lambda e: visible_to(NURSE_1, e))
            await asyncio.sleep(0.3)  # the listener thread subscribes
            sent = sender.publish(event)
            got = await asyncio.wait_for(sub.next(), 5)
            assert got is not None and got.id == sent.id
            return got

        got = asyncio.run(run())
        assert got is not None and got.staff_ids == frozenset({1}) and got.data == {"n": 1}
    finally:
        sender.close()
        receiver.close()
