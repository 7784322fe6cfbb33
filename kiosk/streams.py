"""Who may open an event stream, and the write limits every stream runs with (config ``streams:``).

Each Server-Sent Events stream (kiosk/sse.py) holds a connection, a hub subscriber and buffers for
as long as its browser stays; unlimited, a thousand of them were accepted and slowed the tablet's
round trip tenfold (issue 11). So each kind of stream has seats:

- kinds: ``screen`` (/api/display/events), ``playground`` (/api/train_stream) and ``presenter``
  (/api/presenter/events); at most ``streams.max_per_kind`` of each are open at once;
- at most ``streams.max_per_address`` of each kind from one client address, so that one machine
  cannot take all seats; loopback addresses (the exhibit PC's own screen and staff tools) count
  towards their kind only;
- a stream that finds no seat is refused before anything is sent: 503 with ``Retry-After`` and
  ``{"error": ...}``, counted as ``too_many_streams`` (the screen's page tries again by itself);
- a seat is given back when its stream ends, however it ends.

Settings are read when a stream opens, so a reload applies to new streams. ``stats()`` (in
/healthz) gives the open, refused and cut-off (stopped reading) streams per kind.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections import Counter
from collections.abc import Callable, Iterator

from aiohttp import web

from kiosk.config import StreamsConfig
from kiosk.http_errors import Rejected
from kiosk.sse import EventSource, stream_events

KINDS = ("screen", "playground", "presenter")
RETRY_AFTER_S = 10  # about when a seat may be free again; EventSource pages retry on their own


class StreamSeats:
    def __init__(self, settings: Callable[[], StreamsConfig]) -> None:
        self.settings = settings  # asked at each new stream: a reload applies at once
        self._open: Counter[str] = Counter()
        self._by_address: Counter[tuple[str, str]] = Counter()
        self._refused: Counter[str] = Counter()
        self._cut_off: Counter[str] = Counter()

    @contextlib.contextmanager
    def seat(self, kind: str, address: str | None) -> Iterator[None]:
        """Hold one seat of ``kind`` for ``address`` while the block runs; Rejected (503) if none is free."""
        self._take(kind, address or "")
        try:
            yield
        finally:
            self._give_back(kind, address or "")

    def cut_off(self, kind: str) -> None:
        """Count a stream of ``kind`` ended because its client stopped reading."""
        self._cut_off[kind] += 1

    def open_count(self, kind: str) -> int:
        return self._open[kind]

    def tracked_addresses(self) -> int:
        """How many (kind, address) pairs hold seats now (for tests: none are kept after they leave)."""
        return len(self._by_address)

    def stats(self) -> dict[str, dict[str, int]]:
        counters = {"open": self._open, "refused": self._refused, "cut_off": self._cut_off}
        return {name: {kind: counter[kind] for kind in KINDS} for name, counter in counters.items()}

    def _take(self, kind: str, address: str) -> None:
        options = self.settings()
        if self._open[kind] >= options.max_per_kind:
            self._refuse(kind, f"too many {kind} streams are open (at most {options.max_per_kind})")
        limited = not _is_loopback(address)
        if limited and self._by_address[kind, address] >= options.max_per_address:
            share = options.max_per_address
            self._refuse(kind, f"too many {kind} streams from your address (at most {share})")
        self._open[kind] += 1
        if limited:
            self._by_address[kind, address] += 1

    def _give_back(self, kind: str, address: str) -> None:
        self._open[kind] -= 1
        key = (kind, address)
        if key in self._by_address:
            self._by_address[key] -= 1
            if self._by_address[key] <= 0:
                del self._by_address[key]

    def _refuse(self, kind: str, message: str) -> None:
        self._refused[kind] += 1
        raise Rejected(
            "too_many_streams",
            f"{message}; try again in {RETRY_AFTER_S} s",
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )


async def serve_stream(
    request: web.Request,
    seats: StreamSeats,
    kind: str,
    hub: EventSource,
    initial: Callable[[], list],
    *,
    max_rate_hz: float,
    address: str | None = None,
) -> web.StreamResponse:
    """``stream_events`` in one of ``seats`` of ``kind`` for ``address`` (default: the peer's),
    with the configured limits."""
    options = seats.settings()
    with seats.seat(kind, address if address is not None else request.remote):
        return await stream_events(
            request,
            hub,
            initial,
            max_rate_hz=max_rate_hz,
            write_timeout_s=options.write_timeout_seconds,
            max_buffer_bytes=options.buffer_kib * 1024,
            on_cut_off=lambda: seats.cut_off(kind),
        )


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:  # not an address (a Unix socket, a test's pipe): treat as remote
        return False
