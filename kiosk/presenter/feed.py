"""What a presenter's event stream follows: everything the screen gets, plus presenter-only events.

``kiosk.sse.stream_events`` reads one hub; a presenter's stream needs two (the screen's hub and
this feed's own, which carries ``status``). ``PresenterFeed.for_stream`` gives it a stand-in
with the hub's ``subscribe``/``unsubscribe`` whose subscriber waits on both. Presenter streams
are counted here, so the status panel can tell exhibit screens from presenters on the screen's hub.

A stream whose session has ended (logout, expiry) is closed at its next batch (status comes every
2 s): the page's EventSource reconnects, is refused, and shows the log-in again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from kiosk.hub import CLOSED, Event, EventHub, Subscriber, SubscriberDropped


class PresenterFeed:
    def __init__(self, screen_hub: EventHub) -> None:
        self.screen_hub = screen_hub
        self.hub = EventHub()  # presenter-only events: status
        self.streams = 0  # presenter streams now open (each is also one subscriber of screen_hub)

    @property
    def screens(self) -> int:
        """Exhibit screens following the screen's hub (presenters' streams not counted)."""
        return max(0, self.screen_hub.subscribers - self.streams)

    def for_stream(self, alive: Callable[[], bool]) -> _StreamHubs:
        """What to hand ``stream_events`` as its hub for one stream; it ends once ``alive()`` is False."""
        return _StreamHubs(self, alive)

    def close(self) -> None:
        self.hub.close()


class _StreamHubs:
    def __init__(self, feed: PresenterFeed, alive: Callable[[], bool]) -> None:
        self._feed, self._alive = feed, alive

    def subscribe(self) -> _Merged:
        self._feed.streams += 1
        hubs = (self._feed.screen_hub, self._feed.hub)
        return _Merged([hub.subscribe() for hub in hubs], self._alive)

    def unsubscribe(self, merged: _Merged) -> None:
        self._feed.streams -= 1
        self._feed.screen_hub.unsubscribe(merged.parts[0])
        self._feed.hub.unsubscribe(merged.parts[1])


class _Merged:
    """A subscriber of several hubs: each batch is whatever any of them has pending."""

    def __init__(self, parts: list[Subscriber], alive: Callable[[], bool]) -> None:
        self.parts, self._alive = parts, alive

    async def next_batch(self) -> list[Event]:
        if not self._alive():
            raise SubscriberDropped(CLOSED)
        waits = [asyncio.ensure_future(part.next_batch()) for part in self.parts]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()  # safe: a cancelled next_batch has taken nothing from its queue
        batch, problem = [], None
        for wait in waits:
            if wait.done() and not wait.cancelled():
                if wait.exception() is not None:
                    problem = problem or wait.exception()
                else:
                    batch += wait.result()
        if problem is not None:
            raise problem
        if not self._alive():
            raise SubscriberDropped(CLOSED)
        return batch
