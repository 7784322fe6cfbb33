"""Waiting for the exhibit's lesson process (issue 15, kiosk/teach/) before a test teaches.

    if not lessons_ready(exhibit):
        pytest.skip("this export carries no teaching data")

The process starts with the exhibit and needs a few seconds (more on a busy PC) to load its data;
a lesson asked for before then waits for it, which would count against the test's own timeouts.
"""

from __future__ import annotations

import time
from typing import Any, Protocol


class Exhibit(Protocol):
    def get(self, path: str, timeout_s: float = 10) -> Any: ...


def lessons_ready(exhibit: Exhibit, timeout_s: float = 60) -> bool:
    """True once ``/healthz`` says the lesson process is ready; False if lessons are unavailable
    (no teaching data in the export); TimeoutError if neither within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        worker = exhibit.get("/healthz").get("lessons", {}).get("worker")
        if worker in ("ready", "unavailable"):
            return worker == "ready"
        if time.monotonic() > deadline:
            raise TimeoutError(f"the lesson process is still {worker!r} after {timeout_s} s")
        time.sleep(0.2)
