"""The playground under load: how fast it learns, how many boundary frames reach screens, and
what training costs the visitor's recognition.

All against a real ``python -m kiosk``: the run is started with ``POST /api/train`` and followed
on ``GET /api/train_stream`` like a screen follows it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import aiohttp

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.replay import DEFAULT_EXPORT, replay

# "Moderate noise", the default architecture, at a pace of its own: the screen's own runs go at
# 4 steps a second and tablets' at 20 on purpose (for people to watch); this measures what the
# machine can do, a frame every frame (playground.frames_per_second) and the spiral within seconds.
SPIRAL = {"dataset": "spiral", "noise": 0.2, "steps_per_second": 60}


async def events(session: aiohttp.ClientSession, url: str):
    """(kind, data) from an SSE stream, as they arrive."""
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=None)) as response:
        kind, data = None, []
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif not line and kind:
                yield kind, json.loads("\n".join(data))
                kind, data = None, []


async def start_run(session: aiohttp.ClientSession, base: str, token: str, config: dict) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{base}/api/train", json={"action": "start", "config": config}, headers=headers
    ) as r:
        body = await r.json()
        assert r.status == 200, body
        return body["run"]


async def time_to_accuracy(base: str, token: str, target: float = 0.9, limit_s: float = 60) -> dict:
    """Seconds from the start command to the first frame with test accuracy ≥ target."""
    async with aiohttp.ClientSession() as session:
        stream = events(session, f"{base}/api/train_stream")
        started = time.perf_counter()
        run = await start_run(session, base, token, SPIRAL)
        best, step = 0.0, 0
        async for kind, data in stream:
            if kind != "metrics" or data.get("run") != run:
                continue
            best, step = max(best, data["test_accuracy"]), data["step"]
            elapsed = time.perf_counter() - started
            if data["test_accuracy"] >= target or elapsed > limit_s:
                return {"seconds": round(elapsed, 2), "test_accuracy": data["test_accuracy"], "steps": step}
    raise RuntimeError("the stream ended")


async def boundary_rate(base: str, token: str, subscribers: int = 10, seconds: float = 10) -> dict:
    """Boundary frames per second that each of ``subscribers`` screens receives while a run trains."""
    counts = [0] * subscribers

    async def watch(i: int, session: aiohttp.ClientSession) -> None:
        async for kind, _ in events(session, f"{base}/api/train_stream"):
            if kind == "boundary":
                counts[i] += 1

    async with aiohttp.ClientSession() as session:
        await start_run(session, base, token, SPIRAL)
        await asyncio.sleep(1)  # past the first frames
        watchers = [asyncio.ensure_future(watch(i, session)) for i in range(subscribers)]
        await asyncio.sleep(seconds)
        for w in watchers:
            w.cancel()
    rates = sorted(c / seconds for c in counts)
    return {"subscribers": subscribers, "min_per_s": rates[0], "median_per_s": rates[len(rates) // 2]}


def recognition_p99(source: Path, rounds: int = 2) -> float:
    """p99 of rasterise + infer over the stroke file, here (best of ``rounds``: the machine is noisy)."""
    engine = Engine(load_timeline(DEFAULT_EXPORT))
    replay(source, engine)  # warm-up
    return min(replay(source, engine)["latency_ms"]["p99"] for _ in range(rounds))


def recognition_while_training(base: str, token: str, source: Path) -> dict:
    """Recognition p99 with the playground idle, then while a run trains (the ratio is the figure)."""
    idle = recognition_p99(source)
    stop = threading.Event()

    def keep_training() -> None:
        async def go() -> None:
            async with aiohttp.ClientSession() as session:
                while not stop.is_set():
                    await start_run(session, base, token, SPIRAL | {"seed": int(time.time()) % 1000})
                    await asyncio.sleep(5)

        asyncio.run(go())

    trainer = threading.Thread(target=keep_training, daemon=True)
    trainer.start()
    time.sleep(3)  # the worker is up and training
    try:
        busy = recognition_p99(source)
    finally:
        stop.set()
        trainer.join(10)
    return {"idle_p99_ms": idle, "training_p99_ms": busy, "ratio": round(busy / idle, 2)}
