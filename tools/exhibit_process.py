"""The real exhibit (``python -m kiosk``) as a process of its own: the one way tests, benchmarks and
tools start a server.

    with ExhibitProcess(tmp_path / "exhibit", tablet={"when_busy": "take_over"}) as exhibit:
        credential = exhibit.pair("door")["credential"]   # a tablet paired as staff would pair it
        exhibit.get("/healthz")                            # JSON from its API (post() too)
        exhibit.kill(); exhibit.start()                    # kill -9, then again on the same port and state
    assert exhibit.tracebacks() == []                      # its log, kept in the folder

What it does:

- ``folder`` holds its config (``kiosk.yaml``), its state (``state/``: admin token, paired tablets)
  and its log (``kiosk.log``: stdout and stderr, appended across restarts; a pipe nobody reads would
  fill up and stall a long-running server). The config is written at construction: ``server``,
  ``model.export`` (default: the shipped model) and ``tablet.state_dir``; ``tablet`` adds keys to the
  ``tablet:`` section, ``settings`` is more top-level YAML (e.g. an ``attract:`` section;
  ``QUIET_PLAYLIST``). ``write_config(tablet, settings)`` writes another one, for the next start.
- ``port``: default a free loopback port (8080 in a network namespace, where nothing else listens);
  ``host``: the address it listens on (``0.0.0.0``: all of them; this process still uses loopback).
- ``start()`` returns ``time.monotonic()`` at the moment ``/healthz`` first answered, or raises
  RuntimeError with the end of the log if the server exits or does not answer in time;
  ``start(wait=False)`` only launches it (a test that watches it come up); ``env`` adds to its
  environment. ``wait_for_log(text)``: until its log says ``text``. ``stop(sig)`` sends
  ``sig`` (default SIGTERM), then SIGKILL after ``grace_s``, and returns the whole log; ``kill()`` is
  ``kill -9``, as in a crash. ``with`` starts it and stops it.
- ``namespace`` (``tests/support/netlab.py``'s ``Namespace``): the server runs there (``ip netns
  exec``) on the namespace's own address. ``url`` is the address a tablet uses, ``base`` the one this
  process uses (through a relay into the namespace); on loopback both are ``http://127.0.0.1:<port>``.
- ``root``: run the kiosk package of another checkout (a benchmark's baseline) with this Python.

Its API, as staff's scripts call it: ``admin_token``, ``get``, ``post``, ``admin`` (a POST with the
admin token), ``pairing_code`` (opens a pairing window), ``pair`` (a tablet paired with such a
code: its ``device`` and ``credential``), ``infer`` (the network's answer for a whole drawing).
Its log: ``log_text``, ``log_tail``, ``wait_for_log``, ``tracebacks``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parent.parent
SHIPPED_EXPORT = REPO / "exports" / "mnist-mlp"
# ``settings`` for an exhibit whose attract loop is the training timeline alone, for an hour: no
# playground training process on the CPU beside a measurement or a test.
QUIET_PLAYLIST = "attract:\n  playlist:\n    - {scene: timeline, seconds: 3600}\n"


class Namespace(Protocol):
    """What this module needs of a network namespace (tests/support/netlab.py)."""

    address: str

    def popen(self, argv: list[str], **kwargs: Any) -> subprocess.Popen: ...

    def forward(self, port: int, host: str = "127.0.0.1", local_port: int = 0) -> int: ...


def unused_port() -> int:
    """A loopback port free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ExhibitProcess:
    """``python -m kiosk`` with its config, state and log in ``folder``; see the module's description."""

    def __init__(
        self,
        folder: Path,
        export: Path = SHIPPED_EXPORT,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        namespace: Namespace | None = None,
        tablet: Mapping[str, object] | None = None,
        settings: str = "",
        root: Path = REPO,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.namespace, self.root, self.export = folder, namespace, root, export
        self.host = namespace.address if namespace else host
        self.port = port or (8080 if namespace else unused_port())
        self.url = f"http://{self.host}:{self.port}" if namespace else f"http://127.0.0.1:{self.port}"
        self.base = (
            self.url if namespace is None else f"http://127.0.0.1:{namespace.forward(self.port, self.host)}"
        )
        self.config, self.state, self.log = folder / "kiosk.yaml", folder / "state", folder / "kiosk.log"
        self.write_config(tablet, settings)
        self.log.touch()
        self.process: subprocess.Popen | None = None

    def write_config(self, tablet: Mapping[str, object] | None = None, settings: str = "") -> None:
        """(Re)write its config; a running server reads it at its next start (or on SIGHUP)."""
        tablet_lines = "".join(f"  {key}: {value}\n" for key, value in (tablet or {}).items())
        self.config.write_text(
            f"server:\n  host: {self.host}\n  port: {self.port}\nmodel:\n  export: {self.export}\n"
            f"tablet:\n  state_dir: {self.state}\n{tablet_lines}{settings}"
        )

    def __enter__(self) -> ExhibitProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the process -------------------------------------------------------------------------

    def start(self, timeout_s: float = 90, wait: bool = True, env: Mapping[str, str] | None = None) -> float:
        """Start the server; unless ``wait`` is false, wait until /healthz answers and return
        ``time.monotonic()`` then. ``env``: more environment variables for it."""
        argv = [sys.executable, "-m", "kiosk", "--config", str(self.config)]
        python_path = os.pathsep.join(filter(None, [str(self.root), os.environ.get("PYTHONPATH")]))
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": python_path, **(env or {})}
        launch = subprocess.Popen if self.namespace is None else self.namespace.popen
        with self.log.open("a") as log:
            self.process = launch(argv, cwd=self.root, env=environment, stdout=log, stderr=log)
        return self.wait_until_serving(timeout_s) if wait else time.monotonic()

    def wait_until_serving(self, timeout_s: float = 90) -> float:
        """Poll /healthz until it answers; ``time.monotonic()`` then. RuntimeError if the server exits."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"the exhibit exited ({code}):\n{self.log_tail()}")
            try:
                self.get("/healthz", timeout_s=2)
                return time.monotonic()
            except OSError:  # not listening yet (through a relay: the connection is closed at once)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer within {timeout_s} s:\n{self.log_tail()}") from None
                time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, grace_s: float = 10) -> str:
        """Send ``sig``, SIGKILL after ``grace_s``; returns the whole log."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log_text()

    def kill(self) -> None:
        """``kill -9``: the server dies at once, as in a power cut of its process."""
        self.stop(signal.SIGKILL)

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        """None while it runs (or before it started)."""
        return None if self.process is None else self.process.poll()

    # ---- its API -------------------------------------------------------------------------------

    @property
    def admin_token(self) -> str:
        return (self.state / "admin.token").read_text().strip()

    def get(self, path: str, timeout_s: float = 10) -> Any:
        with urllib.request.urlopen(f"{self.base}{path}", timeout=timeout_s) as response:
            return json.loads(response.read())

    def post(self, path: str, body: Mapping[str, Any], token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"} | (
            {"Authorization": f"Bearer {token}"} if token else {}
        )
        request = urllib.request.Request(f"{self.base}{path}", json.dumps(body).encode(), headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def admin(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """A command with the admin token, as staff's scripts send it: ``admin("/api/admin/pairing")``."""
        return self.post(path, body or {}, self.admin_token)

    def pairing_code(self) -> str:
        """A fresh one-time pairing code (as staff would open a pairing window)."""
        return self.admin("/api/admin/pairing")["code"]

    def pair(self, name: str) -> dict:
        """A tablet paired under ``name``: its ``device`` id and ``credential``."""
        return self.post("/api/tablet/pair", {"code": self.pairing_code(), "name": name})

    def infer(self, strokes: list) -> dict:
        """The server's answer for the whole drawing ``strokes`` ([[[x, y, t], ...], ...])."""
        return self.post("/api/infer", {"strokes": strokes})

    # ---- its log -------------------------------------------------------------------------------

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_log(self, text: str, timeout_s: float = 60) -> None:
        """Until ``text`` is in the log; RuntimeError if the server exits or ``timeout_s`` pass first."""
        deadline = time.monotonic() + timeout_s
        while text not in self.log_text():
            if self.returncode is not None:
                raise RuntimeError(
                    f"the exhibit exited ({self.returncode}) before {text!r}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {text!r} within {timeout_s} s:\n{self.log_tail()}")
            time.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def tracebacks(self) -> list[str]:
        """Each traceback in the log, with the 15 lines that follow it."""
        lines = self.log_text().splitlines()
        return ["\n".join(lines[i : i + 15]) for i, line in enumerate(lines) if "Traceback" in line]
