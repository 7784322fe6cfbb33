"""How many event streams the exhibit serves (issue 11): per kind, per address, and stalled readers.

A fuzzer opened 1,000 screen streams and all were accepted; the tablet's round trip slowed tenfold.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest
from aiohttp import web

from kiosk.app import create_app
from kiosk.config import AttractConfig, Config, DisplayConfig, ModelConfig, StreamsConfig, TabletConfig
from kiosk.http_errors import Rejected
from kiosk.keys import ADMIN, SCREEN_HUB, STREAMS
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from kiosk.streams import StreamSeats
from tools.sse_client import SseReader

SCREEN, PLAYGROUND, PRESENTER = "/api/display/events", "/api/train_stream", "/api/presenter/events"


@pytest.fixture(scope="module")
def timeline(export_dir: Path) -> Timeline:
    return load_timeline(export_dir)


def make_config(export_dir: Path, state: Path, **streams) -> Config:
    return Config(
        model=ModelConfig(export=export_dir),
        tablet=TabletConfig(state_dir=state),
        display=DisplayConfig(seconds_per_snapshot=60),
        attract=AttractConfig(playlist=[{"scene": "timeline", "seconds": 600}]),
        streams=StreamsConfig(**streams),
    )


@web.middleware
async def source_address(request: web.Request, handler) -> web.StreamResponse:
    """Requests come from the address in ``X-Test-Remote`` (aiohttp's test client is always 127.0.0.1)."""
    remote = request.headers.get("X-Test-Remote")
    return await handler(request.clone(remote=remote) if remote else request)


async def make_client(aiohttp_client, config: Config, timeline: Timeline):
    app = create_app(config, Engine(timeline))
    app.middlewares.append(source_address)
    return await aiohttp_client(app)


def headers(client, path: str, address: str | None = None) -> dict:
    token = {"Authorization": f"Bearer {client.app[ADMIN].token}"} if path == PRESENTER else {}
    return token | ({"X-Test-Remote": address} if address else {})


async def open_stream(client, path: str, address: str | None = None) -> SseReader:
    response = await client.get(path, headers=headers(client, path, address))
    assert response.status == 200, await response.text()
    reader = SseReader(response)
    assert (await reader.next()).retry == 2000
    return reader


async def refused(client, path: str, address: str | None = None) -> dict:
    response = await client.get(path, headers=headers(client, path, address))
    assert response.status == 503
    assert response.headers["Content-Type"].startswith("application/json")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    return await response.json()


async def health(client) -> dict:
    return await (await client.get("/healthz")).json()


async def test_the_33rd_screen_stream_is_refused_with_503_while_32_are_open(
    aiohttp_client, export_dir: Path, tmp_path: Path, timeline: Timeline
) -> None:
    client = await aiohttp_client(create_app(make_config(export_dir, tmp_path), Engine(timeline)))
    readers = [await open_stream(client, SCREEN) for _ in range(32)]  # the default: 32 screens
    body = await refused(client, SCREEN)
    assert "too many screen streams" in body["error"] and "32" in body["error"]
    assert (await health(client))["rejected"]["too_many_streams"] == 1
    readers[0].response.close()  # one screen goes away: a new one may come
    await asyncio.sleep(0.2)
    await open_stream(client, SCREEN)


@pytest.mark.parametrize("path", [SCREEN, PLAYGROUND, PRESENTER])
async def test_each_kind_has_its_own_limit(
    aiohttp_client, export_dir: Path, tmp_path: Path, timeline: Timeline, path: str
) -> None:
    config = make_config(export_dir, tmp_path, max_per_kind=2)
    client = await make_client(aiohttp_client, config, timeline)
    for _ in range(2):
        await open_stream(client, path)
    kind = {SCREEN: "screen", PLAYGROUND: "playground", PRESENTER: "presenter"}[path]
    assert f"too many {kind} streams" in (await refused(client, path))["error"]
    for other in {SCREEN, PLAYGROUND, PRESENTER} - {path}:  # the other kinds are not affected
        await open_stream(client, other)
    streams = (await health(client))["streams"]
    assert streams["open"][kind] == 2 and streams["refused"][kind] == 1


async def test_one_address_gets_a_small_share_and_the_exhibit_pc_is_not_limited_per_address(
    aiohttp_client, export_dir: Path, tmp_path: Path, timeline: Timeline
) -> None:
    config = make_config(export_dir, tmp_path, max_per_kind=12, max_per_address=3)
    client = await make_client(aiohttp_client, config, timeline)
    for _ in range(3):
        await open_stream(client, SCREEN, "10.0.0.66")
    assert "from your address" in (await refused(client, SCREEN, "10.0.0.66"))["error"]
    await open_stream(client, SCREEN, "10.0.0.67")  # another address still gets in
    for _ in range(5):  # the exhibit PC's own screen and tools (loopback)
        await open_stream(client, SCREEN)
    assert (await health(client))["rejected"]["too_many_streams"] == 1


async def test_a_screen_that_stops_reading_is_cut_off_within_the_write_timeout(
    aiohttp_client, export_dir: Path, tmp_path: Path, timeline: Timeline
) -> None:
    config = make_config(export_dir, tmp_path, write_timeout_seconds=1, buffer_kib=16)
    client = await make_client(aiohttp_client, config, timeline)
    hub = client.app[SCREEN_HUB]
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.setblocking(False)
    loop = asyncio.get_running_loop()
    with stalled:
        await loop.sock_connect(stalled, (client.server.host, client.server.port))
        await loop.sock_sendall(stalled, f"GET {SCREEN} HTTP/1.1\r\nHost: exhibit\r\n\r\n".encode())
        for _ in range(100):
            if client.app[STREAMS].open_count("screen") == 1:
                break
            await asyncio.sleep(0.02)
        started = time.monotonic()
        while client.app[STREAMS].open_count("screen") and time.monotonic() - started < 10:
            hub.publish("activation", {"layers": [[0.5] * 1000]})  # ~4 KB, 50 a second
            await asyncio.sleep(0.02)
        assert client.app[STREAMS].open_count("screen") == 0
        assert time.monotonic() - started < 4  # 16 KiB buffers fill at once; then 1 s to write
    assert (await health(client))["streams"]["cut_off"]["screen"] == 1


def test_seats_are_counted_per_kind_and_address_and_given_back() -> None:
    settings = StreamsConfig(max_per_kind=3, max_per_address=2)
    seats = StreamSeats(lambda: settings)
    with seats.seat("screen", "10.0.0.1"), seats.seat("screen", "10.0.0.1"):
        with pytest.raises(Rejected) as info, seats.seat("screen", "10.0.0.1"):
            pass
        assert info.value.status == 503 and info.value.reason == "too_many_streams"
        assert "from your address" in info.value.message
        with seats.seat("screen", "::1"):  # loopback: no share of its own, but counts for the kind
            with pytest.raises(Rejected, match="too many screen streams"), seats.seat("screen", "10.0.0.2"):
                pass
            with seats.seat("playground", "10.0.0.1"):
                assert seats.stats()["open"] == {"screen": 3, "playground": 1, "presenter": 0}
    assert seats.stats()["open"] == {"screen": 0, "playground": 0, "presenter": 0}
    assert seats.stats()["refused"] == {"screen": 2, "playground": 0, "presenter": 0}
    assert seats.tracked_addresses() == 0  # nothing kept for addresses that left
