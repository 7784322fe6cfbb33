"""The event hub: fan-out, newest-per-key replacement, dropping slow subscribers, shutdown."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest
from support.clock import FakeClock

from kiosk.hub import Event, EventHub, SubscriberDropped


def kinds_and_data(batch: list[Event]) -> list[tuple[str, object]]:
    return [(event.kind, json.loads(event.data)) for event in batch]


async def test_publish_fans_out_to_every_subscriber() -> None:
    hub = EventHub()
    subs = [hub.subscribe() for _ in range(3)]
    event = hub.publish("scene", {"name": "attract"})
    assert event == Event("scene", '{"name":"attract"}', "scene")  # compact JSON, key defaults to kind
    for sub in subs:
        assert await sub.next_batch() == [event]
    assert hub.subscribers == 3 and hub.published == 1


async def test_same_key_keeps_only_the_newest_and_moves_it_to_the_end() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    hub.publish("activation", {"frame": 1})
    hub.publish("scene", {"name": "drawing"})
    hub.publish("activation", {"frame": 2})
    hub.publish("activation", {"frame": 3})
    batch = await sub.next_batch()
    assert kinds_and_data(batch) == [("scene", {"name": "drawing"}), ("activation", {"frame": 3})]
    assert hub.dropped_frames == 2 and hub.published == 4


async def test_distinct_keys_are_all_delivered_in_publish_order() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    for i in range(10):
        hub.publish("frame", {"i": i}, key=f"frame-{i}")
    assert [json.loads(event.data)["i"] for event in await sub.next_batch()] == list(range(10))
    assert hub.dropped_frames == 0


async def test_a_batch_clears_the_queue_and_the_next_waits_for_a_publish() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    hub.publish("scene", 1)
    assert len(await sub.next_batch()) == 1
    assert sub.pending == 0
    waiting = asyncio.create_task(sub.next_batch())
    await asyncio.sleep(0)
    assert not waiting.done()
    hub.publish("scene", 2)
    assert kinds_and_data(await asyncio.wait_for(waiting, 1)) == [("scene", 2)]


async def test_cancelling_a_wait_loses_nothing() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(sub.next_batch(), 0.01)
    hub.publish("scene", 1)
    assert kinds_and_data(await sub.next_batch()) == [("scene", 1)]


async def test_a_subscriber_that_never_reads_is_dropped_after_stall_s(clock: FakeClock) -> None:
    hub = EventHub(stall_s=10, clock=clock)
    stuck, reader = hub.subscribe(), hub.subscribe()
    hub.publish("activation", {"frame": 0})
    assert kinds_and_data(await reader.next_batch()) == [("activation", {"frame": 0})]
    clock.now += 10  # exactly stall_s: still tolerated
    hub.publish("activation", {"frame": 1})
    assert not stuck.dropped and hub.subscribers == 2
    assert kinds_and_data(await reader.next_batch()) == [("activation", {"frame": 1})]
    clock.now += 0.5
    hub.publish("activation", {"frame": 2})
    assert stuck.dropped and stuck.reason == "stalled"
    assert hub.subscribers == 1 and hub.dropped_subscribers == 1
    assert kinds_and_data(await reader.next_batch()) == [("activation", {"frame": 2})]
    with pytest.raises(SubscriberDropped) as raised:
        await stuck.next_batch()
    assert raised.value.reason == "stalled"


async def test_stall_counts_from_the_oldest_undelivered_event(clock: FakeClock) -> None:
    hub = EventHub(stall_s=10, clock=clock)
    slow = hub.subscribe()
    clock.now += 100  # an idle exhibit: nothing pending, so nothing is late
    for _ in range(5):  # reads every 8 s, with a second event waiting each time: slow, never stalled
        hub.publish("activation", {})
        clock.now += 8
        hub.publish("scene", {})
        await slow.next_batch()
    assert not slow.dropped and hub.dropped_subscribers == 0


async def test_a_subscriber_over_max_pending_distinct_keys_is_dropped(clock: FakeClock) -> None:
    hub = EventHub(max_pending=4, clock=clock)
    stuck, reader = hub.subscribe(), hub.subscribe()
    received = []
    for i in range(6):
        hub.publish("frame", {"i": i}, key=f"k{i}")
        received += [json.loads(event.data)["i"] for event in await reader.next_batch()]
        assert stuck.dropped == (i >= 4)  # the fifth distinct key would exceed 4
    assert received == list(range(6))
    assert stuck.reason == "overflow" and hub.subscribers == 1 and hub.dropped_subscribers == 1


async def test_replacing_a_pending_key_does_not_count_towards_max_pending() -> None:
    hub = EventHub(max_pending=2)
    sub = hub.subscribe()
    for i in range(100):
        hub.publish("activation", {"i": i})
        hub.publish("timeline", {"i": i})
    assert not sub.dropped
    assert kinds_and_data(await sub.next_batch()) == [("activation", {"i": 99}), ("timeline", {"i": 99})]


async def test_a_dropped_subscriber_wakes_and_raises() -> None:
    hub = EventHub(max_pending=1)
    sub = hub.subscribe()
    hub.publish("a", 1)
    await sub.next_batch()
    waiting = asyncio.create_task(sub.next_batch())
    await asyncio.sleep(0)
    hub.publish("a", 2, key="x")
    hub.publish("a", 3, key="y")  # over max_pending, while it waits: the pending batch is lost
    with pytest.raises(SubscriberDropped):
        await asyncio.wait_for(waiting, 1)


def test_publish_is_synchronous_and_counts() -> None:
    hub = EventHub()
    assert not inspect.iscoroutinefunction(hub.publish)
    subs = [hub.subscribe() for _ in range(2)]  # no running loop needed to publish
    for i in range(5):
        hub.publish("activation", {"i": i})
    assert hub.stats() == {"subscribers": 2, "published": 5, "dropped_frames": 8, "dropped_subscribers": 0}
    assert [sub.pending for sub in subs] == [1, 1]


def test_event_kinds_must_be_one_line() -> None:
    with pytest.raises(ValueError, match="one line"):
        EventHub().publish("scene\ndata: forged", {})


async def test_unsubscribe_stops_delivery_and_is_idempotent() -> None:
    hub = EventHub()
    sub = hub.subscribe()
    hub.unsubscribe(sub)
    hub.unsubscribe(sub)
    hub.publish("scene", 1)
    assert hub.subscribers == 0 and sub.pending == 0 and not sub.dropped
    assert hub.dropped_subscribers == 0


async def test_close_wakes_every_waiter_and_refuses_new_subscribers() -> None:
    hub = EventHub()
    waiting = [asyncio.create_task(hub.subscribe().next_batch()) for _ in range(3)]
    await asyncio.sleep(0)
    hub.close()
    results = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), 1)
    assert [type(result) for result in results] == [SubscriberDropped] * 3
    assert {result.reason for result in results} == {"closed"}
    assert hub.subscribers == 0 and hub.dropped_subscribers == 0  # shutting down is not a drop
    late = hub.subscribe()
    assert late.dropped and hub.subscribers == 0
    with pytest.raises(SubscriberDropped):
        await late.next_batch()
