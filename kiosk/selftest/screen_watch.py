"""The exhibit screen's event stream as the self-test follows it: did its drawing reach the screen?

``ScreenWatch`` opens ``GET /api/display/events`` as a screen does (docs/display.md) and reads it
in a background task: the state the stream starts with (the ``exhibit`` event: open, closed, a
presenter holding it; the ``pairing`` event: a pairing window open) and every ``activation`` (what
the network on the screen shows now) with the moment it came. ``shown`` then says whether, and
when, the screen showed a given answer: the same digit with the same ten probabilities, from a
visitor's drawing. Only the fields of the event-stream format the exhibit writes are read
(``event:`` and ``data:`` lines, a blank line ending each event).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

SAME_PROBABILITY = 2e-4  # the tablet and the screen each round the probabilities to 4 places


class ScreenWatchError(Exception):
    """The screen's event stream could not be opened."""


@dataclass(frozen=True)
class Shown:
    at: float  # clock() when it came
    activation: dict


class ScreenWatch:
    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.http, self.url, self.clock = http, f"{base_url.rstrip('/')}/api/display/events", clock
        self.latest: dict[str, dict] = {}  # event kind → its newest data
        self.activations: list[Shown] = []
        self.ended = False
        self._news = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._response: aiohttp.ClientResponse | None = None

    async def open(self) -> None:
        """Start following the stream; ScreenWatchError if the exhibit refuses it."""
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5)
        response = await self.http.get(self.url, timeout=timeout, headers={"Accept": "text/event-stream"})
        if response.status != 200:
            text = (await response.text())[:200]
            response.release()
            raise ScreenWatchError(f"the screen's event stream was refused ({response.status}): {text}")
        self._response = response
        self._task = asyncio.ensure_future(self._read(response))

    async def state(self, kind: str, timeout: float) -> dict | None:
        """The data of the newest ``kind`` event, waiting up to ``timeout`` for the first; None if none."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while kind not in self.latest and not self.ended:
                    await self._next_news()
        return self.latest.get(kind)

    def mark(self) -> int:
        """Where the activations seen so far end: pass it to ``shown`` to look only at later ones."""
        return len(self.activations)

    async def shown(self, since: int, digit: int, probabilities: list[float], timeout: float) -> Shown | None:
        """The first activation after ``since`` showing a visitor's drawing answered ``digit`` with
        ``probabilities``, waiting up to ``timeout``; None if the screen did not show it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while True:
                    for seen in self.activations[since:]:
                        if _same_answer(seen.activation, digit, probabilities):
                            return seen
                    since = len(self.activations)
                    if self.ended:
                        return None
                    await self._next_news()
        return None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._response is not None:
            self._response.close()

    async def _next_news(self) -> None:
        self._news.clear()
        await self._news.wait()

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        kind, data = None, []
        try:
            async for raw in response.content:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line:
                    field, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if field == "event":
                        kind = value
                    elif field == "data":
                        data.append(value)
                    continue
                if kind and data:
                    self._received(kind, "\n".join(data))
                kind, data = None, []
        except (aiohttp.ClientError, OSError):
            pass  # the stream broke: what it showed so far stands
        finally:
            self.ended = True
            self._news.set()

    def _received(self, kind: str, text: str) -> None:
        try:
            payload = json.loads(text)
        except ValueError:
            return
        if not isinstance(payload, dict):
            return
        self.latest[kind] = payload
        if kind == "activation":
            self.activations.append(Shown(self.clock(), payload))
        self._news.set()


def _same_answer(activation: dict, digit: int, probabilities: list[float]) -> bool:
    shown = activation.get("probabilities")
    if activation.get("source") != "visitor" or activation.get("digit") != digit or not shown:
        return False
    return len(shown) == len(probabilities) and all(
        abs(a - b) <= SAME_PROBABILITY for a, b in zip(shown, probabilities, strict=True)
    )
