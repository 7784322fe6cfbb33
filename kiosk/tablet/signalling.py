"""WebRTC signalling for tablets: an HTTP offer in, an answer out, then a data-channel session.

Non-trickle ICE: aiortc gathers its candidates while setting the local description, so the
answer carries them all and one request suffices. Only a tablet with a valid device credential
gets a peer connection; every connection is tracked and closed when its channel closes, ICE
fails, the tablet goes away or the server shuts down (after aiortc's examples/server/server.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription

from kiosk.model.engine import Engine, Inference
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.session import TabletSession

MAX_SDP_BYTES = 16 * 1024  # a data-channel offer is 1–3 KB


class SignallingError(Exception):
    """An offer that is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Peer:
    device: str
    pc: RTCPeerConnection
    session: TabletSession | None = None
    task: asyncio.Task | None = None


@dataclass
class TabletPeers:
    """All tablets' peer connections; at most ``drawers`` draw at once."""

    engine: Engine
    limits: StrokeLimits
    ice_servers: list[str] = field(default_factory=list)  # STUN/TURN URLs; none on a museum LAN
    drawers: int = 1
    take_over: bool = False  # when full: the newcomer takes over (True) or is refused as busy
    rate_hz: float = 30.0
    max_errors: int = 20  # bad messages a minute before a tablet is dropped
    snapshot: str | None = None  # model.snapshot: which stage of training answers (None: final)
    on_activity: Callable[[], None] = lambda: None  # passed to each TabletSession (the screen)
    on_drawing: Callable[[Inference | None], None] = lambda result: None
    greeting: Callable[[], str | None] = lambda: None  # sent to each tablet as its channel opens
    on_presenter_pen: Callable[[], None] = lambda: None  # instead of on_activity for extra_seats
    extra_seats: set[str] = field(default_factory=set)  # devices beside the drawers (presenters' remote pens)
    peers: list[Peer] = field(default_factory=list)

    def broadcast(self, message: str) -> None:
        """Send ``message`` to every connected tablet (e.g. the exhibit closing)."""
        for peer in self.peers:
            if peer.session:
                peer.session.send(message)

    async def answer(self, device: str, offer_sdp: object, offer_type: object) -> RTCSessionDescription:
        """Create the peer connection for ``device`` (already authenticated) and return the answer."""
        if offer_type != "offer" or not isinstance(offer_sdp, str) or not offer_sdp.strip():
            raise SignallingError(400, 'expected {"type": "offer", "sdp": "..."}')
        if len(offer_sdp.encode()) > MAX_SDP_BYTES:
            raise SignallingError(413, f"offer larger than {MAX_SDP_BYTES} bytes")
        if "m=application" not in offer_sdp:  # aiortc would accept it and answer with nothing
            raise SignallingError(400, "the offer has no data channel")
        await self._make_room(device)
        config = RTCConfiguration([RTCIceServer(url) for url in self.ice_servers])
        peer = Peer(device, RTCPeerConnection(config))
        self.peers.append(peer)
        self._watch(peer)
        try:
            await peer.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
            await peer.pc.setLocalDescription(await peer.pc.createAnswer())
        except Exception as e:  # aiortc raises assorted errors for SDP it cannot use
            await self.close(peer)
            raise SignallingError(400, f"unusable offer: {str(e)[:200]}") from None
        return peer.pc.localDescription

    async def close(self, peer: Peer) -> None:
        if peer in self.peers:
            self.peers.remove(peer)
        if peer.session:
            peer.session.close()
        if peer.task:
            peer.task.cancel()
        await peer.pc.close()

    async def close_all(self) -> None:
        await asyncio.gather(*(self.close(peer) for peer in list(self.peers)))

    async def _make_room(self, device: str) -> None:
        # A tablet that reconnects replaces its own old connection.
        for peer in [p for p in self.peers if p.device == device]:
            await self.close(peer)
        if device in self.extra_seats:
            return
        seated = [p for p in self.peers if p.device not in self.extra_seats]
        if len(seated) >= self.drawers:
            if not self.take_over:
                raise SignallingError(409, "another tablet is drawing; try again when it is done")
            await self.close(seated[0])

    def _watch(self, peer: Peer) -> None:
        pc = peer.pc

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self.close(peer)

        @pc.on("datachannel")
        def on_channel(channel) -> None:
            if peer.session:  # one drawing channel per tablet
                channel.close()
                return
            peer.session = TabletSession(
                self.engine,
                self.limits,
                send=lambda text: channel.send(text) if channel.readyState == "open" else None,
                on_abuse=lambda why: asyncio.ensure_future(self.close(peer)),
                rate_hz=self.rate_hz,
                max_errors=self.max_errors,
                # A presenter's remote pen keeps their hold alive; it is not a visitor at the exhibit.
                on_activity=self.on_presenter_pen if peer.device in self.extra_seats else self.on_activity,
                on_drawing=self.on_drawing,
                snapshot=self.snapshot,
            )
            peer.task = asyncio.ensure_future(peer.session.run())
            channel.on("message", peer.session.receive)
            greeting = self.greeting()
            if greeting:
                peer.session.send(greeting)
            channel.on("close", lambda: asyncio.ensure_future(self.close(peer)))
