"""The exhibit's log in a real journal: installed and booted as on an exhibit PC
(tests/support/booted_debian.py), its lines reach journald with the right priority and no second
timestamp, so staff's ``journalctl -u nn-kiosk -p warning`` shows the problems only.

Skipped, saying why, where a PC cannot be booted here (see test_systemd_boot.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import booted_debian
from test_systemd_boot import HEALTHZ, PC, SERVER, START_ALLOWANCE_S, wait_for

pytestmark = [
    pytest.mark.process,
    pytest.mark.slow,
    pytest.mark.skipif(booted_debian.unavailable() is not None, reason=booted_debian.unavailable() or ""),
]


def entries(pc: PC) -> list[dict]:
    """The server's own journal entries (not systemd's about it): PRIORITY and MESSAGE."""
    out = pc.run("journalctl", "--no-pager", "-u", SERVER, "-o", "json", "--output-fields=PRIORITY,MESSAGE")
    found = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return [
        e for e in found if e["MESSAGE"].startswith(("DEBUG ", "INFO ", "WARNING ", "ERROR ", "CRITICAL "))
    ]


def test_the_journal_gets_priorities_and_no_second_timestamp(tmp_path: Path) -> None:
    with booted_debian.cache_lock():
        root = booted_debian.exhibit_root()
        with PC(root, tmp_path / "console.log") as pc:
            wait_for(pc.answering, START_ALLOWANCE_S + 30, "the server answering", pc)
            assert pc.http_get(HEALTHZ)[0] == 200  # a request: no access line at info
            pc.run("sh", "-c", "echo 'bogus: 1' >> /etc/nn-kiosk/kiosk.yaml")
            pc.run("systemctl", "reload", SERVER)
            wait_for(lambda: "reload refused" in pc.journal(), 10, "the refused reload in the journal", pc)
            found = entries(pc)
            problems = pc.run("journalctl", "--no-pager", "-o", "cat", "-u", SERVER, "-p", "warning").stdout

    ready = [
        e for e in found if e["MESSAGE"].startswith("INFO kiosk: ready on all addresses, port 8080: screen")
    ]
    assert len(ready) == 1 and ready[0]["PRIORITY"] == "6", found
    [refused] = [e for e in found if "reload refused" in e["MESSAGE"]]
    assert refused["PRIORITY"] == "3" and refused["MESSAGE"].startswith("ERROR kiosk.reload: reload refused")
    priorities = {"DEBUG": "7", "INFO": "6", "WARNING": "4", "ERROR": "3", "CRITICAL": "2"}
    assert all(e["PRIORITY"] == priorities[e["MESSAGE"].split()[0]] for e in found), found
    assert not any(
        e["MESSAGE"][:1].isdigit() or e["MESSAGE"].startswith("<") for e in found
    )  # no time, no <N>
    assert "reload refused" in problems and "ready on" not in problems and "starting with" not in problems
    assert not any("aiohttp.access" in e["MESSAGE"] or "aioice" in e["MESSAGE"] for e in found)
