"""Shared fixtures: a tiny valid export written straight from the format description, and a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings

REPO = Path(__file__).resolve().parent.parent

# The fuzz tests (test_fuzz_*.py) explore new examples on a developer's runs; CI replays the same
# ones every run, so that a landing is not decided by which random inputs it happened to draw.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")
SHIPPED_EXPORT = REPO / "exports" / "mnist-mlp"

TINY_ARCHITECTURE = [784, 16, 10]
TINY_ACTIVATIONS = ["relu", "softmax"]
TINY_SNAPSHOTS = ["start", "mid", "end"]


def write_tiny_export(folder: Path, seed: int = 0) -> Path:
    """An export per docs/export-format.md with random weights: manifest.json + one f16 file a snapshot.

    Written with numpy only, independent of training/export.py, so it also checks that reader
    and format description agree.
    """
    rng = np.random.default_rng(seed)
    (folder / "snapshots").mkdir(parents=True)
    entries = []
    for i, snapshot_id in enumerate(TINY_SNAPSHOTS):
        values = []
        for n_in, n_out in zip(TINY_ARCHITECTURE, TINY_ARCHITECTURE[1:], strict=False):
            values.append(rng.normal(0, 0.1, size=(n_out, n_in)).ravel())  # W, out x in, row-major
            values.append(rng.normal(0, 0.1, size=n_out))  # bias
        file = f"snapshots/{i:03d}.f16"
        np.concatenate(values).astype("<f2").tofile(folder / file)
        entries.append(
            {
                "id": snapshot_id,
                "label": f"after {i * 1000} images",
                "images_seen": i * 1000,
                "test_accuracy": 0.1 + 0.3 * i,
                "train_loss": None if i == 0 else 2.3 / (i + 1),
                "file": file,
            }
        )
    manifest = {
        "format": "nn-kiosk-timeline/1",
        "name": "tiny-test",
        "architecture": TINY_ARCHITECTURE,
        "activations": TINY_ACTIVATIONS,
        "normalization": {"mean": 0.1307, "std": 0.3081},
        "snapshots": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


@pytest.fixture
def tiny_export(tmp_path: Path) -> Path:
    """Folder of a small valid export (architecture [784, 16, 10], snapshots start/mid/end)."""
    return write_tiny_export(tmp_path / "tiny-export")


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped export when it exists, else a tiny one: tests must hold for any valid export."""
    if (SHIPPED_EXPORT / "manifest.json").exists():
        return SHIPPED_EXPORT
    return write_tiny_export(tmp_path_factory.mktemp("export") / "tiny-export")


def unused_port() -> int:
    """A loopback port free right now (for module-scoped servers; tests take the fixture)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return unused_port()


def pytest_configure(config: pytest.Config) -> None:
    # Slow tests still run in `make test`; the marker only lets a developer skip them: -m "not slow".
    config.addinivalue_line("markers", "slow: takes tens of seconds (e.g. a real training run)")


def rewrite_manifest(folder: Path, change) -> None:
    """Apply ``change(manifest_dict)`` to ``folder/manifest.json`` in place (json.dumps writes NaN as NaN)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def start_server(config: Path) -> subprocess.Popen:
    """``python -m kiosk --config config`` as a real process, logging to its stderr pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config)],
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_serving(server: subprocess.Popen, base: str, seconds: float = 60) -> dict:
    """Poll /healthz until the server answers; returns its answer. Fails if the process dies."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, server.communicate()[1]
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                return json.loads(response.read())
        except OSError:  # not listening yet
            assert time.monotonic() < deadline, f"server did not come up within {seconds} s"
            time.sleep(0.2)


def stop_server(server: subprocess.Popen, sig: int | None = None) -> str:
    """Stop the process (gracefully with ``sig`` if given, else kill); returns its stderr."""
    if server.poll() is None and sig is not None:
        server.send_signal(sig)
        try:
            return server.communicate(timeout=10)[1]
        except subprocess.TimeoutExpired:
            pass
    if server.poll() is None:
        server.kill()
    return server.communicate()[1]


class FakeClock:
    """A clock the test moves by hand: ``clock.now += 60``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def write_exhibit_config(folder: Path, export: Path, port: int) -> Path:
    """A config for a real server process on loopback, its state kept in ``folder/state``."""
    config = folder / "kiosk.yaml"
    config.write_text(
        f"server:\n  host: 127.0.0.1\n  port: {port}\nmodel:\n  export: {export}\n"
        f"tablet:\n  state_dir: {folder / 'state'}\n"
    )
    return config


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def exhibit_process(tmp_path: Path, export_dir: Path, free_port: int):
    """A real server process on loopback, its state in ``tmp_path/state``: (config file, base URL).
    Stopped with SIGTERM afterwards, and it must not have logged a traceback."""
    config = write_exhibit_config(tmp_path, export_dir, free_port)
    server = start_server(config)
    base = f"http://127.0.0.1:{free_port}"
    try:
        wait_until_serving(server, base)
        yield config, base
    finally:
        stderr = stop_server(server, signal.SIGTERM)
    assert "Traceback" not in stderr, stderr


def post_json(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    """POST ``body``, optionally with a bearer token; returns (status, decoded answer)."""
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# ---- real browsers ---------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    *("--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync"),
]


def wait_for_output(
    process: subprocess.Popen, output: Path, text: str, what: str, seconds: float, tail: Callable[[], str]
) -> None:
    """Wait until ``text`` appears in ``output`` (a launched browser saying it listens); RuntimeError
    with ``tail()`` if ``process`` exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while text not in output.read_text(errors="replace"):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}): {tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not listen within {seconds} s: {tail()}")
        time.sleep(0.1)


def browser_missing() -> str | None:
    """Why real-browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module (pages are opened per test)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield browser
        browser.close()


class Kiosk:
    """The real server as a process, restartable on the same port and state folder; its log goes
    to a file (a pipe nobody reads would fill up and stall a long-running server)."""

    def __init__(self, config: Path, state: Path, port: int) -> None:
        self.config, self.state, self.base = config, state, f"http://127.0.0.1:{port}"
        self.log = config.parent / "kiosk.log"
        self.server: subprocess.Popen | None = None

    @classmethod
    def shipped(cls, folder: Path, settings: str = "", tablet: str = "") -> Kiosk:
        """A kiosk (not started) with the shipped export on a free loopback port, its config and state
        in ``folder``; ``settings``: more top-level YAML, ``tablet``: more lines of ``tablet:``."""
        port = unused_port()
        config = folder / "kiosk.yaml"
        config.write_text(
            f"server:\n  host: 127.0.0.1\n  port: {port}\n"
            f"model:\n  export: {REPO / 'exports' / 'mnist-mlp'}\n"
            f"tablet:\n  state_dir: {folder / 'state'}\n{tablet}{settings}"
        )
        return cls(config, folder / "state", port)

    def start(self) -> None:
        with self.log.open("a") as log:
            self.server = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "--config", str(self.config)],
                cwd=REPO,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        wait_until_serving(self.server, self.base)

    def stop(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None
            log = self.log.read_text()
            assert "Traceback" not in log, log

    def kill(self) -> None:
        """``kill -9``: no shutdown at all, as in a crash."""
        if self.server is not None:
            self.server.kill()
            self.server.wait()
            self.server = None

    @property
    def admin_token(self) -> str:
        return (self.state / "admin.token").read_text().strip()
