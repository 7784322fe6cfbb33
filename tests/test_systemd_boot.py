"""The exhibit on a Debian 12 PC booted by a real systemd (tests/support/booted_debian.py).

The PC is a debootstrapped bookworm root with the exhibit installed as staff install it: ``make
install`` staged into it, then the commands it prints run inside with no network, pip taking
everything from a folder of wheels made as docs/operations.md says (``--no-index --find-links``),
both units enabled with ``systemctl enable``. One boot (``systemd-nspawn -b``) serves the module;
on it:

- the server unit is active after the boot and answers /healthz;
- ``kill -9`` of the server: systemd starts a new one after RestartSec and it answers again;
- ``kill -STOP`` (an event loop that hangs): the watchdog kills it and systemd starts a new one.
  The unit's WatchdogSec=30 would make this test wait half a minute; like staff would, a drop-in
  (/etc/systemd/system/nn-kiosk.service.d/) sets WatchdogSec=5 for this test;
- ``systemctl reload nn-kiosk`` applies a changed /etc/nn-kiosk/kiosk.yaml (the staff's language,
  read back from /tablet/config.json) and keeps the same process;
- the screen unit is wanted at boot (enabled, in multi-user.target's wants, ordered after the
  server). It cannot run in a container (no /dev/tty0, no cage): its ConditionPathExists=/dev/tty0
  skips it cleanly, after the server was ready, and that is checked too.

The first run builds the PC (a few minutes); later runs reuse it and only copy the program again.
Skipped, saying why, where it cannot run: not root, or debootstrap/systemd-nspawn missing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import booted_debian

pytestmark = [
    pytest.mark.process,
    pytest.mark.slow,
    pytest.mark.skipif(booted_debian.unavailable() is not None, reason=booted_debian.unavailable() or ""),
]

SERVER, SCREEN = booted_debian.UNITS
HEALTHZ = "http://127.0.0.1:8080/healthz"
RESTART_SEC = 2  # the unit's RestartSec=
TEST_WATCHDOG_SEC = 5
# The most a start of the server may take here (it takes about 1 s: PyTorch, the model, the port).
START_ALLOWANCE_S = 30
DROP_IN = "/etc/systemd/system/nn-kiosk.service.d/test-watchdog.conf"


class PC(booted_debian.Machine):
    """The booted PC, with what the tests ask of its exhibit server."""

    boot_to_active_s = 0.0

    def show(self, prop: str, unit: str = SERVER) -> str:
        return self.run("systemctl", "show", "--value", "-p", prop, unit).stdout.strip()

    def main_pid(self) -> int:
        return int(self.show("MainPID") or 0)

    def is_active(self, unit: str = SERVER) -> str:
        return self.run("systemctl", "is-active", unit, check=False).stdout.strip()

    def journal(self, unit: str = SERVER) -> str:
        return self.run("journalctl", "--no-pager", "-o", "cat", "-u", unit).stdout

    def answering(self) -> bool:
        """Active, and /healthz says ok."""
        if self.is_active() != "active":
            return False
        status, body = self.http_get(HEALTHZ)
        return status == 200 and json.loads(body)["status"] == "ok"


def wait_for(condition: Callable[[], object], seconds: float, what: str, pc: PC) -> float:
    """Poll ``condition`` until it is true; the seconds it took. Fails after ``seconds`` with the log."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {seconds} s; the server's journal:\n{pc.journal()[-4000:]}")


@pytest.fixture(scope="module")
def pc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PC]:
    log = tmp_path_factory.mktemp("boot") / "console.log"
    with booted_debian.cache_lock():
        root = booted_debian.exhibit_root()
        with PC(root, log) as machine:
            wait_for(lambda: machine.is_active() == "active", START_ALLOWANCE_S + 30, "boot", machine)
            machine.boot_to_active_s = time.monotonic() - machine.started
            yield machine
    assert machine.nspawn is not None and machine.nspawn.poll() is not None  # nothing left running


def test_the_server_is_active_after_boot_and_answers(pc: PC) -> None:
    assert pc.is_active() == "active"
    status, body = pc.http_get(HEALTHZ)
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"
    assert pc.show("NRestarts") == "0"  # it came up at its first start
    assert pc.show("UnitFileState") == "enabled"
    print(f"boot → {SERVER} active: {pc.boot_to_active_s:.1f} s")


def test_the_screen_is_wanted_at_boot_and_skipped_without_a_screen(pc: PC) -> None:
    assert pc.run("systemctl", "is-enabled", SCREEN).stdout.strip() == "enabled"
    wants = pc.run("systemctl", "list-dependencies", "--plain", "multi-user.target").stdout.split()
    assert SCREEN in wants and SERVER in wants
    assert SERVER in pc.show("After", SCREEN).split() and SERVER in pc.show("Wants", SCREEN).split()
    # In a container there is no /dev/tty0: the unit was considered at boot and skipped, no failure.
    assert pc.show("ConditionResult", SCREEN) == "no"
    assert pc.is_active(SCREEN) == "inactive"
    assert "unmet condition check (ConditionPathExists=/dev/tty0)" in pc.journal(SCREEN)
    # …and it was considered only once the server had said READY=1 (After= on a Type=notify unit).
    checked = int(pc.show("ConditionTimestampMonotonic", SCREEN))
    assert checked >= int(pc.show("ActiveEnterTimestampMonotonic")) > 0


def test_systemctl_reload_applies_a_changed_config_in_the_same_process(pc: PC) -> None:
    wait_for(pc.answering, START_ALLOWANCE_S, "the server answering", pc)
    pid = pc.main_pid()
    assert json.loads(pc.http_get("http://127.0.0.1:8080/tablet/config.json")[1])["language"] == "en"
    pc.run("sed", "-i", "s/^language: en$/language: de/", "/etc/nn-kiosk/kiosk.yaml")
    pc.run("systemctl", "reload", SERVER)

    def german() -> bool:
        status, body = pc.http_get("http://127.0.0.1:8080/tablet/config.json")
        return status == 200 and json.loads(body)["language"] == "de"

    wait_for(german, 10, "the tablet page in German after the reload", pc)
    assert pc.main_pid() == pid
    assert pc.is_active() == "active"
    journal = pc.journal()
    assert re.search(r"/etc/nn-kiosk/kiosk.yaml \(changed: [^)]*language", journal), journal[-3000:]
    assert f"Reloaded {SERVER}" in journal


def test_a_killed_server_is_back_after_the_restart_delay(pc: PC) -> None:
    wait_for(pc.answering, START_ALLOWANCE_S, "the server answering", pc)
    pid = pc.main_pid()
    killed = time.monotonic()
    pc.run("kill", "-9", str(pid))
    limit = RESTART_SEC + START_ALLOWANCE_S
    wait_for(lambda: pc.main_pid() not in (0, pid), limit, "a new server", pc)
    wait_for(pc.answering, limit, "the new server answering", pc)
    back = time.monotonic() - killed
    journal = pc.journal()
    assert "Main process exited, code=killed, status=9/KILL" in journal
    assert "Scheduled restart job, restart counter is at 1." in journal
    assert RESTART_SEC <= back <= limit  # after the delay, not at once and not never
    print(f"kill -9 → a new {SERVER} answering /healthz: {back:.1f} s (RestartSec={RESTART_SEC})")


def test_a_hung_server_is_killed_by_the_watchdog_and_restarted(pc: PC) -> None:
    pc.run("mkdir", "-p", str(Path(DROP_IN).parent))
    pc.run("sh", "-c", f"printf '[Service]\\nWatchdogSec={TEST_WATCHDOG_SEC}\\n' > {DROP_IN}")
    pc.run("systemctl", "daemon-reload")
    pc.run("systemctl", "restart", SERVER)
    wait_for(pc.answering, START_ALLOWANCE_S, "the server answering with the test's watchdog", pc)
    assert pc.show("WatchdogUSec") == f"{TEST_WATCHDOG_SEC}s"
    pid = pc.main_pid()
    stopped = time.monotonic()
    pc.run("kill", "-STOP", str(pid))  # the process stays, but its event loop pings no more
    limit = TEST_WATCHDOG_SEC + RESTART_SEC + START_ALLOWANCE_S
    wait_for(lambda: pc.main_pid() not in (0, pid), limit, "a new server after the watchdog", pc)
    wait_for(pc.answering, limit, "the new server answering", pc)
    back = time.monotonic() - stopped
    journal = pc.journal()
    assert f"Watchdog timeout (limit {TEST_WATCHDOG_SEC}s)!" in journal
    assert "Failed with result 'watchdog'" in journal
    assert back >= TEST_WATCHDOG_SEC / 2 + RESTART_SEC  # pings come every WatchdogSec / 2
    assert "Main process exited, code=killed, status=6/ABRT" in journal
    # SIGABRT: faulthandler wrote the hung server's Python stacks to the journal, for staff to send on.
    assert "Fatal Python error: Aborted" in journal
    assert 'File "/opt/nn-kiosk/kiosk/__main__.py"' in journal
    print(f"kill -STOP → watchdog → a new {SERVER} answering: {back:.1f} s (WatchdogSec={TEST_WATCHDOG_SEC})")
