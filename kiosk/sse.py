"""Server-Sent Events: one hub subscriber written to one browser, at most at the display's frame rate.

``stream_events`` subscribes first, then sends ``retry: 2000`` and the state snapshot from
``initial()`` (so a screen that reconnects resynchronises; events published meanwhile follow it),
then each batch of pending events as one write. Between batches it waits out ``1 / max_rate_hz``:
events published meanwhile replace each other by key, which is what coalesces activations to
the screen's frame rate. After ``heartbeat_s`` of silence it sends a comment, so a dead peer is
noticed by the failing write.

A stream ends, always unsubscribing, when:
- the client goes away (a failed write, or aiohttp cancelling the handler): logged at debug level;
- a write takes longer than ``write_timeout_s`` (the client stopped reading): the connection is
  aborted, one info line;
- the hub drops the subscriber for being too slow (one info line), or on ``hub.close()``.
aiohttp waits for running handlers when it shuts down, so the app calls ``hub.close()`` in
``on_shutdown`` (which aiohttp runs before that wait): every open stream then ends promptly.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from aiohttp import web

from kiosk.hub import CLOSED, Event, EventHub, Subscriber, SubscriberDropped

log = logging.getLogger("kiosk.sse")

HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # tell a reverse proxy (nginx) not to hold events back
    "Connection": "keep-alive",
}
RETRY = b"retry: 2000\n\n"  # EventSource reconnects 2 s after the stream ends
KEEP_ALIVE = b": keep-alive\n\n"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _WriteTimeout(Exception):
    pass


def format_event(event: Event) -> bytes:
    """``event: <kind>\\ndata: <data>\\n\\n``; data with line breaks becomes several data lines."""
    lines = _LINE_BREAK.split(event.data)
    data = "".join(f"data: {line}\n" for line in lines)
    return f"event: {event.kind}\n{data}\n".encode()


async def stream_events(
    request: web.Request,
    hub: EventHub,
    initial: Callable[[], list[Event]],
    *,
    max_rate_hz: float = 60.0,
    heartbeat_s: float = 15.0,
    write_timeout_s: float = 10.0,
) -> web.StreamResponse:
    """Stream ``initial()`` and then ``hub``'s events to the client until one of them goes away."""
    subscriber = hub.subscribe()
    response = web.StreamResponse(headers=HEADERS)
    where = f"{request.path} to {request.remote}"
    try:
        opening = RETRY + b"".join(map(format_event, initial()))
        await _send(response, request, opening, write_timeout_s)
        await _pump(response, request, subscriber, 1 / max_rate_hz, heartbeat_s, write_timeout_s)
    except SubscriberDropped as exc:
        if exc.reason != CLOSED:
            log.info("event stream %s dropped: the client fell behind (%s)", where, exc.reason)
        await _finish(response, request, write_timeout_s)
    except _WriteTimeout:
        log.info("event stream %s ended: client stopped reading for %s s", where, write_timeout_s)
        _abort(request)
    except ConnectionError:  # aiohttp raises ConnectionResetError for a closed transport
        log.debug("event stream %s ended: client went away", where)
    except asyncio.CancelledError:
        log.debug("event stream %s ended: cancelled (client went away or server stopping)", where)
        raise
    finally:
        hub.unsubscribe(subscriber)
    return response


async def _pump(
    response: web.StreamResponse,
    request: web.Request,
    subscriber: Subscriber,
    interval_s: float,
    heartbeat_s: float,
    write_timeout_s: float,
) -> None:
    """Write batches as they come, no closer together than ``interval_s``; comments in silences."""
    loop = asyncio.get_running_loop()
    last_write = loop.time()
    while True:
        try:
            async with asyncio.timeout(heartbeat_s - (loop.time() - last_write)):
                batch = await subscriber.next_batch()
        except TimeoutError:
            await _send(response, request, KEEP_ALIVE, write_timeout_s)
            last_write = loop.time()
            continue
        started = loop.time()
        await _send(response, request, b"".join(map(format_event, batch)), write_timeout_s)
        last_write = loop.time()
        await asyncio.sleep(max(0.0, started + interval_s - last_write))


async def _send(response: web.StreamResponse, request: web.Request, data: bytes, timeout_s: float) -> None:
    try:
        async with asyncio.timeout(timeout_s):
            if not response.prepared:
                await response.prepare(request)
            await response.write(data)
    except TimeoutError:
        raise _WriteTimeout from None


async def _finish(response: web.StreamResponse, request: web.Request, timeout_s: float) -> None:
    """End the response cleanly if the client still reads, else abort the connection."""
    try:
        async with asyncio.timeout(timeout_s):
            if not response.prepared:
                await response.prepare(request)
            await response.write_eof()
    except (TimeoutError, ConnectionError):
        _abort(request)


def _abort(request: web.Request) -> None:
    # Close without flushing: the client is not reading, so buffered data would never drain and
    # aiohttp's own write_eof after the handler would wait for it forever.
    if request.transport is not None:
        request.transport.abort()
