"""Real WebRTC on loopback: an aiortc client plays the tablet against the exhibit's signalling."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.signalling import SignallingError, TabletPeers
from kiosk.tablet.virtual import VirtualTablet


async def connect(tablet: VirtualTablet, peers: TabletPeers, device: str) -> None:
    """Signalling straight through TabletPeers (the HTTP route is tested in test_tablet_routes)."""
    answer = await peers.answer(device, await tablet.offer(), "offer")
    await tablet.accept(answer.sdp, answer.type)


@pytest.fixture
def peers(export_dir: Path):
    return TabletPeers(Engine(load_timeline(export_dir)), StrokeLimits())


async def wait_until(condition, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_a_tablet_draws_over_a_real_data_channel_and_gets_predictions(peers: TabletPeers) -> None:
    tablet = VirtualTablet()
    await connect(tablet, peers, "tab1")
    tablet.send(type="ping", t=5)
    assert (await tablet.next("pong"))["t"] == 5
    tablet.send(type="stroke_begin", stroke=1, points=[[50, 0, 0], [50, 60, 20], [51, 120, 40]])
    tablet.send(type="stroke_end", stroke=1)
    prediction = await tablet.next("prediction")
    assert prediction["seq"] == 1 and 0 <= prediction["digit"] <= 9
    assert sum(prediction["probabilities"]) == pytest.approx(1, abs=1e-3)
    await tablet.pc.close()
    await wait_until(lambda: not peers.peers)  # the exhibit closes and forgets its side


async def test_bad_messages_over_the_channel_get_errors_and_the_connection_stays(peers: TabletPeers) -> None:
    tablet = VirtualTablet()
    await connect(tablet, peers, "tab1")
    tablet.channel.send("{broken")
    assert (await tablet.next("error"))["code"] == "bad_json"
    tablet.send(type="ping")
    assert (await tablet.next("pong"))["t"] == 0
    await tablet.pc.close()
    await peers.close_all()


async def test_a_second_tablet_is_refused_while_one_draws_unless_it_may_take_over(peers: TabletPeers) -> None:
    first = VirtualTablet()
    await connect(first, peers, "tab1")
    second = VirtualTablet()
    with pytest.raises(SignallingError) as info:
        await connect(second, peers, "tab2")
    assert info.value.status == 409
    peers.take_over = True
    await connect(second, peers, "tab2")
    assert [p.device for p in peers.peers] == ["tab2"]
    await wait_until(
        lambda: first.pc.connectionState in ("closed", "failed") or first.channel.readyState == "closed"
    )
    for tablet in (first, second):
        await tablet.pc.close()
    await peers.close_all()


async def test_a_tablet_that_reconnects_replaces_its_old_connection(peers: TabletPeers) -> None:
    old, new = VirtualTablet(), VirtualTablet()
    await connect(old, peers, "tab1")
    await connect(new, peers, "tab1")
    assert len(peers.peers) == 1
    new.send(type="ping", t=1)
    assert (await new.next("pong"))["t"] == 1
    await old.pc.close()
    await new.pc.close()
    await peers.close_all()
    assert peers.peers == []


@pytest.mark.parametrize(
    ("sdp", "kind", "status"),
    [
        ("v=0", "answer", 400),
        (None, "offer", 400),
        ("", "offer", 400),
        ("garbage", "offer", 400),
        ("v=0\n" + "a=x\n" * 10_000, "offer", 413),
    ],
)
async def test_unusable_offers_are_refused_and_leave_nothing_behind(peers, sdp, kind, status) -> None:
    with pytest.raises(SignallingError) as info:
        await peers.answer("tab1", sdp, kind)
    assert info.value.status == status
    assert peers.peers == []
