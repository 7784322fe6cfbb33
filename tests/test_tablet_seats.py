"""A seat belongs only to a tablet that is really connected (kiosk/tablet/signalling.py).

A tablet whose connection never comes up, or that falls silent, is hung up on and frees its
seat; the next tablet gets in. Real aiortc peers on loopback, with short timeouts.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.signalling import SignallingError, TabletPeers
from kiosk.tablet.virtual import VirtualTablet


@pytest.fixture
def peers(export_dir: Path):
    peers = TabletPeers(
        Engine(load_timeline(export_dir)), StrokeLimits(), connect_timeout_s=1.0, silence_timeout_s=1.0
    )
    yield peers


async def connect(tablet: VirtualTablet, peers: TabletPeers, device: str) -> None:
    answer = await peers.answer(device, await tablet.offer(), "offer", name=f"by {device}")
    await tablet.accept(answer.sdp, answer.type)


async def until(condition, seconds: float) -> float:
    """Wait until ``condition()``; returns the seconds it took (AssertionError past ``seconds``)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        if loop.time() - start > seconds:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)
    return loop.time() - start


async def test_a_tablet_that_never_connects_frees_its_seat_for_the_next(peers: TabletPeers, caplog) -> None:
    caplog.set_level(logging.WARNING, "kiosk.tablet.signalling")
    stuck = VirtualTablet()
    await peers.answer("stuck", await stuck.offer(), "offer", name="by the door")  # its answer never arrives
    with pytest.raises(SignallingError) as busy:
        await connect(VirtualTablet(), peers, "next")
    assert busy.value.status == 409  # the seat is taken while it might still connect
    took = await until(lambda: not peers.peers, seconds=3)
    assert 0.8 <= took <= 2.0
    assert peers.problems["stuck"]["code"] == "connect_timeout"
    assert "tablet 'by the door' (stuck)" in caplog.text and "no connection within 1 s" in caplog.text
    tablet = VirtualTablet()
    await connect(tablet, peers, "next")
    assert peers.connected() == {"next"}
    await asyncio.gather(stuck.close(), tablet.close())
    await peers.close_all()


async def test_a_silent_tablet_is_dropped_and_one_that_pings_is_kept(peers: TabletPeers) -> None:
    peers.drawers = 2
    silent, pinging = VirtualTablet(keepalive=False), VirtualTablet(keepalive=False)
    await connect(silent, peers, "silent")
    await connect(pinging, peers, "pinging")
    for _ in range(8):  # 2 s, twice the silence timeout
        pinging.send(type="ping", t=1)
        await asyncio.sleep(0.25)
    assert peers.connected() == {"pinging"}
    assert peers.problems["silent"]["code"] == "silent" and "pinging" not in peers.problems
    assert (await pinging.next("pong"))["t"] == 1
    await asyncio.gather(silent.close(), pinging.close())
    await peers.close_all()


async def test_a_problem_is_forgotten_when_the_tablet_connects_again(peers: TabletPeers) -> None:
    peers.report("tab1", "by the door", "no_webrtc", "no WebRTC")
    assert peers.problems == {"tab1": {"code": "no_webrtc", "detail": "no WebRTC"}}
    tablet = VirtualTablet()
    await connect(tablet, peers, "tab1")
    assert peers.problems == {}
    await tablet.close()
    await peers.close_all()


async def test_an_offer_aiortc_chokes_on_is_refused_cleanly(peers: TabletPeers) -> None:
    """``a=group:BUNDLE abc 0`` makes createAnswer raise and the half-built connection's close too."""
    tablet = VirtualTablet()
    offer = (await tablet.offer()).replace("a=group:BUNDLE 0", "a=group:BUNDLE abc 0")
    with pytest.raises(SignallingError) as refused:
        await peers.answer("tab1", offer, "offer")
    assert refused.value.status == 400 and "unusable offer" in str(refused.value)
    assert peers.peers == []
    good = VirtualTablet()
    await connect(good, peers, "tab1")  # and the next offer works
    assert peers.connected() == {"tab1"}
    await asyncio.gather(tablet.close(), good.close())
    await peers.close_all()


async def test_an_offer_without_a_dtls_fingerprint_is_refused_not_left_to_fail_in_a_task(
    peers: TabletPeers,
) -> None:
    """aiortc accepts it, and after ICE its connection task dies of an AssertionError nobody reads."""
    tablet = VirtualTablet()
    offer = "\r\n".join(line for line in (await tablet.offer()).splitlines() if "fingerprint" not in line)
    with pytest.raises(SignallingError) as refused:
        await peers.answer("tab1", offer + "\r\n", "offer")
    assert refused.value.status == 400 and "fingerprint" in str(refused.value)
    assert peers.peers == []
    await tablet.close()
