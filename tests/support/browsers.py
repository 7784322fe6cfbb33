"""Debian's Chromium for the real-browser tests, and waiting for a launched browser to listen.

- ``CHROMIUM`` and ``BROWSER_ARGS``: what conftest's ``browser`` fixture (Playwright) launches.
- ``browser_missing()``: why real-browser tests cannot run here, or None (a module's skip reason).
- ``wait_for_output``: until a launched browser writes that it listens (chromium.py, firefox.py).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    *("--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync"),
]


def browser_missing() -> str | None:
    """Why real-browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


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
