"""How fast a visitor's first touch takes the screen from the attract playlist.

A real server (in this process) runs the attract machine; a paired virtual tablet sends its
first pen message over a real WebRTC data channel; a screen's event stream (SSE, as the display
page reads it) is timed from that send to the ``scene: live`` event. After ``idle_seconds``
without strokes the playlist comes back and the next touch is timed, ``touches`` times.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from kiosk.app import create_app
from kiosk.config import load_config
from kiosk.tablet.routes import TABLETS
from kiosk.tablet.virtual import VirtualTablet

IDLE_S = 3  # the shortest display.idle_seconds allowed
GOAL_MS = 100.0
CONFIG = """model: {{export: {export}}}
tablet: {{state_dir: {state}}}
display: {{idle_seconds: {idle}}}
attract:
  playlist:
    - {{scene: call_to_action, seconds: 3600}}
"""


def bench_takeover(export: Path, touches: int = 10) -> dict:
    return asyncio.run(_measure(export, touches))


async def _measure(export: Path, touches: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kiosk.yaml"
        path.write_text(CONFIG.format(export=export, state=Path(tmp) / "state", idle=IDLE_S))
        app = create_app(load_config(path), config_path=path)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        try:
            return await _touches(app, base, touches)
        finally:
            await runner.cleanup()


async def _touches(app: web.Application, base: str, touches: int) -> dict:
    window = app[TABLETS].pairing.open()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/tablet/pair", json={"code": window.code, "name": "bench"}) as r:
            credential = (await r.json())["credential"]
        tablet = VirtualTablet()
        await tablet.connect(base, credential)
        async with http.get(f"{base}/api/display/events") as stream:
            scenes = _SceneReader(stream)
            delays = []
            for stroke in range(touches + 1):  # 0: the first touch after start-up, reported apart
                await scenes.wait_for(lambda scene: scene != "live", timeout=IDLE_S + 5)
                # A visitor comes up some time after the playlist came back, not in the same few ms
                # (the stream's rate cap would then delay the news by up to one frame, 1/60 s).
                await asyncio.sleep(random.uniform(0.2, 1.0))
                sent = time.perf_counter()
                tablet.send(type="stroke_begin", stroke=stroke + 1, points=[[10, 10, 0], [20, 40, 16]])
                await scenes.wait_for(lambda scene: scene == "live", timeout=5)
                delays.append((time.perf_counter() - sent) * 1000)
                tablet.send(type="stroke_end", stroke=stroke + 1)
                tablet.send(type="clear")
        await tablet.close()
    return {
        "what": "first pen message on the data channel -> 'scene: live' on a screen's event stream",
        "note": "server and clients share one process and loop here; the first touch after start-up "
        "also pays one-time costs (first drawing rasterised, first answer sent) and is reported apart",
        "first_touch_ms": round(delays[0], 2),
        "touches": len(delays) - 1,
        "ms": {
            "median": round(statistics.median(delays[1:]), 2),
            "max": round(max(delays[1:]), 2),
            "all": [round(d, 2) for d in delays[1:]],
        },
        "goal": {"max_ms_at_most": GOAL_MS},
        "met": max(delays) <= GOAL_MS,
    }


class _SceneReader:
    """The ``scene`` events of an SSE response, as they arrive (the newest scene is kept)."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response, self.buffer, self.scene = response, b"", None

    async def wait_for(self, wanted, timeout: float) -> str:
        async with asyncio.timeout(timeout):
            while self.scene is None or not wanted(self.scene):
                await self._read()
        return self.scene

    async def _read(self) -> None:
        self.buffer += await self.response.content.readany()
        while b"\n\n" in self.buffer:
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            lines = block.decode().splitlines()
            if "event: scene" in lines:
                data = next(line[6:] for line in lines if line.startswith("data: "))
                self.scene = json.loads(data)["scene"]
