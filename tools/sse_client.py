"""A small Server-Sent Events reader for tests and benchmarks: messages off a streaming aiohttp response."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp


@dataclass
class Message:
    event: str | None = None
    data: str | None = None
    retry: int | None = None
    comment: str | None = None

    @property
    def json(self) -> dict:
        assert self.data is not None
        return json.loads(self.data)


def parse_block(block: str) -> Message:
    """One SSE message (the lines between blank lines), per the WHATWG event-stream rules we use."""
    message, data = Message(), []
    for line in block.split("\n"):
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "":
            message.comment = value
        elif field == "event":
            message.event = value
        elif field == "data":
            data.append(value)
        elif field == "retry":
            message.retry = int(value)
    message.data = "\n".join(data) if data else None
    return message


class SseReader:
    """Reads messages off a streaming response, whatever the chunking."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response, self.buffer, self.messages = response, bytearray(), deque()

    async def next(self, timeout: float = 1.5) -> Message:
        """The next message; EOFError when the server ended the stream."""
        async with asyncio.timeout(timeout):
            while not self.messages:
                chunk = await self.response.content.readany()
                if not chunk:
                    raise EOFError
                self.buffer += chunk
                while (end := self.buffer.find(b"\n\n")) >= 0:
                    self.messages.append(parse_block(self.buffer[:end].decode()))
                    del self.buffer[: end + 2]
        return self.messages.popleft()

    async def next_event(self, timeout: float = 1.5) -> Message:
        """The next message that is an event (skips retry and comments)."""
        while (message := await self.next(timeout)).event is None:
            pass
        return message

    async def until(
        self, kind: str, condition: Callable[[dict], bool] = lambda data: True, timeout: float = 5.0
    ) -> dict:
        """The data of the next ``kind`` event that meets ``condition`` (others are passed over)."""
        while True:
            message = await self.next_event(timeout)
            if message.event == kind and condition(message.json):
                return message.json
