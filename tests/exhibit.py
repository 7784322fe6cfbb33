"""The real exhibit server (``python -m kiosk``) for browser tests: on loopback or in a lab namespace.

    exhibit = Exhibit(tmp_path / "exhibit", export_dir, namespace=lab.exhibit)
    exhibit.start()                     # returns when /healthz answers
    code = exhibit.pairing_code()       # POST /api/admin/pairing with the admin token
    browser.open(f"{exhibit.url}/tablet#code={code}")
    exhibit.kill(); exhibit.start()     # kill -9, then again on the same address, port and state

Like conftest's ``Kiosk`` (restartable on the same port and state folder, its log in a file),
and beyond it:

- ``namespace`` (a ``netlab.Namespace``): the server runs there (``ip netns exec``) and listens on
  the namespace's own address (``server.host`` in the config), port ``port`` (default 8080: the
  namespace has nothing else listening). ``url`` is the address a tablet uses
  (``http://10.231.N.1:8080``); ``local`` the address this process uses, through a relay into
  the namespace. On loopback both are ``http://127.0.0.1:<free port>``.
- ``tablet`` adds keys to the config's ``tablet:`` section (e.g. ``{"when_busy": "take_over"}``);
  ``server``, ``model`` and ``tablet.state_dir`` are written here.
- ``kill()`` is ``kill -9``: no clean-up runs; ``stop()`` is SIGTERM with a grace period.
- ``start()`` returns ``time.monotonic()`` at the moment /healthz first answered.
- ``infer(strokes)``: what the running server's network says of a whole drawing (POST /api/infer).
- ``tracebacks()``: the tracebacks in the server's log; tests assert there are none.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from conftest import unused_port

if TYPE_CHECKING:
    from netlab import Namespace

REPO = Path(__file__).resolve().parent.parent


class Exhibit:
    """``python -m kiosk`` with its config, state and log in ``folder``; see the module's description."""

    def __init__(
        self,
        folder: Path,
        export: Path,
        namespace: Namespace | None = None,
        port: int | None = None,
        tablet: dict[str, object] | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.namespace = folder, namespace
        self.host = namespace.address if namespace else "127.0.0.1"
        self.port = port or (8080 if namespace else unused_port())
        self.url = f"http://{self.host}:{self.port}"
        self.local = (
            self.url if namespace is None else f"http://127.0.0.1:{namespace.forward(self.port, self.host)}"
        )
        self.state = folder / "state"
        self.log = folder / "kiosk.log"
        self.config = folder / "kiosk.yaml"
        tablet_lines = "".join(f"  {key}: {value}\n" for key, value in (tablet or {}).items())
        self.config.write_text(
            f"server:\n  host: {self.host}\n  port: {self.port}\nmodel:\n  export: {export}\n"
            f"tablet:\n  state_dir: {self.state}\n{tablet_lines}"
        )
        self.server: subprocess.Popen | None = None

    def start(self, timeout_s: float = 90) -> float:
        """Start the server and wait until /healthz answers; returns ``time.monotonic()`` then."""
        argv = [sys.executable, "-m", "kiosk", "--config", str(self.config)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log.open("a") as log:
            if self.namespace is None:
                self.server = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
            else:
                self.server = self.namespace.popen(
                    argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log
                )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.server.poll() is not None:
                raise RuntimeError(f"the exhibit exited ({self.server.returncode}):\n{self.log_tail()}")
            try:
                self.get("/healthz", timeout_s=2)
                return time.monotonic()
            except OSError:  # not listening yet (through a relay: the connection is closed at once)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer within {timeout_s} s:\n{self.log_tail()}") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """``kill -9``: the server dies at once, as in a power cut of its process."""
        if self.server is not None:
            with contextlib.suppress(ProcessLookupError):
                self.server.send_signal(signal.SIGKILL)
            self.server.wait()
            self.server = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.server = None

    # ---- its API -------------------------------------------------------------------------------

    @property
    def admin_token(self) -> str:
        return (self.state / "admin.token").read_text().strip()

    def get(self, path: str, timeout_s: float = 5) -> dict:
        with urllib.request.urlopen(f"{self.local}{path}", timeout=timeout_s) as response:
            return json.loads(response.read())

    def post(self, path: str, body: dict, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"} | (
            {"Authorization": f"Bearer {token}"} if token else {}
        )
        request = urllib.request.Request(f"{self.local}{path}", json.dumps(body).encode(), headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def pairing_code(self) -> str:
        """A fresh one-time pairing code (as staff would open a pairing window)."""
        return self.post("/api/admin/pairing", {}, self.admin_token)["code"]

    def infer(self, strokes: list) -> dict:
        """The server's answer for the whole drawing ``strokes`` ([[[x, y, t], ...], ...])."""
        return self.post("/api/infer", {"strokes": strokes})

    # ---- its log -------------------------------------------------------------------------------

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def tracebacks(self) -> list[str]:
        """Each traceback in the log, with the 15 lines that follow it."""
        lines = self.log_text().splitlines()
        return ["\n".join(lines[i : i + 15]) for i, line in enumerate(lines) if "Traceback" in line]
