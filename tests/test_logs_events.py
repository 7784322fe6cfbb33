"""One log line per event staff care about, with the tablet's name and id (never a secret), and
nothing per stroke or tick: pairing, tablets connecting and dropping (why), screens coming and
going (how many remain), reloads, and the exhibit's state changes.

The app, tablets (aiortc on loopback) and director are real; lines are read with caplog."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from test_attract_director import BEFORE_OPENING, IDLE, PRESENTER_IDLE, Exhibit, timeline  # noqa: F401
from test_tablet_seats import connect, peers, until  # noqa: F401

from kiosk.app import create_app
from kiosk.config import load_config
from kiosk.keys import ADMIN
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.reload import reload_config
from kiosk.tablet.signalling import LOG_AGAIN_S, TabletPeers
from kiosk.tablet.virtual import VirtualTablet

ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]


def lines(caplog: pytest.LogCaptureFixture, logger: str = "kiosk", level: int = logging.INFO) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith(logger) and r.levelno >= level]


def one(found: list[str], text: str) -> str:
    """The one line containing ``text`` (AssertionError if none or several)."""
    matching = [line for line in found if text in line]
    assert len(matching) == 1, (text, found)
    return matching[0]


def write_config(path: Path, export: Path, extra: str = "") -> Path:
    state = path.parent / "state"
    path.write_text(
        f"server:\n  host: 127.0.0.1\nmodel:\n  export: {export}\ntablet:\n  state_dir: {state}\n{extra}"
    )
    return path


@pytest.fixture(autouse=True)
def restore_levels():
    """A reload sets the process's log levels (kiosk/logs.py): give the next test those it found."""
    root, own = logging.getLogger(), logging.getLogger("kiosk")
    levels = root.level, own.level
    yield
    root.setLevel(levels[0])
    own.setLevel(levels[1])


@pytest.fixture
async def served(aiohttp_client, tmp_path: Path, export_dir: Path):
    path = write_config(tmp_path / "kiosk.yaml", export_dir)
    app = create_app(load_config(path), Engine(load_timeline(export_dir)), config_path=path)
    return app, await aiohttp_client(app), path


async def test_pairing_a_tablet_and_revoking_it_one_line_each_without_secrets(served, caplog) -> None:
    app, client, _ = served
    caplog.set_level(logging.INFO, "kiosk")
    admin = {"Authorization": f"Bearer {app[ADMIN].token}"}
    window = await (await client.post("/api/admin/pairing", headers=admin)).json()
    paired = await (
        await client.post("/api/tablet/pair", json={"code": window["code"], "name": "by the door"})
    ).json()
    revoked = await client.post("/api/admin/tablets/revoke", json={"device": paired["device"]}, headers=admin)
    assert revoked.status == 200
    found = lines(caplog)
    assert (
        one(found, "pairing window")
        == "pairing window opened by staff (admin token) for 10 min; the screen shows its code"
    )
    assert one(found, "paired") == f"tablet 'by the door' ({paired['device']}) paired from 127.0.0.1"
    assert (
        one(found, "revoked") == f"tablet 'by the door' ({paired['device']}) revoked by staff (admin token)"
    )
    for secret in (window["code"], paired["credential"], app[ADMIN].token):
        assert secret not in caplog.text


async def test_a_tablet_connecting_drawing_and_leaving(peers: TabletPeers, caplog) -> None:  # noqa: F811
    caplog.set_level(logging.INFO, "kiosk")
    tablet = VirtualTablet()
    await connect(tablet, peers, "tab1")
    for stroke in range(1, 30):  # strokes and answers: no line each
        tablet.send(type="stroke_begin", stroke=stroke, points=ONE)
        tablet.send(type="stroke_end", stroke=stroke)
    await tablet.next("prediction")
    await tablet.close()
    await until(lambda: not peers.peers, seconds=5)
    assert lines(caplog) == [
        "tablet 'by tab1' (tab1) connected",
        "tablet 'by tab1' (tab1) disconnected: it left",
    ]


@pytest.mark.slow
async def test_the_reason_for_each_drop(peers: TabletPeers, caplog) -> None:  # noqa: F811
    caplog.set_level(logging.INFO, "kiosk")
    peers.drawers, peers.take_over = 1, True
    # 3 s, not the fixture's 1 s: a tablet that pings every second must not fall silent on a busy machine.
    peers.silence_timeout_s = 3.0
    first, again, newcomer, silent = (
        VirtualTablet(),
        VirtualTablet(),
        VirtualTablet(),
        VirtualTablet(keepalive=False),
    )
    await connect(first, peers, "tab1")
    await connect(again, peers, "tab1")  # the same tablet, reconnecting
    await connect(newcomer, peers, "tab2")  # takes the seat
    peers.drawers = 2
    await connect(silent, peers, "tab3")
    await until(lambda: "tab3" not in peers.connected(), seconds=8)  # silence timeout: 3 s
    await peers.close_all()
    found = lines(caplog)
    assert found.count("tablet 'by tab1' (tab1) connected") == 2
    assert [line for line in found if "(tab1) disconnected" in line] == [
        "tablet 'by tab1' (tab1) disconnected: replaced by its own new connection",
        "tablet 'by tab1' (tab1) disconnected: tablet 'by tab2' (tab2) took its seat (tablet.when_busy)",
    ]
    assert (
        one(found, "(tab2) disconnected") == "tablet 'by tab2' (tab2) disconnected: the exhibit is stopping"
    )
    silence = one(found, "(tab3) disconnected")
    assert "nothing heard for" in silence and silence.endswith("s (silence timeout)")
    assert one(lines(caplog, level=logging.WARNING), "(tab3) disconnected") == silence  # a problem: a warning
    await asyncio.gather(*(t.close() for t in (first, again, newcomer, silent)))


async def test_a_tablet_that_keeps_failing_to_connect_warns_once_an_hour(
    peers: TabletPeers,  # noqa: F811
    caplog,
) -> None:
    now = [0.0]
    peers.clock = lambda: now[0]
    caplog.set_level(logging.INFO, "kiosk")
    for minutes in (0, 10, 20, 61):  # its page retries; the answer never reaches it
        now[0] = minutes * 60.0
        tablet = VirtualTablet()
        await peers.answer("tab1", await tablet.offer(), "offer", name="by the door")
        await peers.close(peers.peers[0], ("connect_timeout", "no connection within 10 s (ICE checking)"))
        await tablet.close()
    line = "tablet 'by the door' (tab1): no connection within 10 s (ICE checking)"
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("WARNING", line)] * 2
    assert LOG_AGAIN_S == 3600


async def test_a_failure_of_a_connected_tablet_is_a_warning(peers: TabletPeers, caplog) -> None:  # noqa: F811
    caplog.set_level(logging.INFO, "kiosk")
    tablet = VirtualTablet()
    await connect(tablet, peers, "tab1")
    await peers.close(peers.peers[0], ("connection_failed", "the network connection failed (ICE or DTLS)"))
    await tablet.close()
    assert [(r.levelname, r.getMessage()) for r in caplog.records][1:] == [
        ("WARNING", "tablet 'by tab1' (tab1) disconnected: the network connection failed (ICE or DTLS)")
    ]
    assert peers.problems["tab1"]["code"] == "connection_failed"  # for the presenter's status


async def test_a_screen_connecting_and_leaving_with_how_many_remain(served, caplog) -> None:
    app, client, _ = served
    caplog.set_level(logging.INFO, "kiosk")
    first = await client.get("/api/display/events")
    await first.content.readline()
    second = await client.get("/api/display/events")
    await second.content.readline()
    second.close()
    await until(lambda: len(lines(caplog, "kiosk.display")) == 3, seconds=10)  # noticed at its next event
    first.close()
    await until(lambda: len(lines(caplog, "kiosk.display")) == 4, seconds=10)
    assert lines(caplog, "kiosk.display") == [
        "screen connected from 127.0.0.1 (1 screen connected now)",
        "screen connected from 127.0.0.1 (2 screens connected now)",
        "screen at 127.0.0.1 disconnected (1 screen connected now)",
        "screen at 127.0.0.1 disconnected (no screen connected now)",
    ]


async def test_a_reload_applied_and_one_refused(served, export_dir: Path, caplog) -> None:
    app, _, path = served
    caplog.set_level(logging.INFO, "kiosk")
    write_config(path, export_dir, "language: de\nlogging:\n  libraries: debug\n")
    assert reload_config(app)
    assert logging.getLogger("aioice.ice").isEnabledFor(logging.DEBUG)  # applied on reload
    write_config(path, export_dir, "language: de\nlogging:\n  libraries: debug\n")
    assert reload_config(app)
    write_config(path, export_dir, "langage: fr\n")
    assert not reload_config(app)
    reloads = lines(caplog, "kiosk.reload")
    assert reloads[0] == f"reloaded {path} (changed: language, logging)"
    assert reloads[1] == f"reloaded {path} (nothing changed)"
    assert (
        reloads[2].startswith("reload refused, the running configuration stays: ") and "langage" in reloads[2]
    )
    assert len(reloads) == 3


def test_the_exhibits_state_changes_one_line_each(timeline, caplog) -> None:  # noqa: F811
    caplog.set_level(logging.INFO, "kiosk.attract")
    exhibit = Exhibit(timeline, BEFORE_OPENING)  # a Tuesday, 9:00 in Berlin; open 10 to 18
    exhibit.director.machine.start()
    exhibit.tick_after(3600)  # 10:00
    for _ in range(50):  # a visitor draws: one line, not one a stroke
        exhibit.director.stroke()
        exhibit.tick_after(0.1)
    exhibit.tick_after(IDLE)
    exhibit.director.take("Anna")
    exhibit.tick_after(PRESENTER_IDLE / 2)
    exhibit.director.release()
    exhibit.clock.advance(8 * 3600)  # 18:00 and after: closed
    exhibit.tick_after(0)
    assert lines(caplog) == [
        "closed by the schedule; opens Tue 2025-03-04 10:00",
        "opened by the schedule; playlist item 1 of 4: timeline",
        "a visitor is drawing",
        "the visitor's turn is over; playlist item 2 of 4: playground",
        "presenter 'Anna' holds the exhibit",
        "presenter 'Anna' released the exhibit; playlist item 3 of 4: samples",
        "closed by the schedule; opens Wed 2025-03-05 10:00",
    ]
