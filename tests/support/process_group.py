"""Ending a test's browser or helper process with everything it started (its process group)."""

from __future__ import annotations

import os
import signal
import subprocess
import time


def end_group(process: subprocess.Popen, grace_s: float = 5.0) -> None:
    """SIGTERM to the process's group, SIGKILL to whatever of it is left after ``grace_s``."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if not group_alive(process):
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while group_alive(process) and time.monotonic() < deadline:
            time.sleep(0.05)


def group_alive(process: subprocess.Popen) -> bool:
    """Whether anything of ``process``'s own process group still runs (the leader is reaped first)."""
    process.poll()
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True
