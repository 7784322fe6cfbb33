"""Offers from privacy-preserving browsers, made usable by aioice: the one ICE workaround.

Firefox, Safari and Chrome by default hide a tablet's address behind a random mDNS name
(``<uuid>.local``) in their host candidates. aioice (aiortc's ICE) resolves such names over
multicast DNS while the offer is applied, drops those it cannot resolve — on the many museum
networks that block multicast, all of them — and, as the offer ends with
``a=end-of-candidates``, declares ICE failed at once ("Components {1} have no candidate
pairs"): before the browser's own connectivity checks, which would have taught it the tablet's
real address as a peer-reflexive candidate, can arrive.

So, before aiortc sees an offer, ``usable_offer``:
- adds, for each ``.local`` UDP host candidate, the same candidate at the address the offer's
  HTTP request came from: on a museum LAN that is the tablet's own address;
- holds the ``.local`` candidates back, to be added once the answer is on its way
  (``TabletPeers``): where multicast works aioice still resolves them (1 s at most), and where
  it does not, the tablet does not wait for it;
- removes ``a=end-of-candidates``: aioice then never gives up by itself and learns the
  peer-reflexive candidates of the browser's checks; the seat's connect timeout
  (``TabletPeers.connect_timeout_s``) ends a connection that never comes up.
Tests: tests/test_tablet_ice_offer.py (a real data channel that does not open without this).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from aiortc import RTCIceCandidate
from aiortc.sdp import candidate_from_sdp

CANDIDATE = "a=candidate:"


@dataclass(frozen=True)
class UsableOffer:
    sdp: str  # for setRemoteDescription
    held_back: list[RTCIceCandidate] = field(default_factory=list)  # for addIceCandidate, later


def usable_offer(sdp: str, tablet_address: str | None) -> UsableOffer:
    """The offer with its mDNS host candidates also at ``tablet_address`` (the HTTP peer) and
    without end-of-candidates; the mDNS candidates themselves are returned to add later."""
    address = _ip_literal(tablet_address)
    lines: list[str] = []
    held_back: list[RTCIceCandidate] = []
    mids: list[str | None] = []  # per media section; Firefox lists candidates before a=mid
    for line in sdp.splitlines():
        if line.startswith("m="):
            mids.append(None)
        elif line.startswith("a=mid:") and mids:
            mids[-1] = line[len("a=mid:") :].strip()
        elif line.strip() == "a=end-of-candidates":
            continue
        elif line.startswith(CANDIDATE) and _is_mdns(line):
            held_back.extend(_candidate(line, len(mids) - 1))
            if address and _is_udp(line):
                lines.append(_at_address(line, address))
            continue
        lines.append(line)
    for candidate in held_back:
        index = candidate.sdpMLineIndex or 0  # always set, by _candidate
        candidate.sdpMid = mids[index] if mids else None
    return UsableOffer("\r\n".join(lines) + "\r\n", held_back)


def _fields(line: str) -> list[str]:
    # a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    return line[len(CANDIDATE) :].split()


def _is_mdns(line: str) -> bool:
    fields = _fields(line)
    return len(fields) > 4 and fields[4].lower().rstrip(".").endswith(".local")


def _is_udp(line: str) -> bool:
    return _fields(line)[2].lower() == "udp"


def _at_address(line: str, address: str) -> str:
    fields = _fields(line)
    fields[4] = address
    return CANDIDATE + " ".join(fields)


def _candidate(line: str, m_index: int) -> list[RTCIceCandidate]:
    try:
        candidate = candidate_from_sdp(line[len("a=") :].split(":", 1)[1])
    except (ValueError, IndexError, KeyError):
        return []  # a malformed line: aiortc would not have used it either
    candidate.sdpMLineIndex = max(m_index, 0)
    return [candidate]


def _ip_literal(address: str | None) -> str | None:
    """``address`` as an IP literal (IPv4-mapped IPv6 as IPv4), or None if it is not one."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)
