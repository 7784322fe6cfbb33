"""Reloading the config while the exhibit runs: a good file applies without dropping the tablet,
a bad one is refused with the running config kept, and systemd hears of both (SIGHUP)."""

from __future__ import annotations

import logging
import signal
import socket
from pathlib import Path

import pytest
from test_systemd import receive_until

from kiosk.app import create_app
from kiosk.config import load_config
from kiosk.keys import CONFIG, DIRECTOR, SCREEN, TABLETS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.reload import RESTART_KEYS, keep_restart_keys, reload_config
from kiosk.tablet.virtual import VirtualTablet
from tools.exhibit_process import ExhibitProcess
from tools.sse_client import SseReader

ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]
PLAYLIST = "attract:\n  playlist:\n    - {scene: call_to_action, seconds: 30, text: Komm zeichnen}\n"


def write_config(
    path: Path, export: Path, state: Path, port: int = 8080, extra: str = "", tablet: str = ""
) -> Path:
    path.write_text(
        f"server:\n  host: 127.0.0.1\n  port: {port}\nmodel:\n  export: {export}\n"
        f"tablet:\n  state_dir: {state}\n{tablet}{extra}"
    )
    return path


def test_keys_that_need_a_restart_keep_their_running_values(tmp_path: Path, export_dir: Path) -> None:
    old = load_config(write_config(tmp_path / "a.yaml", export_dir, tmp_path / "state"))
    extra = "display:\n  connections_per_neuron: 8\n  idle_seconds: 7\nlanguage: de\n"
    new = load_config(write_config(tmp_path / "b.yaml", export_dir, tmp_path / "other", 9999, extra))
    kept, changed = keep_restart_keys(old, new)
    assert changed == ["server", "tablet.state_dir", "display.connections_per_neuron"]
    assert set(changed) <= set(RESTART_KEYS)
    assert kept.server == old.server and kept.tablet.state_dir == old.tablet.state_dir
    assert kept.display.connections_per_neuron == old.display.connections_per_neuron
    # Everything else is the new file's.
    assert kept.display.idle_seconds == 7 and kept.language == "de"
    assert kept.tablet.model_dump(exclude={"state_dir"}) == new.tablet.model_dump(exclude={"state_dir"})


async def start(aiohttp_client, path: Path, export_dir: Path):
    """The exhibit app from the file at ``path``, served, and a tablet connected to it over WebRTC."""
    app = create_app(load_config(path), Engine(load_timeline(export_dir)), config_path=path)
    client = await aiohttp_client(app)
    window = app[TABLETS].pairing.open()
    paired = await client.post("/api/tablet/pair", json={"code": window.code, "name": "virtual"})
    tablet = VirtualTablet()
    await tablet.connect(str(client.make_url("/")), (await paired.json())["credential"])
    return app, client, tablet


async def test_a_good_file_applies_at_once_and_the_tablet_stays_connected(
    aiohttp_client, tmp_path: Path, export_dir: Path
) -> None:
    path = write_config(tmp_path / "kiosk.yaml", export_dir, tmp_path / "state")
    app, client, tablet = await start(aiohttp_client, path, export_dir)
    peer = app[TABLETS].peers.peers[0]
    reader = SseReader(await client.get("/api/display/events"))
    await reader.until("exhibit")
    extra = f"language: de\nlimits:\n  max_strokes: 3\n{PLAYLIST}"
    tablet_options = "  predictions_per_second: 5\n"
    write_config(path, export_dir, tmp_path / "state", extra=extra, tablet=tablet_options)
    assert reload_config(app) is True

    running = app[CONFIG].current
    assert running.language == "de" and running.limits.max_strokes == 3
    # The screen hears of the language and the new playlist (shown at once: attract was running).
    assert (await reader.until("network"))["language"] == "de"
    assert await reader.until("scene", lambda s: s["scene"] == "call_to_action") == {
        "scene": "call_to_action",
        "text": "Komm zeichnen",
    }
    assert app[DIRECTOR].status()["count"] == 1
    # The same tablet connection goes on, with the new limits and pace.
    assert app[TABLETS].peers.peers == [peer]
    assert peer.session.limits.max_strokes == 3 and peer.session._interval == pytest.approx(0.2)
    tablet.send(type="stroke_begin", stroke=1, points=ONE)
    tablet.send(type="stroke_end", stroke=1)
    prediction = await tablet.next("prediction")
    assert 0 <= prediction["digit"] <= 9
    for stroke in (2, 3, 4):  # a fourth stroke is over the new limit of 3
        tablet.send(type="stroke_begin", stroke=stroke, points=ONE)
        tablet.send(type="stroke_end", stroke=stroke)
    error = await tablet.next("error")
    assert error["code"] == "too_many_strokes" and "at most 3 strokes" in error["message"]
    await tablet.close()


async def test_a_bad_file_is_refused_and_the_running_config_stays(
    aiohttp_client, tmp_path: Path, export_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path / "kiosk.yaml", export_dir, tmp_path / "state")
    app, _, tablet = await start(aiohttp_client, path, export_dir)
    before = app[CONFIG].current
    scene = app[SCREEN].scene
    path.write_text(path.read_text() + "display:\n  idle_seconds: soon\n")
    with caplog.at_level(logging.ERROR, logger="kiosk"):
        assert reload_config(app) is False
    assert app[CONFIG].current is before and app[SCREEN].scene == scene
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "reload refused, the running configuration stays" in record.getMessage()
    assert "kiosk.yaml:" in record.getMessage() and "display.idle_seconds" in record.getMessage()
    assert len(app[TABLETS].peers.peers) == 1  # still connected
    await tablet.close()


@pytest.mark.process
def test_sighup_reloads_and_tells_systemd(
    tmp_path: Path, export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ExhibitProcess(tmp_path, export_dir)
    config = server.config
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
        server.start()
        try:
            receive_until(sock, server, "READY=1")
            config.write_text(config.read_text() + "language: de\n")
            server.process.send_signal(signal.SIGHUP)
            reloading = receive_until(sock, server, "RELOADING=1")[-1]
            assert "MONOTONIC_USEC=" in reloading
            assert receive_until(sock, server, "READY=1")[-1] == "READY=1\nSTATUS=serving"

            config.write_text(config.read_text() + "display: [not, a, section]\n")
            server.process.send_signal(signal.SIGHUP)
            receive_until(sock, server, "RELOADING=1")
            refused = receive_until(sock, server, "READY=1")[-1]
            assert "the last reload was refused" in refused
            assert server.returncode is None  # still serving
        finally:
            log = server.stop()
    assert "reloaded" in log and "reload refused, the running configuration stays" in log
    assert "display" in log.split("reload refused")[1].splitlines()[0]
    assert "Traceback" not in log
