"""WebRTC signalling for tablets: an HTTP offer in, an answer out, then a data-channel session.

Non-trickle ICE: aiortc gathers its candidates while setting the local description, so the
answer carries them all and one request suffices. Offers from browsers that hide their address
behind mDNS names are made usable first (kiosk/tablet/ice_offer.py). Only a tablet with a valid
device credential gets a peer connection; every connection is tracked and closed when its
channel closes, ICE fails, the tablet goes away or the server shuts down (after aiortc's
examples/server/server.py).

A seat belongs only to a tablet that is really there: a peer whose data channel has not opened
``connect_timeout_s`` after its offer, or whose tablet has sent nothing (not even its ping every
second or two) for ``silence_timeout_s``, is closed, and its seat is free. Why a tablet was
dropped is logged with its name and kept in ``problems`` (for the presenter's status) until it
connects again.

The log has one line when a tablet connects and one when it disconnects, with why: it left,
nothing heard (silence timeout), the connection failed (ICE), replaced by its own new
connection, another tablet took its seat, revoked, the exhibit is stopping. A failure is a
warning. A tablet that never connected logs only its failure, and the same failure again
(its page retrying all day) once an hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from aiortc import RTCConfiguration, RTCDataChannel, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcicetransport import RTCIceCandidate

from kiosk.model.engine import Engine
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.ice_offer import UsableOffer, usable_offer
from kiosk.tablet.session import SessionHooks, TabletSession

log = logging.getLogger(__name__)

MAX_SDP_BYTES = 16 * 1024  # a data-channel offer is 1–3 KB
LOG_AGAIN_S = 3600.0  # the same problem of the same tablet is logged again after this long


class SignallingError(Exception):
    """An offer that is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Peer:
    device: str
    pc: RTCPeerConnection
    name: str = ""  # the tablet's name from pairing, for the log
    session: TabletSession | None = None
    opened: asyncio.Event = field(default_factory=asyncio.Event)  # its data channel is open
    last_heard: float = 0.0  # clock() at its last message
    tasks: list[asyncio.Task] = field(default_factory=list)

    @property
    def label(self) -> str:
        return tablet_label(self.device, self.name)


def tablet_label(device: str, name: str) -> str:
    """How the log names a tablet: its name from pairing and its id."""
    return f"tablet {name!r} ({device})" if name else f"tablet {device}"


@dataclass
class TabletPeers:
    """All tablets' peer connections; at most ``drawers`` draw at once."""

    engine: Engine
    limits: StrokeLimits
    ice_servers: list[str] = field(default_factory=list)  # STUN/TURN URLs; none on a museum LAN
    drawers: int = 1
    take_over: bool = False  # when full: the newcomer takes over (True) or is refused as busy
    rate_hz: float = 60.0
    max_errors: int = 20  # bad messages a minute before a tablet is dropped
    connect_timeout_s: float = 10.0  # offer → open data channel, or the seat is freed
    silence_timeout_s: float = 10.0  # an open channel with no message for this long is dropped
    snapshot: str | None = None  # model.snapshot: which stage of training answers (None: final)
    hooks: SessionHooks = SessionHooks()  # passed to each TabletSession (the director, screen, metrics)
    greeting: Callable[[], str | None] = lambda: None  # sent to each tablet as its channel opens
    on_presenter_pen: Callable[[], object] = lambda: None  # instead of on_activity for extra_seats
    extra_seats: set[str] = field(default_factory=set)  # devices beside the drawers (presenters' remote pens)
    clock: Callable[[], float] = time.monotonic
    peers: list[Peer] = field(default_factory=list)
    problems: dict[str, dict[str, str]] = field(default_factory=dict)  # device → {"code", "detail"}
    _logged: dict[str, float] = field(default_factory=dict)  # device → clock() of its last logged problem

    def broadcast(self, message: str) -> None:
        """Send ``message`` to every connected tablet (e.g. the exhibit closing)."""
        for peer in self.peers:
            if peer.session:
                peer.session.send(message)

    def answer_again(self) -> None:
        """Every connected tablet's drawing answered again (the network that reads them changed)."""
        for peer in self.peers:
            if peer.session:
                peer.session.answer_again()

    def connected(self) -> set[str]:
        """Devices whose data channel is open now."""
        return {peer.device for peer in self.peers if peer.opened.is_set()}

    def report(self, device: str, name: str, code: str, detail: str) -> None:
        """Remember and log why ``device`` cannot connect or was dropped (its own report, or ours):
        ``code`` for the presenter's page to translate, ``detail`` for staff reading the log."""
        if self._remember(device, code, detail):
            log.warning("%s: %s", tablet_label(device, name), detail)

    def _remember(self, device: str, code: str, detail: str) -> bool:
        """Keep the problem for the presenter's status; True if it is to be logged as a warning now."""
        again = self.problems.get(device, {}).get("code") == code
        self.problems[device] = {"code": code, "detail": detail}
        if again and self.clock() - self._logged.get(device, -LOG_AGAIN_S) < LOG_AGAIN_S:
            return False
        self._logged[device] = self.clock()  # a tablet retrying all day logs its problem hourly
        return True

    async def answer(
        self,
        device: str,
        offer_sdp: object,
        offer_type: object,
        *,
        name: str = "",
        tablet_address: str | None = None,
    ) -> RTCSessionDescription:
        """Create the peer connection for ``device`` (already authenticated) and return the answer.
        ``tablet_address``: where the offer's HTTP request came from (for mDNS candidates)."""
        if offer_type != "offer" or not isinstance(offer_sdp, str) or not offer_sdp.strip():
            raise SignallingError(400, 'expected {"type": "offer", "sdp": "..."}')
        if len(offer_sdp.encode()) > MAX_SDP_BYTES:
            raise SignallingError(413, f"offer larger than {MAX_SDP_BYTES} bytes")
        if "m=application" not in offer_sdp:  # aiortc would accept it and answer with nothing
            raise SignallingError(400, "the offer has no data channel")
        if "a=fingerprint:" not in offer_sdp:  # aiortc would accept it and fail later, in a task
            raise SignallingError(400, "the offer has no DTLS fingerprint")
        offer = usable_offer(offer_sdp, tablet_address)
        await self._make_room(device, name)
        config = RTCConfiguration([RTCIceServer(url) for url in self.ice_servers])
        peer = Peer(device, RTCPeerConnection(config), name)
        self.peers.append(peer)
        self._watch(peer)
        try:
            await peer.pc.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
            await peer.pc.setLocalDescription(await peer.pc.createAnswer())
        except Exception as e:  # aiortc raises assorted errors for SDP it cannot use
            await self.close(peer)
            raise SignallingError(400, f"unusable offer: {str(e)[:200]}") from None
        peer.tasks.append(asyncio.ensure_future(self._supervise(peer)))
        peer.tasks.append(asyncio.ensure_future(_add_held_back(peer, offer)))
        return peer.pc.localDescription

    async def close(self, peer: Peer, problem: tuple[str, str] | None = None, why: str = "it left") -> None:
        """Close ``peer``; ``problem`` (code, detail) says why, if the tablet or the network failed,
        else ``why`` (for the log)."""
        if peer not in self.peers:
            return  # closed already
        self.peers.remove(peer)
        self._log_closing(peer, problem, why)
        if peer.session:
            peer.session.close()
        for task in peer.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        try:
            await peer.pc.close()
        except Exception:  # a half-built connection (an offer it could not use) may fail to close
            log.debug("closing %s's peer connection failed", peer.label, exc_info=True)

    def _log_closing(self, peer: Peer, problem: tuple[str, str] | None, why: str) -> None:
        if problem:
            fresh = self._remember(peer.device, *problem)  # (a connected tablet's problems are fresh)
            if peer.opened.is_set():
                log.warning("%s disconnected: %s", peer.label, problem[1])
            elif fresh:
                log.warning("%s: %s", peer.label, problem[1])
        elif peer.opened.is_set():
            log.info("%s disconnected: %s", peer.label, why)

    def _drop_later(self, peer: Peer, why: str) -> None:
        """A session's abuse verdict (from a message callback): close the tablet on the loop."""
        asyncio.ensure_future(self.close(peer, ("dropped", why)))

    async def close_all(self) -> None:
        await asyncio.gather(*(self.close(peer, why="the exhibit is stopping") for peer in list(self.peers)))

    async def _make_room(self, device: str, name: str) -> None:
        # A tablet that reconnects replaces its own old connection.
        for peer in [p for p in self.peers if p.device == device]:
            await self.close(peer, why="replaced by its own new connection")
        if device in self.extra_seats:
            return
        seated = [p for p in self.peers if p.device not in self.extra_seats]
        if len(seated) >= self.drawers:
            if not self.take_over:
                raise SignallingError(409, "another tablet is drawing; try again when it is done")
            await self.close(seated[0], why=f"{tablet_label(device, name)} took its seat (tablet.when_busy)")

    async def _supervise(self, peer: Peer) -> None:
        """Free the seat of a tablet that never connects or falls silent."""
        try:
            await asyncio.wait_for(peer.opened.wait(), self.connect_timeout_s)
        except TimeoutError:
            state = peer.pc.iceConnectionState
            why = f"no connection within {self.connect_timeout_s:g} s (ICE {state}); does UDP pass?"
            await self.close(peer, ("connect_timeout", why))
            return
        while peer in self.peers:
            silent_s = self.clock() - peer.last_heard
            if silent_s >= self.silence_timeout_s:
                await self.close(peer, ("silent", f"nothing heard for {silent_s:.1f} s (silence timeout)"))
                return
            await asyncio.sleep(self.silence_timeout_s - silent_s)

    def _watch(self, peer: Peer) -> None:
        pc = peer.pc

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState == "failed":
                await self.close(peer, ("connection_failed", "the network connection failed (ICE or DTLS)"))
            elif pc.connectionState == "closed":
                await self.close(peer)

        @pc.on("datachannel")
        def on_channel(channel: RTCDataChannel) -> None:
            if peer.session:  # one drawing channel per tablet
                channel.close()
                return
            peer.session = session = TabletSession(
                self.engine,
                self.limits,
                send=lambda text: channel.send(text) if channel.readyState == "open" else None,
                on_abuse=lambda why: self._drop_later(peer, why),
                rate_hz=self.rate_hz,
                max_errors=self.max_errors,
                # A presenter's remote pen keeps their hold alive; it is not a visitor at the exhibit.
                hooks=replace(self.hooks, on_activity=self.on_presenter_pen)
                if peer.device in self.extra_seats
                else self.hooks,
                snapshot=self.snapshot,
            )
            peer.tasks.append(asyncio.ensure_future(session.run()))
            peer.last_heard = self.clock()
            peer.opened.set()
            self.problems.pop(peer.device, None)
            log.info("%s connected", peer.label)

            def on_message(data: str | bytes) -> None:
                peer.last_heard = self.clock()
                session.receive(data)

            channel.on("message", on_message)
            greeting = self.greeting()
            if greeting:
                session.send(greeting)
            channel.on("close", lambda: asyncio.ensure_future(self.close(peer, why="it left")))


async def _add_held_back(peer: Peer, offer: UsableOffer) -> None:
    """Give aioice the offer's mDNS candidates, each resolved (or given up) in a second."""

    async def add(candidate: RTCIceCandidate) -> None:
        with contextlib.suppress(Exception):  # unresolvable or refused: the other candidates remain
            await peer.pc.addIceCandidate(candidate)

    await asyncio.gather(*(add(c) for c in offer.held_back))
