"""The real server's stderr, as staff read it in the journal (or a terminal): a start, a screen, a
tablet pairing, drawing and leaving, a reload applied and one refused, a stop. One line each, no
access lines or ICE chatter, the journal's priorities when stderr is the journal."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import aiohttp
import pytest

from kiosk.address import exhibit_url
from kiosk.config import load_config
from kiosk.tablet.virtual import VirtualTablet
from tools.exhibit_process import ExhibitProcess

pytestmark = pytest.mark.process

ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]
JOURNAL_LINE = re.compile(r"^<[2-7]>(DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")
PLAIN_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")


def start_server(folder: Path, journal: bool) -> ExhibitProcess:
    """``python -m kiosk`` on every address of a free port, ready; ``journal``: with JOURNAL_STREAM
    naming its log file (as systemd does for a unit's journal stream), else another file."""
    server = ExhibitProcess(folder, host="0.0.0.0")
    named = os.stat(server.log if journal else server.config)
    server.start(wait=False, env={"JOURNAL_STREAM": f"{named.st_dev}:{named.st_ino}"})
    server.wait_for_log("ready on")
    return server


def reload(server: ExhibitProcess, append: str, expect: str) -> None:
    server.config.write_text(server.config.read_text() + append)
    server.process.send_signal(signal.SIGHUP)
    server.wait_for_log(expect)


@pytest.fixture
def journal_server(tmp_path: Path):
    server = start_server(tmp_path, journal=True)
    yield server
    server.kill()


async def a_visit(server: ExhibitProcess) -> str:
    """A screen connects; staff open a pairing window; a tablet pairs, connects, draws and leaves;
    the config is reloaded (good, then bad); the screen goes. Returns the tablet's id."""
    async with aiohttp.ClientSession() as http:
        screen = await http.get(f"{server.base}/api/display/events")
        await screen.content.readline()
        server.wait_for_log("screen connected")
        paired = server.pair("by the door")
        tablet = VirtualTablet()
        await tablet.connect(server.base, paired["credential"])
        for stroke in range(1, 21):
            tablet.send(type="stroke_begin", stroke=stroke, points=ONE)
            tablet.send(type="stroke_end", stroke=stroke)
        await tablet.next("prediction")
        await asyncio.to_thread(reload, server, "language: de\n", "reloaded")
        await asyncio.to_thread(reload, server, "bogus: 1\n", "reload refused")
        await tablet.close()
        await asyncio.to_thread(server.wait_for_log, "disconnected: it left")
        screen.close()
        await asyncio.to_thread(server.wait_for_log, "screen at 127.0.0.1 disconnected")
    return paired["device"]


async def test_a_day_in_the_journal(journal_server: ExhibitProcess) -> None:
    url, port = exhibit_url(load_config(journal_server.config)), journal_server.port  # this PC's address
    device = await a_visit(journal_server)
    text = journal_server.stop()
    lines = text.splitlines()
    assert all(JOURNAL_LINE.match(line) for line in lines), text  # a priority, no time: the journal's own

    def once(line: str) -> None:
        assert lines.count(line) == 1, (line, text)

    assert lines[0].startswith("<6>INFO kiosk: starting with config ")
    once(
        f"<6>INFO kiosk: ready on all addresses, port {port}: screen {url}/ (on this PC also "
        f"http://localhost:{port}/), tablets {url}/tablet, presenter log-in off (no passphrase_hash)"
    )
    assert "0.0.0.0" not in url
    once("<6>INFO kiosk.display.routes: screen connected from 127.0.0.1 (1 screen connected now)")
    once(
        "<6>INFO kiosk.tablet.routes: pairing window opened by staff (admin token) for 10 min; "
        "the screen shows its code"
    )
    once(f"<6>INFO kiosk.tablet.routes: tablet 'by the door' ({device}) paired from 127.0.0.1")
    once(f"<6>INFO kiosk.tablet.signalling: tablet 'by the door' ({device}) connected")
    once("<6>INFO kiosk.attract.director: a visitor is drawing")  # 20 strokes, one line
    once(f"<6>INFO kiosk.reload: reloaded {journal_server.config} (changed: language)")
    [refused] = [line for line in lines if "reload refused" in line]
    assert refused.startswith("<3>ERROR kiosk.reload: reload refused, the running configuration stays: ")
    assert "bogus" in refused
    once(f"<6>INFO kiosk.tablet.signalling: tablet 'by the door' ({device}) disconnected: it left")
    once("<6>INFO kiosk.display.routes: screen at 127.0.0.1 disconnected (no screen connected now)")
    assert lines[-1] == "<6>INFO kiosk: stopped"
    for chatter in ("aiohttp.access", "aioice", "aiortc", "GET /", "POST /"):
        assert chatter not in text
    assert "Traceback" not in text
    # Nothing else: no line per stroke, answer or request.
    assert len(lines) <= 13, text


def test_a_redirected_stderr_gets_plain_lines_with_the_time(tmp_path: Path) -> None:
    """JOURNAL_STREAM inherited but stderr is a file of its own: not the journal's format."""
    text = start_server(tmp_path, journal=False).stop()
    lines = text.splitlines()
    assert lines and all(PLAIN_LINE.match(line) for line in lines), text
    assert any(" INFO kiosk: ready on all addresses, port " in line for line in lines)
