"""systemd integration: readiness and watchdog notifications, the two units, make install/uninstall."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from support import REPO

from kiosk import systemd_notify
from kiosk.config import load_config
from tools.exhibit_process import ExhibitProcess

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
MAKE = shutil.which("make")
NODE_MODULES = REPO / "display" / "node_modules"
UNITS = ("nn-kiosk.service", "nn-kiosk-display.service")


# ---- sd_notify -------------------------------------------------------------------------------


@pytest.fixture
def notify_socket(tmp_path: Path):
    """A datagram socket bound where systemd's would be: (the $NOTIFY_SOCKET value, the socket)."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        yield str(path), sock


@pytest.fixture
def abstract_notify_socket():
    name = f"nn-kiosk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        yield "@" + name, sock


def test_notify_sends_one_datagram_to_a_path_socket(notify_socket) -> None:
    address, sock = notify_socket
    assert systemd_notify.notify("READY=1\nSTATUS=serving", {"NOTIFY_SOCKET": address}) is True
    assert sock.recv(4096) == b"READY=1\nSTATUS=serving"


def test_notify_sends_to_an_abstract_socket(abstract_notify_socket) -> None:
    address, sock = abstract_notify_socket
    assert systemd_notify.notify("WATCHDOG=1", {"NOTIFY_SOCKET": address}) is True
    assert sock.recv(4096) == b"WATCHDOG=1"


@pytest.mark.parametrize("value", [None, "", "@", "relative/path", "vsock:2:1234"])
def test_notify_outside_systemd_does_nothing(value: str | None) -> None:
    environ = {} if value is None else {"NOTIFY_SOCKET": value}
    assert systemd_notify.notify("READY=1", environ) is False


def test_notify_to_a_socket_that_is_gone_is_no_error(tmp_path: Path) -> None:
    assert systemd_notify.notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False


def test_the_messages(notify_socket, monkeypatch: pytest.MonkeyPatch) -> None:
    address, sock = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    assert systemd_notify.ready("serving on\nhttp://0.0.0.0:8080")
    assert sock.recv(4096) == b"READY=1\nSTATUS=serving on http://0.0.0.0:8080"  # STATUS is one line
    assert systemd_notify.status("starting")
    assert sock.recv(4096) == b"STATUS=starting"
    assert systemd_notify.stopping()
    assert sock.recv(4096) == b"STOPPING=1\nSTATUS=stopping"
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert systemd_notify.reloading()
    lines = dict(line.split("=", 1) for line in sock.recv(4096).decode().splitlines())
    assert lines["RELOADING"] == "1"
    assert before <= int(lines["MONOTONIC_USEC"]) <= time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert systemd_notify.reloaded("serving again")
    assert sock.recv(4096) == b"READY=1\nSTATUS=serving again"


def test_messages_outside_systemd_return_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not systemd_notify.ready("x") and not systemd_notify.stopping() and not systemd_notify.reloading()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "30000000"}, 30.0),
        ({"WATCHDOG_USEC": "500000", "WATCHDOG_PID": str(os.getpid())}, 0.5),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)}, None),  # someone else's
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "-5"}, None),
        ({"WATCHDOG_USEC": "thirty"}, None),
        ({"WATCHDOG_PID": str(os.getpid())}, None),
    ],
)
def test_watchdog_interval(environ: dict[str, str], expected: float | None) -> None:
    assert systemd_notify.watchdog_interval(environ) == expected


async def test_watchdog_pings_at_half_the_interval_and_only_while_the_loop_runs(
    notify_socket, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    address, sock = notify_socket
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    task = asyncio.create_task(systemd_notify.watchdog(0.2))  # a ping every 0.1 s
    try:
        await asyncio.sleep(0.35)
        pings = drain(sock)
        assert 2 <= len(pings) <= 4 and set(pings) == {b"WATCHDOG=1"}, pings
        with caplog.at_level(logging.WARNING, logger="kiosk.systemd_notify"):
            time.sleep(0.5)  # a handler that blocks the loop: no pings while it does
            assert drain(sock) == []
            await asyncio.sleep(0.05)
        assert drain(sock) == [b"WATCHDOG=1"]  # the loop runs again, and so do the pings
        assert "the event loop was blocked for about" in caplog.text
    finally:
        task.cancel()


def drain(sock: socket.socket) -> list[bytes]:
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096))
        except BlockingIOError:
            return messages


@pytest.mark.process
def test_the_server_process_tells_systemd_ready_alive_and_stopping(
    tmp_path: Path, export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ExhibitProcess(tmp_path, export_dir)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
        monkeypatch.setenv("WATCHDOG_USEC", "1000000")  # a ping every 0.5 s
        server.start(wait=False)
        try:
            before_ready = receive_until(sock, server, "READY=1")
            # Ready means ready: the port accepts connections at the moment the message arrives.
            with socket.create_connection(("127.0.0.1", server.port), timeout=2):
                pass
            assert all(m.startswith("STATUS=") for m in before_ready[:-1]), before_ready
            assert f"STATUS=serving on {server.url}" in before_ready[-1]
            pings = [receive_until(sock, server, "WATCHDOG=1", seconds=2) for _ in range(3)]
            assert all(p == ["WATCHDOG=1"] for p in pings), pings  # every 0.5 s, nothing else
            server.process.send_signal(signal.SIGTERM)
            assert receive_until(sock, server, "STOPPING=1")[-1] == "STOPPING=1\nSTATUS=stopping"
        finally:
            stderr = server.stop()
    assert server.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr


def receive_until(sock: socket.socket, server: ExhibitProcess, key: str, seconds: float = 60) -> list[str]:
    """Messages up to and including the first holding the line ``key``; fails if the server exits."""
    deadline = time.monotonic() + seconds
    messages: list[str] = []
    while time.monotonic() < deadline:
        assert server.returncode is None, server.log_tail()
        sock.settimeout(max(0.01, min(0.5, deadline - time.monotonic())))
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            continue
        if key in messages[-1].splitlines():
            return messages
    pytest.fail(f"no {key} within {seconds} s; got {messages}")


# ---- the units and make install --------------------------------------------------------------


def make(*args: str) -> subprocess.CompletedProcess[str]:
    # -o: never (re)build the screen's npm packages here; the tests use the ones in place.
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(REPO), "-o", "display/node_modules/.package-lock.json"]
        + list(args),
        capture_output=True,
        text=True,
        timeout=120,
    )


needs_make = pytest.mark.skipif(
    MAKE is None or not (NODE_MODULES / "three").is_dir(),
    reason="needs make and display/node_modules (make test installs them)",
)


@needs_make
@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (Debian: systemd)")
@pytest.mark.process
def test_installed_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart's programs exist: install with a PREFIX whose python is real and
    # a stand-in for cage (not installed here); everything else is as `make install` writes it.
    prefix, stage = tmp_path / "prefix", tmp_path / "stage"
    (prefix / ".venv" / "bin").mkdir(parents=True)
    (prefix / ".venv" / "bin" / "python").symlink_to(sys.executable)
    cage = tmp_path / "cage"
    cage.write_text("#!/bin/sh\n")
    cage.chmod(0o755)
    result = make("install", f"DESTDIR={stage}", f"PREFIX={prefix}", f"CAGE={cage}")
    assert result.returncode == 0, result.stdout + result.stderr
    unit_dir = stage / "etc" / "systemd" / "system"
    verify = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *UNITS],
        cwd=unit_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == "", verify.stderr  # unknown keys and bad values are only warned about
    server_unit = (unit_dir / "nn-kiosk.service").read_text()
    assert f"ExecStart={prefix}/.venv/bin/python -m kiosk --config ${{KIOSK_CONFIG}}" in server_unit


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd-sysusers is not installed")
@pytest.mark.process
def test_the_users_file_is_valid(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    for name in ("passwd", "group", "shadow", "gshadow"):
        (tmp_path / "etc" / name).touch()
    result = subprocess.run(
        ["systemd-sysusers", "--dry-run", f"--root={tmp_path}", str(REPO / "systemd" / "nn-kiosk.sysusers")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Creating user 'nn-kiosk' (nn-kiosk exhibit server)" in result.stderr + result.stdout
    assert "Creating user 'nn-kiosk-display' (nn-kiosk exhibit screen)" in result.stderr + result.stdout


@pytest.fixture
def staged_install(tmp_path: Path) -> Path:
    stage = tmp_path / "stage"
    result = make("install", f"DESTDIR={stage}", "PREFIX=/opt/nn-kiosk")
    assert result.returncode == 0, result.stdout + result.stderr
    # What to run on the target, with the Python the Makefile picked (python3 where it is 3.11-3.13).
    assert re.search(r"\bpython3(\.1[123])? -m venv /opt/nn-kiosk/\.venv", result.stdout), result.stdout
    return stage


@needs_make
@pytest.mark.process
def test_make_install_into_destdir(staged_install: Path) -> None:
    program = staged_install / "opt" / "nn-kiosk"
    assert not (program / ".venv").exists()  # a venv cannot be built for the final path from here
    for path in [
        "kiosk/__main__.py",
        "kiosk/systemd_notify.py",
        "display/index.html",
        "display/node_modules/three/package.json",
        "tablet_client/index.html",
        "presenter_client/index.html",
        "exports/mnist-mlp/manifest.json",
        "config/kiosk.yaml",
        "pyproject.toml",
        "docs/operations.md",
    ]:
        assert (program / path).is_file(), path
    assert not list(program.rglob("__pycache__"))
    units = [staged_install / "etc" / "systemd" / "system" / unit for unit in UNITS]
    for unit in units:
        assert not re.search(r"@[A-Z_]+@", unit.read_text()), f"{unit.name}: a placeholder is left"
    server_unit, display_unit = (unit.read_text() for unit in units)
    assert "ExecStart=/opt/nn-kiosk/.venv/bin/python -m kiosk --config ${KIOSK_CONFIG}" in server_unit
    assert "Environment=KIOSK_CONFIG=/etc/nn-kiosk/kiosk.yaml" in server_unit
    assert "http://127.0.0.1:8080/" in display_unit and "/usr/bin/chromium" in display_unit
    assert (staged_install / "etc" / "sysusers.d" / "nn-kiosk.conf").is_file()

    config = load_config(staged_install / "etc" / "nn-kiosk" / "kiosk.yaml")
    assert config.tablet.state_dir == Path("/var/lib/nn-kiosk")
    assert config.model.export == Path("/opt/nn-kiosk/exports/mnist-mlp")
    shipped = load_config(REPO / "config" / "kiosk.yaml")
    assert config.server == shipped.server and config.display == shipped.display  # nothing else changed


def unit_settings(path: Path) -> dict[str, list[str]]:
    """``Key=value`` lines of a unit file, by key (a key may repeat), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        if re.match(r"^[A-Za-z]+=", line):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value.strip())
    return settings


@needs_make
@pytest.mark.skipif(shutil.which("systemctl") is None, reason="systemctl is not installed")
@pytest.mark.process
def test_the_installed_units_start_at_boot_restart_and_reload(staged_install: Path) -> None:
    # systemctl --root enables units in an installed tree without a running systemd: what staff's
    # "systemctl enable" does on the exhibit PC.
    result = subprocess.run(
        ["systemctl", f"--root={staged_install}", "enable", *UNITS],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    wants = staged_install / "etc" / "systemd" / "system" / "multi-user.target.wants"
    for unit in UNITS:
        assert (wants / unit).is_symlink(), f"{unit} is not started at boot"
        assert os.readlink(wants / unit) == f"/etc/systemd/system/{unit}"
    server, screen = (unit_settings(staged_install / "etc" / "systemd" / "system" / unit) for unit in UNITS)
    # The server: ready when it says so, watched, restarted, reloaded with SIGHUP, confined.
    assert (
        server["Type"] == ["notify"] and server["WatchdogSec"] == ["30"] and server["Restart"] == ["always"]
    )
    assert server["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert server["User"] == ["nn-kiosk"] and server["StateDirectory"] == ["nn-kiosk"]
    assert server["ConfigurationDirectory"] == ["nn-kiosk"]
    assert server["ProtectSystem"] == ["strict"] and server["NoNewPrivileges"] == ["yes"]
    # The screen: after the server is ready, restarted if it crashes, no pinch zoom.
    assert "nn-kiosk.service" in screen["After"] and "nn-kiosk.service" in screen["Wants"]
    assert screen["Restart"] == ["always"]
    [command] = screen["ExecStart"]
    assert (
        "--kiosk" in command and "--disable-pinch" in command and command.endswith("http://127.0.0.1:8080/")
    )


@needs_make
@pytest.mark.process
def test_make_install_never_overwrites_the_staff_config(staged_install: Path) -> None:
    config = staged_install / "etc" / "nn-kiosk" / "kiosk.yaml"
    config.write_text("server:\n  port: 9000\n")
    result = make("install", f"DESTDIR={staged_install}", "PREFIX=/opt/nn-kiosk")
    assert result.returncode == 0, result.stderr
    assert config.read_text() == "server:\n  port: 9000\n"
    assert "kept" in result.stdout


@needs_make
@pytest.mark.process
def test_make_uninstall_keeps_config_and_state(staged_install: Path) -> None:
    state = staged_install / "var" / "lib" / "nn-kiosk"
    state.mkdir(parents=True)
    (state / "devices.json").write_text("{}")
    result = make("uninstall", f"DESTDIR={staged_install}", "PREFIX=/opt/nn-kiosk")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (staged_install / "opt" / "nn-kiosk").exists()
    for unit in UNITS:
        assert not (staged_install / "etc" / "systemd" / "system" / unit).exists()
    assert (staged_install / "etc" / "nn-kiosk" / "kiosk.yaml").is_file()
    assert (state / "devices.json").is_file()
    assert "Kept: /etc/nn-kiosk" in result.stdout
