"""A virtual tablet: plays drawings to a running exhibit over a real WebRTC data channel.

Staff use it (through ``python -m kiosk.replay --webrtc``) to check an installation without a
tablet; tests and benchmarks use it too. It speaks the same protocol as the tablet page.
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
from aiortc import RTCPeerConnection, RTCSessionDescription

FRAME_S = 1 / 60  # the tablet page batches points per animation frame
KEEPALIVE_S = 1.0  # as the page: a ping every second keeps the seat (tablet.silence_timeout_seconds)
KEEPALIVE_T = -1  # the keep-alive pings' "t", so their pongs are told from a caller's


class VirtualTabletError(Exception):
    """The exhibit refused or dropped the virtual tablet; ``status``: the HTTP status of a refusal."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class VirtualTablet:
    def __init__(self, keepalive: bool = True) -> None:
        """``keepalive``: ping every second as the page does (the exhibit drops silent tablets)."""
        self.pc = RTCPeerConnection()
        self.channel = self.pc.createDataChannel("strokes")
        self._inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._open = asyncio.Event()
        self._revision = 0  # mirrors the exhibit's count of drawing changes (docs/protocol.md)
        self._stroke = 0
        self._keepalive: asyncio.Task | None = None
        self.channel.on("open", self._open.set)
        if keepalive:
            self.channel.on("open", self._start_keepalive)
        self.channel.on("message", self._received)

    async def connect(self, base_url: str, credential: str, timeout: float = 15) -> None:
        """Signal over HTTP as the tablet page does, then wait for the data channel."""
        headers = {"Authorization": f"Bearer {credential}"}
        url = f"{base_url.rstrip('/')}/api/tablet/offer"
        offer = {"type": "offer", "sdp": await self.offer()}
        async with aiohttp.ClientSession() as http, http.post(url, json=offer, headers=headers) as response:
            body = await response.json(content_type=None)
        if response.status != 200:
            why = body.get("error") if isinstance(body, dict) else body
            raise VirtualTabletError(
                f"the exhibit refused the connection ({response.status}): {why}", response.status
            )
        await self.accept(body["sdp"], body["type"], timeout)

    async def offer(self) -> str:
        """The offer's SDP, with every ICE candidate (non-trickle)."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, sdp: str, kind: str, timeout: float = 15) -> None:
        """Take the exhibit's answer and wait until the data channel is open."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp, kind))
        try:
            await asyncio.wait_for(self._open.wait(), timeout)
        except TimeoutError:
            raise VirtualTabletError("the data channel did not open") from None

    def send(self, **message: object) -> None:
        """One protocol message (``v`` is added)."""
        self.channel.send(json.dumps({"v": 1, **message}))

    async def next(self, kind: str, timeout: float = 10) -> dict:
        """The next message of type ``kind`` from the exhibit; others are passed over."""
        while True:
            message = await asyncio.wait_for(self._inbox.get(), timeout)
            if message["type"] == kind:
                return message

    async def draw(
        self,
        strokes: list[list[list[float]]],
        speed: float | None = None,
        gap_s: float = 0.05,
        clear: bool = True,
    ) -> tuple[dict, list[float]]:
        """Draw ``strokes`` ([[x, y, t_ms], ...] each), one after another with a pen-up pause of
        ``gap_s``, then clear (unless ``clear`` is False: then call ``clear()`` when done). Returns
        the prediction for the whole drawing and, per stroke, the milliseconds from its last
        message to its prediction. ``speed`` None sends each stroke in one message; a number
        replays the pen's timing, batched per frame, that much faster."""
        round_trips = []
        for i, points in enumerate(strokes):
            if i:
                await asyncio.sleep(gap_s)
            sent_at = await self._stroke_messages(points, speed)
            prediction = await self._prediction()
            round_trips.append((time.perf_counter() - sent_at) * 1000)
        if clear:
            self.clear()
        return prediction, round_trips

    def clear(self) -> None:
        """Clear the drawing, as a visitor does when done (not in front of the next drawing)."""
        self.send(type="clear")
        self._revision += 1

    async def _prediction(self) -> dict:
        """The answer to the drawing as it is now (the newest revision)."""
        while True:
            message = await asyncio.wait_for(self._inbox.get(), 10)
            if message["type"] == "error":
                raise VirtualTabletError(f"the exhibit refused a message: {message['message']}")
            if message["type"] == "prediction" and message["seq"] == self._revision:
                return message

    async def close(self) -> None:
        if self._keepalive:
            self._keepalive.cancel()
        await self.pc.close()

    def _received(self, text: str) -> None:
        message = json.loads(text)
        if message.get("type") != "pong" or message.get("t") != KEEPALIVE_T:  # keep-alives are ours
            self._inbox.put_nowait(message)

    def _start_keepalive(self) -> None:
        async def ping() -> None:
            while self.channel.readyState == "open":
                self.send(type="ping", t=KEEPALIVE_T)
                await asyncio.sleep(KEEPALIVE_S)

        self._keepalive = asyncio.ensure_future(ping())

    async def _stroke_messages(self, points: list[list[float]], speed: float | None) -> float:
        self._stroke += 1
        if speed is None:
            self.send(type="stroke_begin", stroke=self._stroke, points=points)
            self._revision += 1
        else:
            await self._in_real_time(points, speed)
        sent_at = time.perf_counter()
        self.send(type="stroke_end", stroke=self._stroke)
        return sent_at

    async def _in_real_time(self, points: list[list[float]], speed: float) -> None:
        start, t0 = time.perf_counter(), (points[0][2] if len(points[0]) > 2 else 0.0)
        self.send(type="stroke_begin", stroke=self._stroke, points=points[:1])
        self._revision += 1
        batch: list[list[float]] = []
        for point in points[1:]:
            due = start + ((point[2] if len(point) > 2 else t0) - t0) / 1000 / speed
            if batch and time.perf_counter() + FRAME_S < due:
                self.send(type="points", stroke=self._stroke, points=batch)
                self._revision += 1
                batch = []
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            batch.append(point)
        if batch:
            self.send(type="points", stroke=self._stroke, points=batch)
            self._revision += 1
