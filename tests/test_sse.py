"""The SSE writer: format, snapshot first, coalescing, heartbeats, slow and vanished clients, shutdown."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Callable

import aiohttp
import pytest
from aiohttp import web
from support.clock import FakeClock

from kiosk.hub import Event, EventHub
from kiosk.sse import format_event, stream_events
from tools.sse_client import SseReader, parse_block

SCENE = Event("scene", '{"name":"attract"}', "scene")
TIMELINE = Event("timeline", '{"snapshot":"final"}', "timeline")


def sse_app(hub: EventHub, initial: Callable[[], list[Event]] = list, **options: float) -> web.Application:
    async def events(request: web.Request) -> web.StreamResponse:
        return await stream_events(request, hub, initial, **options)

    async def close_hub(app: web.Application) -> None:
        hub.close()

    app = web.Application()
    app.router.add_get("/events", events)
    app.on_shutdown.append(close_hub)  # as the exhibit app does
    return app


async def open_stream(client, path: str = "/events") -> SseReader:
    response = await client.get(path)
    assert response.status == 200
    reader = SseReader(response)
    assert (await reader.next()).retry == 2000
    return reader


async def eventually(condition: Callable[[], bool], timeout: float = 1.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture):
    """Ordinary disconnects, drops and shutdowns log no error and no traceback."""
    caplog.set_level(logging.DEBUG)
    yield
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture
async def serve():
    """Start an app as web.run_app does (no handler cancellation on disconnect); yields its base URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> tuple[web.AppRunner, str]:
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


# --- format -------------------------------------------------------------------------------------


def test_format_event() -> None:
    assert format_event(SCENE) == b'event: scene\ndata: {"name":"attract"}\n\n'
    # Data with line breaks (not from publish, whose JSON has none) stays one message.
    assert format_event(Event("note", "a\nb\r\nc", "note")) == b"event: note\ndata: a\ndata: b\ndata: c\n\n"
    assert parse_block(format_event(Event("note", "a\nb", "note")).decode().rstrip("\n")).data == "a\nb"


# --- streaming ----------------------------------------------------------------------------------


async def test_headers(aiohttp_client) -> None:
    client = await aiohttp_client(sse_app(EventHub()))
    response = await client.get("/events")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Connection"] == "keep-alive"


async def test_snapshot_first_then_live_events(aiohttp_client) -> None:
    hub = EventHub()
    hub.publish("activation", {"frame": "before connecting"})  # not for this client: it gets the snapshot

    def snapshot() -> list[Event]:
        hub.publish("activation", {"frame": 0})  # published while it connects: must follow the snapshot
        return [SCENE, TIMELINE]

    reader = await open_stream(await aiohttp_client(sse_app(hub, snapshot)))
    assert hub.subscribers == 1
    hub.publish("scene", {"name": "drawing"})
    received = [await reader.next_event() for _ in range(4)]
    assert [(m.event, json.loads(m.data)) for m in received] == [
        ("scene", {"name": "attract"}),
        ("timeline", {"snapshot": "final"}),
        ("activation", {"frame": 0}),
        ("scene", {"name": "drawing"}),
    ]


async def test_activations_are_coalesced_to_max_rate_and_the_last_arrives(aiohttp_client) -> None:
    hub = EventHub()
    reader = await open_stream(await aiohttp_client(sse_app(hub, max_rate_hz=10)))

    async def read_until_last() -> list[int]:
        frames = []
        while not frames or frames[-1] != 99:
            frames.append(json.loads((await reader.next_event(timeout=2)).data)["i"])
        return frames

    reading = asyncio.create_task(read_until_last())
    started = time.monotonic()
    for i in range(100):  # ~0.6 s of publishing at ~170 Hz
        hub.publish("activation", {"i": i})
        await asyncio.sleep(0.005)
    frames = await asyncio.wait_for(reading, 1)
    seconds = time.monotonic() - started
    assert 2 <= len(frames) <= seconds * 10 + 2, (seconds, frames)  # 10 batches a second at most
    assert frames == sorted(set(frames)) and frames[-1] == 99
    assert hub.dropped_frames >= 90


async def test_heartbeat_comment_in_silence(aiohttp_client) -> None:
    hub = EventHub()
    reader = await open_stream(await aiohttp_client(sse_app(hub, heartbeat_s=0.1)))
    started = time.monotonic()
    assert (await reader.next()).comment == "keep-alive"
    assert 0.05 < time.monotonic() - started < 1
    hub.publish("scene", {"name": "drawing"})
    assert (await reader.next_event()).event == "scene"


async def test_a_client_that_stops_reading_is_cut_off_without_holding_up_the_others(aiohttp_client) -> None:
    hub = EventHub()  # stall_s and max_pending far away: the write timeout must do it
    client = await aiohttp_client(sse_app(hub, write_timeout_s=0.2))
    reader = await open_stream(client)
    loop = asyncio.get_running_loop()
    with socket.socket() as stalled:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window fills fast
        stalled.setblocking(False)
        await loop.sock_connect(stalled, (client.server.host, client.server.port))
        await loop.sock_sendall(stalled, b"GET /events HTTP/1.1\r\nHost: exhibit\r\n\r\n")
        await eventually(lambda: hub.subscribers == 2)

        blob = "x" * 1_000_000
        for i in range(4):
            started = time.perf_counter()
            hub.publish("frame", {"i": i, "blob": blob}, key=f"frame-{i}")
            assert time.perf_counter() - started < 0.05
            await asyncio.sleep(0.05)
        received = [json.loads((await reader.next_event()).data)["i"] for _ in range(4)]
        assert received == [0, 1, 2, 3]
        await eventually(lambda: hub.subscribers == 1)
        assert hub.dropped_subscribers == 0  # ended by its write timing out, not by the hub
    hub.publish("scene", {"name": "after"})
    assert (await reader.next_event()).event == "scene"


async def stalled_stream(host: str, port: int, path: str = "/events") -> socket.socket:
    """A client that sends its request with a tiny receive window and then never reads."""
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(stalled, (host, port))
    await loop.sock_sendall(stalled, f"GET {path} HTTP/1.1\r\nHost: exhibit\r\n\r\n".encode())
    return stalled


async def test_a_client_that_stops_reading_small_events_is_cut_off_within_seconds(
    aiohttp_client, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 11: with events of a few KB (what screens get), nothing ever blocked: the kernel's
    # autotuned send buffer (up to 4 MB) and the transport's took it all, so no write timed out.
    hub = EventHub()  # stall_s and max_pending far away: the stream's own limits must do it
    cut_off: list[int] = []
    client = await aiohttp_client(sse_app(hub, write_timeout_s=0.3, on_cut_off=lambda: cut_off.append(1)))
    reader = await open_stream(client)
    with await stalled_stream(client.server.host, client.server.port) as stalled:
        await eventually(lambda: hub.subscribers == 2)
        started = time.monotonic()
        blob = "x" * 4000  # 4 KB a frame, 100 frames a second: 400 KB/s
        for i in range(800):
            hub.publish("frame", {"i": i, "blob": blob}, key=f"frame-{i % 2}")
            await asyncio.sleep(0.01)
            if hub.subscribers == 1:
                break
        assert hub.subscribers == 1, "the stalled client is still subscribed after 8 s"
        assert time.monotonic() - started < 4.0
        assert cut_off == [1] and "client stopped reading" in caplog.text
        stalled.close()
    hub.publish("scene", {"name": "after"})  # the reading client was served all along
    assert (await reader.until("scene")) == {"name": "after"}


async def test_a_stream_the_hub_drops_ends_cleanly(aiohttp_client, clock: FakeClock) -> None:
    hub = EventHub(stall_s=10, clock=clock)
    reader = await open_stream(await aiohttp_client(sse_app(hub, max_rate_hz=2)))
    hub.publish("activation", {"i": 0})
    assert json.loads((await reader.next_event()).data) == {"i": 0}
    hub.publish("activation", {"i": 1})  # waits out the 0.5 s between batches
    clock.now += 11
    hub.publish("scene", {})  # the activation has waited too long: dropped
    assert hub.subscribers == 0 and hub.dropped_subscribers == 1
    with pytest.raises(EOFError):
        await reader.next()


async def test_disconnect_unsubscribes(aiohttp_client) -> None:
    hub = EventHub()
    reader = await open_stream(await aiohttp_client(sse_app(hub)))
    assert hub.subscribers == 1
    reader.response.close()
    await eventually(lambda: hub.subscribers == 0)


@pytest.mark.parametrize("noticed_by", ["heartbeat", "publish"])
async def test_disconnect_is_noticed_without_handler_cancellation(serve, noticed_by: str) -> None:
    hub = EventHub()
    _, base = await serve(sse_app(hub, heartbeat_s=0.2 if noticed_by == "heartbeat" else 60))
    async with aiohttp.ClientSession() as session:
        reader = await open_stream(session, f"{base}/events")
        reader.response.close()
    await asyncio.sleep(0.05)
    assert hub.subscribers == 1  # nothing has told the handler yet
    if noticed_by == "publish":
        hub.publish("scene", {})
    await eventually(lambda: hub.subscribers == 0, timeout=1)


async def test_hub_close_ends_open_streams(aiohttp_client) -> None:
    hub = EventHub()
    client = await aiohttp_client(sse_app(hub))
    readers = [await open_stream(client) for _ in range(2)]
    hub.close()
    for reader in readers:
        with pytest.raises(EOFError):
            await reader.next()
    assert hub.subscribers == 0
    late = await client.get("/events")  # a reconnect during shutdown ends at once
    assert (await late.read()) == b"retry: 2000\n\n"


async def test_server_shutdown_does_not_wait_for_open_streams(serve) -> None:
    hub = EventHub()
    runner, base = await serve(sse_app(hub))
    async with aiohttp.ClientSession() as session:
        reader = await open_stream(session, f"{base}/events")
        started = time.monotonic()
        await asyncio.wait_for(runner.cleanup(), 2)  # aiohttp would wait up to 60 s for the handler
        assert time.monotonic() - started < 1
        with pytest.raises((EOFError, aiohttp.ClientPayloadError)):
            await reader.next()
    assert hub.subscribers == 0
