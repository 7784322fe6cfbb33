"""Real WebRTC on loopback: an aiortc client plays the tablet against the exhibit's signalling."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.signalling import SignallingError, TabletPeers


class VirtualTablet:
    """An aiortc peer with a data channel, as the tablet page will open one."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection()
        self.channel = self.pc.createDataChannel("strokes")
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.opened = asyncio.Event()
        self.channel.on("open", self.opened.set)
        self.channel.on("message", lambda text: self.inbox.put_nowait(json.loads(text)))

    async def connect(self, peers: TabletPeers, device: str) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await peers.answer(device, self.pc.localDescription.sdp, "offer")
        await self.pc.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
        await asyncio.wait_for(self.opened.wait(), 10)

    def say(self, **fields) -> None:
        self.channel.send(json.dumps({"v": 1, **fields}))

    async def next(self, kind: str) -> dict:
        while True:
            message = await asyncio.wait_for(self.inbox.get(), 5)
            if message["type"] == kind:
                return message


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
    await tablet.connect(peers, "tab1")
    tablet.say(type="ping", t=5)
    assert (await tablet.next("pong"))["t"] == 5
    tablet.say(type="stroke_begin", stroke=1, points=[[50, 0, 0], [50, 60, 20], [51, 120, 40]])
    tablet.say(type="stroke_end", stroke=1)
    prediction = await tablet.next("prediction")
    assert prediction["seq"] == 1 and 0 <= prediction["digit"] <= 9
    assert sum(prediction["probabilities"]) == pytest.approx(1, abs=1e-3)
    await tablet.pc.close()
    await wait_until(lambda: not peers.peers)  # the exhibit closes and forgets its side


async def test_bad_messages_over_the_channel_get_errors_and_the_connection_stays(peers: TabletPeers) -> None:
    tablet = VirtualTablet()
    await tablet.connect(peers, "tab1")
    tablet.channel.send("{broken")
    assert (await tablet.next("error"))["code"] == "bad_json"
    tablet.say(type="ping")
    assert (await tablet.next("pong"))["t"] == 0
    await tablet.pc.close()
    await peers.close_all()


async def test_a_second_tablet_is_refused_while_one_draws_unless_it_may_take_over(peers: TabletPeers) -> None:
    first = VirtualTablet()
    await first.connect(peers, "tab1")
    second = VirtualTablet()
    with pytest.raises(SignallingError) as info:
        await second.connect(peers, "tab2")
    assert info.value.status == 409
    peers.take_over = True
    await second.connect(peers, "tab2")
    assert [p.device for p in peers.peers] == ["tab2"]
    await wait_until(
        lambda: first.pc.connectionState in ("closed", "failed") or first.channel.readyState == "closed"
    )
    for tablet in (first, second):
        await tablet.pc.close()
    await peers.close_all()


async def test_a_tablet_that_reconnects_replaces_its_old_connection(peers: TabletPeers) -> None:
    old, new = VirtualTablet(), VirtualTablet()
    await old.connect(peers, "tab1")
    await new.connect(peers, "tab1")
    assert len(peers.peers) == 1
    new.say(type="ping", t=1)
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
