"""Server-Sent Events: one hub subscriber written to one browser, at most at the display's frame rate.

``stream_events`` subscribes first, then sends ``retry: 2000`` and the state snapshot from
``initial()`` (so a screen that reconnects resynchronises; events published meanwhile follow it),
then each batch of pending events as one write. Between batches it waits out ``1 / max_rate_hz``:
events published meanwhile replace each other by key, which is what coalesces activations to
the screen's frame rate. After ``heartbeat_s`` of silence it sends a comment, so a dead peer is
noticed by the failing write.

What a client that reads slowly can cost is bounded: the socket's kernel send buffer is set to
``max_buffer_bytes`` (no autotuning up to megabytes), and after each write the stream waits until
the transport holds at most ``max_buffer_bytes`` for it. A client that stops reading thus blocks
its stream after a few hundred KB at most, instead of after megabytes (which at a screen's few KB
an event took minutes to hours, and held memory all along).

A stream ends, always unsubscribing, when:
- the client goes away (a failed write, or aiohttp cancelling the handler): logged at debug level;
- a write, with its wait for the buffer to drain, takes longer than ``write_timeout_s`` (the client
  stopped reading): the connection is aborted, one info line, and ``on_cut_off()`` is called;
- the hub drops the subscriber for being too slow (one info line), or on ``hub.close()``.
aiohttp waits for running handlers when it shuts down, so the app calls ``hub.close()`` in
``on_shutdown`` (which aiohttp runs before that wait): every open stream then ends promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from kiosk.hub import CLOSED, Event, SubscriberDropped

log = logging.getLogger("kiosk.sse")

HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # tell a reverse proxy (nginx) not to hold events back
    "Connection": "keep-alive",
}
RETRY = b"retry: 2000\n\n"  # EventSource reconnects 2 s after the stream ends
KEEP_ALIVE = b": keep-alive\n\n"
DRAIN_POLL_S = 0.02  # how often a stream that waits for a slow client looks at its buffer
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Batches(Protocol):
    """What a stream reads: a hub's subscriber (kiosk/hub.py), or several merged (the presenter's)."""

    async def next_batch(self) -> list[Event]: ...


class EventSource(Protocol):
    """What a stream follows: an EventHub, or the presenter's merge of hubs (kiosk/presenter/feed.py)."""

    def subscribe(self) -> Any: ...  # a Batches; Any so that each source names its own kind

    def unsubscribe(self, subscriber: Any) -> None: ...


class _WriteTimeout(Exception):
    pass


def format_event(event: Event) -> bytes:
    """``event: <kind>\\ndata: <data>\\n\\n``; data with line breaks becomes several data lines."""
    lines = _LINE_BREAK.split(event.data)
    data = "".join(f"data: {line}\n" for line in lines)
    return f"event: {event.kind}\n{data}\n".encode()


async def stream_events(
    request: web.Request,
    hub: EventSource,
    initial: Callable[[], list[Event]],
    *,
    max_rate_hz: float = 60.0,
    heartbeat_s: float = 15.0,
    write_timeout_s: float = 5.0,
    max_buffer_bytes: int = 128 * 1024,
    on_cut_off: Callable[[], None] = lambda: None,
) -> web.StreamResponse:
    """Stream ``initial()`` and then ``hub``'s events to the client until one of them goes away."""
    subscriber = hub.subscribe()
    out = _Output(request, web.StreamResponse(headers=HEADERS), write_timeout_s, max_buffer_bytes)
    where = f"{request.path} to {request.remote}"
    try:
        await out.send(RETRY + b"".join(map(format_event, initial())))
        await _pump(out, subscriber, 1 / max_rate_hz, heartbeat_s)
    except SubscriberDropped as exc:
        if exc.reason != CLOSED:
            log.info("event stream %s dropped: the client fell behind (%s)", where, exc.reason)
        await out.finish()
    except _WriteTimeout:
        log.info("event stream %s ended: client stopped reading for %s s", where, write_timeout_s)
        out.abort()
        on_cut_off()
    except ConnectionError:  # aiohttp raises ConnectionResetError for a closed transport
        log.debug("event stream %s ended: client went away", where)
    except asyncio.CancelledError:
        log.debug("event stream %s ended: cancelled (client went away or server stopping)", where)
        raise
    finally:
        hub.unsubscribe(subscriber)
    return out.response


async def _pump(out: _Output, subscriber: Batches, interval_s: float, heartbeat_s: float) -> None:
    """Write batches as they come, no closer together than ``interval_s``; comments in silences."""
    loop = asyncio.get_running_loop()
    last_write = loop.time()
    while True:
        try:
            async with asyncio.timeout(heartbeat_s - (loop.time() - last_write)):
                batch = await subscriber.next_batch()
        except TimeoutError:
            await out.send(KEEP_ALIVE)
            last_write = loop.time()
            continue
        started = loop.time()
        await out.send(b"".join(map(format_event, batch)))
        last_write = loop.time()
        await asyncio.sleep(max(0.0, started + interval_s - last_write))


@dataclass
class _Output:
    """One stream's response, written with a time limit and a bounded buffer."""

    request: web.Request
    response: web.StreamResponse
    timeout_s: float
    max_buffer_bytes: int

    async def send(self, data: bytes) -> None:
        """Write ``data``, then wait until at most ``max_buffer_bytes`` are left for the client to read."""
        try:
            async with asyncio.timeout(self.timeout_s):
                if not self.response.prepared:
                    self._limit_kernel_buffer()
                    await self.response.prepare(self.request)
                await self.response.write(data)
                await self._drained()
        except TimeoutError:
            raise _WriteTimeout from None

    async def finish(self) -> None:
        """End the response cleanly if the client still reads, else abort the connection."""
        try:
            async with asyncio.timeout(self.timeout_s):
                if not self.response.prepared:
                    await self.response.prepare(self.request)
                await self.response.write_eof()
        except (TimeoutError, ConnectionError):
            self.abort()

    def abort(self) -> None:
        # Close without flushing: the client is not reading, so buffered data would never drain and
        # aiohttp's own write_eof after the handler would wait for it forever.
        if self.request.transport is not None:
            self.request.transport.abort()

    async def _drained(self) -> None:
        transport = self.request.transport
        while (
            transport is not None
            and not transport.is_closing()
            and transport.get_write_buffer_size() > self.max_buffer_bytes
        ):
            await asyncio.sleep(DRAIN_POLL_S)

    def _limit_kernel_buffer(self) -> None:
        sock = self.request.transport.get_extra_info("socket") if self.request.transport else None
        if sock is not None:
            with contextlib.suppress(OSError):  # not a TCP socket (a test's pipe): nothing to bound
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.max_buffer_bytes)
