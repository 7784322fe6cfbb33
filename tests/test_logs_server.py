"""The real server's stderr, as staff read it in the journal (or a terminal): a start, a screen, a
tablet pairing, drawing and leaving, a reload applied and one refused, a stop. One line each, no
access lines or ICE chatter, the journal's priorities when stderr is the journal."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from conftest import REPO, unused_port

from kiosk.address import exhibit_url
from kiosk.config import load_config
from kiosk.tablet.virtual import VirtualTablet

ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]
JOURNAL_LINE = re.compile(r"^<[2-7]>(DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")
PLAIN_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")


class Server:
    """``python -m kiosk`` on every address of a free port, its stderr in ``log``; ``journal``: with
    JOURNAL_STREAM naming that file (as systemd does for a unit's journal stream), else another."""

    def __init__(self, folder: Path, journal: bool) -> None:
        self.port = unused_port()
        self.config = folder / "kiosk.yaml"
        export, state = REPO / "exports" / "mnist-mlp", folder / "state"
        server = f"server:\n  host: 0.0.0.0\n  port: {self.port}\n"
        self.config.write_text(f"{server}model:\n  export: {export}\ntablet:\n  state_dir: {state}\n")
        self.url = exhibit_url(load_config(self.config))  # what tablets are told: this PC's address
        self.log, self.state, self.base = folder / "stderr", folder / "state", f"http://127.0.0.1:{self.port}"
        self.log.write_text("")
        named = self.log if journal else self.config
        status = os.stat(named)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "JOURNAL_STREAM": f"{status.st_dev}:{status.st_ino}"}
        with self.log.open("a") as stderr:
            argv = [sys.executable, "-m", "kiosk", "--config", str(self.config)]
            self.process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        self.wait_for("ready on")

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.text():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.text()}"
            time.sleep(0.05)

    def admin(self, path: str, body: dict | None = None, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"} | (
            {"Authorization": f"Bearer {token}"} if token else {}
        )
        request = urllib.request.Request(f"{self.base}{path}", json.dumps(body or {}).encode(), headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reload(self, append: str, expect: str) -> None:
        self.config.write_text(self.config.read_text() + append)
        self.process.send_signal(signal.SIGHUP)
        self.wait_for(expect)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)
        return self.text()


@pytest.fixture
def journal_server(tmp_path: Path):
    server = Server(tmp_path, journal=True)
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


async def a_visit(server: Server) -> str:
    """A screen connects; staff open a pairing window; a tablet pairs, connects, draws and leaves;
    the config is reloaded (good, then bad); the screen goes. Returns the tablet's id."""
    async with aiohttp.ClientSession() as http:
        screen = await http.get(f"{server.base}/api/display/events")
        await screen.content.readline()
        server.wait_for("screen connected")
        token = (server.state / "admin.token").read_text().strip()
        window = server.admin("/api/admin/pairing", token=token)
        paired = server.admin("/api/tablet/pair", {"code": window["code"], "name": "by the door"})
        tablet = VirtualTablet()
        await tablet.connect(server.base, paired["credential"])
        for stroke in range(1, 21):
            tablet.send(type="stroke_begin", stroke=stroke, points=ONE)
            tablet.send(type="stroke_end", stroke=stroke)
        await tablet.next("prediction")
        await asyncio.to_thread(server.reload, "language: de\n", "reloaded")
        await asyncio.to_thread(server.reload, "bogus: 1\n", "reload refused")
        await tablet.close()
        await asyncio.to_thread(server.wait_for, "disconnected: it left")
        screen.close()
        await asyncio.to_thread(server.wait_for, "screen at 127.0.0.1 disconnected")
    return paired["device"]


async def test_a_day_in_the_journal(journal_server: Server) -> None:
    device = await a_visit(journal_server)
    text = journal_server.stop()
    lines = text.splitlines()
    assert all(JOURNAL_LINE.match(line) for line in lines), text  # a priority, no time: the journal's own
    url, port = journal_server.url, journal_server.port

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
    server = Server(tmp_path, journal=False)
    text = server.stop()
    lines = text.splitlines()
    assert lines and all(PLAIN_LINE.match(line) for line in lines), text
    assert any(" INFO kiosk: ready on all addresses, port " in line for line in lines)
