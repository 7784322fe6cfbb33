"""Offers from privacy-preserving browsers (mDNS host candidates) connect: kiosk/tablet/ice_offer.py.

The real-browser proof (Firefox with its default settings, across two network namespaces) is in
the browser tests; these use aiortc as the tablet, with its offer rewritten as Firefox writes it:
host candidates under random ``<uuid>.local`` names that nothing here can resolve, and
``a=end-of-candidates``.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.ice_offer import usable_offer
from kiosk.tablet.signalling import TabletPeers
from kiosk.tablet.virtual import VirtualTablet, VirtualTabletError

FIREFOX_LIKE = (
    "v=0\r\no=mozilla...THIS_IS_SDPARTA-128.5.0 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
    "a=candidate:0 1 UDP 2122252543 4f9a1b2c-1111-4a4a-9d9d-123456789abc.local 50101 typ host\r\n"
    "a=candidate:2 1 TCP 2105524479 4f9a1b2c-1111-4a4a-9d9d-123456789abc.local 9 typ host tcptype active\r\n"
    "a=candidate:1 1 UDP 1686052863 198.51.100.7 50101 typ srflx raddr 0.0.0.0 rport 0\r\n"
    "a=end-of-candidates\r\na=mid:0\r\na=sctp-port:5000\r\n"
)


def as_firefox_offers(sdp: str) -> str:
    """``sdp`` with its host candidates under mDNS names, no others, and end-of-candidates."""
    names: dict[str, str] = {}

    def hide(match: re.Match) -> str:
        name = names.setdefault(match[2], f"{uuid.uuid4()}.local")
        return f"{match[1]}{name}{match[3]}"

    hidden = re.sub(r"(a=candidate:\S+ \d+ \S+ \d+ )(\S+)( \d+ typ host)", hide, sdp)
    lines = [line for line in hidden.splitlines() if "typ srflx" not in line and line]
    return "\r\n".join([*lines, "a=end-of-candidates"]) + "\r\n"


def test_mdns_host_candidates_are_also_offered_at_the_requests_address_and_held_back() -> None:
    offer = usable_offer(FIREFOX_LIKE, "10.231.0.2")
    candidates = [line for line in offer.sdp.splitlines() if line.startswith("a=candidate:")]
    assert candidates == [
        "a=candidate:0 1 UDP 2122252543 10.231.0.2 50101 typ host",  # the UDP one, at the tablet's address
        "a=candidate:1 1 UDP 1686052863 198.51.100.7 50101 typ srflx raddr 0.0.0.0 rport 0",
    ]
    assert "end-of-candidates" not in offer.sdp  # aioice waits for the browser's own checks
    assert [(c.ip, c.port, c.protocol.lower(), c.sdpMid) for c in offer.held_back] == [
        ("4f9a1b2c-1111-4a4a-9d9d-123456789abc.local", 50101, "udp", "0"),
        ("4f9a1b2c-1111-4a4a-9d9d-123456789abc.local", 9, "tcp", "0"),
    ]


@pytest.mark.parametrize(
    ("remote", "expected"),
    [("::ffff:10.231.0.2", "10.231.0.2"), ("fd00::5", "fd00::5"), (None, None), ("unix-socket", None)],
)
def test_the_requests_address_is_used_only_as_an_ip_literal(remote: str | None, expected: str | None) -> None:
    sdp = usable_offer(FIREFOX_LIKE, remote).sdp
    host = [line.split()[4] for line in sdp.splitlines() if "typ host" in line]
    assert host == ([expected] if expected else [])


def test_an_offer_with_plain_addresses_is_left_as_it_is_but_for_end_of_candidates() -> None:
    plain = FIREFOX_LIKE.replace("4f9a1b2c-1111-4a4a-9d9d-123456789abc.local", "10.231.0.9")
    offer = usable_offer(plain, "10.231.0.2")
    assert offer.sdp == plain.replace("a=end-of-candidates\r\n", "") and offer.held_back == []


@pytest.fixture
def peers(export_dir: Path):
    return TabletPeers(Engine(load_timeline(export_dir)), StrokeLimits(), connect_timeout_s=10)


@pytest.mark.slow
async def test_without_the_workaround_aiortc_cannot_use_an_mdns_offer() -> None:
    """Why ice_offer.py exists: when this starts to pass (aioice fixed upstream), it may go."""
    tablet, exhibit = VirtualTablet(), RTCPeerConnection()
    await exhibit.setRemoteDescription(
        RTCSessionDescription(as_firefox_offers(await tablet.offer()), "offer")
    )
    await exhibit.setLocalDescription(await exhibit.createAnswer())
    with pytest.raises(VirtualTabletError):
        await tablet.accept(exhibit.localDescription.sdp, "answer", timeout=4)
    await tablet.close()
    await exhibit.close()


@pytest.mark.parametrize("tablet_address", ["127.0.0.1", None], ids=["request-address", "peer-reflexive"])
async def test_an_mdns_offer_connects_and_draws(peers: TabletPeers, tablet_address: str | None) -> None:
    """With the request's address, or with none (the browser's checks teach aioice its address)."""
    tablet = VirtualTablet()
    answer = await peers.answer(
        "tab1", as_firefox_offers(await tablet.offer()), "offer", tablet_address=tablet_address
    )
    await tablet.accept(answer.sdp, answer.type, timeout=8)
    tablet.send(type="stroke_begin", stroke=1, points=[[50, 0, 0], [50, 60, 20], [51, 120, 40]])
    tablet.send(type="stroke_end", stroke=1)
    prediction = await tablet.next("prediction")
    assert prediction["seq"] == 1 and 0 <= prediction["digit"] <= 9
    assert peers.connected() == {"tab1"}
    await tablet.close()
    await peers.close_all()
