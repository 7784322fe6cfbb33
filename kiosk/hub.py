"""The event hub: one publisher on the loop, many screens, and no screen can slow the others down.

The exhibit state publishes events (activations, scene changes, training frames) here; each
subscriber (one SSE stream, see kiosk/sse.py) drains its own small queue at its own pace.

- Publishing is synchronous: the payload is serialised once, then put in every subscriber's
  queue; O(subscribers) dict operations, never an await, so the loop never waits for a screen.
- A pending event is replaced by a newer one with the same key, which moves to the end. A slow
  screen thus skips intermediate activation frames but always gets the newest, and still gets
  every distinct-key event (a scene change) in publish order.
- A subscriber that has left events undelivered for longer than ``stall_s``, or would hold more
  than ``max_pending`` distinct keys, is dropped: its ``next_batch`` raises SubscriberDropped and
  its stream ends; a browser's EventSource reconnects and gets a fresh snapshot.
- ``close()`` (the app calls it on shutdown) drops everyone, so open streams end at once
  instead of holding up aiohttp's graceful shutdown.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

STALLED, OVERFLOW, CLOSED = "stalled", "overflow", "closed"


@dataclass(frozen=True)
class Event:
    kind: str  # the SSE event name: "activation", "timeline", "pairing", "scene", ...
    data: str  # JSON text, serialised once per publish
    key: str  # events with the same key replace each other while still pending


def make_event(kind: str, payload: object, *, key: str | None = None) -> Event:
    """An event as the hub would publish it, e.g. for a state snapshot sent to one new subscriber."""
    if "\n" in kind or "\r" in kind:
        raise ValueError(f"event kind must be one line, got {kind!r}")
    return Event(kind, json.dumps(payload, separators=(",", ":")), kind if key is None else key)


class SubscriberDropped(Exception):
    """The hub gave up on a subscriber: ``reason`` is "stalled", "overflow" or "closed" (shutdown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Subscriber:
    """One reader's queue of pending events, newest per key, in publish order."""

    def __init__(self) -> None:
        self.dropped = False
        self.reason: str | None = None  # why it was dropped
        self._pending: dict[str, Event] = {}
        self._since = 0.0  # when the oldest undelivered event arrived (valid while _pending)
        self._wake = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def next_batch(self) -> list[Event]:
        """Wait until something is pending; return all of it in publish order and clear the queue.

        Safe to cancel (e.g. under a timeout): nothing is taken from the queue until it returns.
        """
        while not (self._pending or self.dropped):
            self._wake.clear()
            await self._wake.wait()
        if self.dropped:
            raise SubscriberDropped(self.reason or CLOSED)
        batch = list(self._pending.values())
        self._pending.clear()
        return batch


class EventHub:
    """Fan-out of published events to subscribers, on one asyncio loop."""

    def __init__(
        self, *, max_pending: int = 64, stall_s: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_pending, self.stall_s, self._clock = max_pending, stall_s, clock
        self._subscribers: dict[Subscriber, None] = {}  # an ordered set
        self.closed = False
        self.published = 0
        self.dropped_frames = 0  # pending events replaced by a newer one with the same key
        self.dropped_subscribers = 0  # stalled or overflowed; not those ended by close()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def stats(self) -> dict[str, int]:
        """The counters, e.g. for /healthz."""
        return {
            "subscribers": self.subscribers,
            "published": self.published,
            "dropped_frames": self.dropped_frames,
            "dropped_subscribers": self.dropped_subscribers,
        }

    def publish(self, kind: str, payload: object, *, key: str | None = None) -> Event:
        """Serialise ``payload`` once and queue it for every subscriber; never blocks."""
        event = make_event(kind, payload, key=key)
        self.published += 1
        now = self._clock()
        too_slow = [(sub, reason) for sub in self._subscribers if (reason := self._offer(sub, event, now))]
        for sub, reason in too_slow:
            self._drop(sub, reason)
        return event

    def subscribe(self) -> Subscriber:
        """A new subscriber; after close() it comes already dropped, so its stream ends at once."""
        sub = Subscriber()
        if self.closed:
            sub.dropped, sub.reason = True, CLOSED
        else:
            self._subscribers[sub] = None
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """The reader has gone; safe to call twice or after the hub dropped it."""
        self._subscribers.pop(sub, None)

    def close(self) -> None:
        """Drop every subscriber and refuse new ones: open streams end (call from on_shutdown)."""
        self.closed = True
        for sub in list(self._subscribers):
            self._drop(sub, CLOSED)

    def _offer(self, sub: Subscriber, event: Event, now: float) -> str | None:
        """Queue ``event`` for ``sub``; returns why ``sub`` must be dropped instead, if it must."""
        pending = sub._pending
        if pending and now - sub._since > self.stall_s:
            return STALLED
        if event.key in pending:
            del pending[event.key]  # re-inserted below: the newest moves to the end
            self.dropped_frames += 1
        elif len(pending) >= self.max_pending:
            return OVERFLOW
        elif not pending:
            sub._since = now
        pending[event.key] = event
        sub._wake.set()
        return None

    def _drop(self, sub: Subscriber, reason: str) -> None:
        self._subscribers.pop(sub, None)
        if reason != CLOSED:
            self.dropped_subscribers += 1
        sub.dropped, sub.reason = True, reason
        sub._pending.clear()
        sub._wake.set()
