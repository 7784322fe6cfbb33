"""``python -m kiosk self-test`` against a real exhibit process on loopback, and where it must fail.

Each run is the command staff type, as a process: it pairs its own virtual tablet, draws the
shipped digits over a real WebRTC data channel, follows the screen's event stream and must leave
no tablet behind, whatever happened.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from support import REPO
from support.api import post_json

from kiosk.tablet.virtual import VirtualTablet
from tools.exhibit_process import ExhibitProcess, unused_port

pytestmark = pytest.mark.process

CLOSED_EVERY_DAY = "attract:\n  opening_hours:\n" + "".join(
    f"    {day}: closed\n" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)


def self_test(config: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "self-test", "--config", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def paired_tablets(kiosk: ExhibitProcess) -> list[dict]:
    status, answer = _get_tablets(kiosk)
    assert status == 200, answer
    return answer["tablets"]


def _get_tablets(kiosk: ExhibitProcess) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{kiosk.base}/api/admin/tablets", headers={"Authorization": f"Bearer {kiosk.admin_token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def pair(kiosk: ExhibitProcess, name: str) -> dict:
    _, window = post_json(f"{kiosk.base}/api/admin/pairing", {}, kiosk.admin_token)
    status, paired = post_json(f"{kiosk.base}/api/tablet/pair", {"code": window["code"], "name": name})
    assert status == 200, paired
    return paired


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory):
    kiosk = ExhibitProcess(tmp_path_factory.mktemp("selftest"))
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()


def test_it_passes_against_a_running_exhibit_and_leaves_no_tablet(kiosk: ExhibitProcess) -> None:
    done = self_test(kiosk.config)
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = done.stdout.strip().splitlines()[-1]
    assert verdict.startswith("PASS — ") and "drawings read right" in verdict, done.stdout
    assert "ms median" in verdict and "the screen stream showed every drawing" in verdict
    assert (
        "drawing 30 handwritten digits" in done.stdout
        and "Removed the 'self-test' tablet again." in done.stdout
    )
    assert paired_tablets(kiosk) == []
    assert "Traceback" not in done.stderr


def test_a_tablet_left_by_an_interrupted_self_test_is_removed_first(kiosk: ExhibitProcess) -> None:
    left = pair(kiosk, "self-test")
    done = self_test(kiosk.config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Removed a 'self-test' tablet an interrupted self-test had left ({left['device']})" in done.stdout
    assert paired_tablets(kiosk) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_while_drawing_it_still_removes_its_tablet(kiosk: ExhibitProcess, sig: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "self-test", "--config", str(kiosk.config)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not (line := process.stdout.readline()).startswith("Connected over WebRTC"):
            assert line, "".join(lines) + process.stderr.read()
            lines.append(line)
        process.send_signal(sig)  # at once: it draws for only a few seconds, even on a busy machine
        assert any(line.startswith("Paired a virtual tablet") for line in lines)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, out + err
    assert "Removed the 'self-test' tablet again." in out and "Self-test interrupted." in out
    assert "Traceback" not in err
    assert paired_tablets(kiosk) == []


async def test_it_does_not_push_a_connected_tablet_off_its_seat(kiosk: ExhibitProcess) -> None:
    visitor = pair(kiosk, "by the door")
    tablet = VirtualTablet()
    try:
        await tablet.connect(kiosk.base, visitor["credential"])
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "kiosk", "self-test", "--config", str(kiosk.config)),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = (part.decode() for part in await asyncio.wait_for(process.communicate(), 60))
        assert process.returncode == 1, out + err
        assert "FAIL — the tablet 'by the door' is connected and holds the drawing seat" in out
        assert "What to do: When nobody is drawing, lock that tablet" in out
        still = await asyncio.to_thread(paired_tablets, kiosk)
        assert [(t["name"], t["connected"]) for t in still] == [("by the door", True)]
        assert tablet.channel.readyState == "open"
    finally:
        await tablet.close()
        post_json(f"{kiosk.base}/api/admin/tablets/revoke", {"device": visitor["device"]}, kiosk.admin_token)


def test_it_leaves_an_open_pairing_window_to_whoever_opened_it(kiosk: ExhibitProcess) -> None:
    _, window = post_json(f"{kiosk.base}/api/admin/pairing", {}, kiosk.admin_token)
    done = self_test(kiosk.config)
    assert done.returncode == 1 and "FAIL — a pairing window is open" in done.stdout
    status, paired = post_json(f"{kiosk.base}/api/tablet/pair", {"code": window["code"], "name": "staff's"})
    assert status == 200  # their code still works
    post_json(f"{kiosk.base}/api/admin/tablets/revoke", {"device": paired["device"]}, kiosk.admin_token)


def test_it_fails_with_what_to_do_when_the_exhibit_is_not_running(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"server:\n  port: {unused_port()}\ntablet:\n  state_dir: {tmp_path / 'state'}\n")
    done = self_test(config)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "FAIL — the exhibit does not answer at http://127.0.0.1:" in done.stdout
    assert (
        "sudo systemctl start nn-kiosk" in done.stdout and f"another config file than {config}" in done.stdout
    )


def test_it_fails_with_the_config_and_the_user_to_use_when_the_admin_token_cannot_be_read(
    kiosk: ExhibitProcess, tmp_path: Path
) -> None:
    other = tmp_path / "other.yaml"  # the running exhibit's port, another state folder
    other.write_text(kiosk.config.read_text().replace(str(kiosk.state), str(tmp_path / "state")))
    done = self_test(other)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"FAIL — cannot read the admin token in {tmp_path / 'state'}" in done.stdout
    assert f"The config read was {other}" in done.stdout and "--config FILE" in done.stdout
    assert "sudo -u nn-kiosk /opt/nn-kiosk/.venv/bin/python -m kiosk self-test" in done.stdout
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "admin.token").write_text("another exhibit's token")
    done = self_test(other)
    assert done.returncode == 1 and "FAIL — the exhibit refused the admin token" in done.stdout
    assert paired_tablets(kiosk) == []


def test_it_fails_while_the_exhibit_is_closed_and_pairs_nothing(tmp_path: Path) -> None:
    closed = ExhibitProcess(tmp_path, settings=CLOSED_EVERY_DAY)
    closed.start()
    try:
        done = self_test(closed.config)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "FAIL — the exhibit is closed now (its opening hours)" in done.stdout
        assert "during the opening hours" in done.stdout
        assert paired_tablets(closed) == []
    finally:
        closed.stop()
