"""Staff commands against a real server process: pair a tablet, list it, revoke it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO
from support.api import post_json

from tools.exhibit_process import ExhibitProcess

pytestmark = pytest.mark.process


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )


def test_staff_pair_a_tablet_list_it_and_revoke_it(exhibit_process, tmp_path: Path) -> None:
    config, base = exhibit_process.config, exhibit_process.base
    assert (tmp_path / "state" / "admin.token").stat().st_mode & 0o777 == 0o600
    opened = kiosk("pair", "--config", str(config))
    assert opened.returncode == 0, opened.stderr
    code = re.search(r"Pairing code: (\d{3}) (\d{3})", opened.stdout)
    assert code and "/tablet#code=" in opened.stdout and "█" in opened.stdout  # the QR code
    status, paired = post_json(f"{base}/api/tablet/pair", {"code": "".join(code.groups()), "name": "door"})
    assert status == 200
    listed = kiosk("tablets", "list", "--config", str(config))
    assert paired["device"] in listed.stdout and "'door'" in listed.stdout
    assert kiosk("tablets", "revoke", paired["device"], "--config", str(config)).returncode == 0
    offer = {"type": "offer", "sdp": "v=0"}
    status, _ = post_json(f"{base}/api/tablet/offer", offer, paired["credential"])
    assert status == 401  # the running server sees the revocation at once
    assert "no paired tablets" in kiosk("tablets", "list", "--config", str(config)).stdout


@pytest.mark.parametrize("args", [["pair"], ["tablets", "revoke", "nope"], ["tablets", "revoke"]])
def test_commands_fail_with_a_message_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"server:\n  port: 1\ntablet:\n  state_dir: {tmp_path / 'state'}\n")
    result = kiosk(*args, "--config", str(config))
    assert result.returncode == 1 and result.stderr.strip() and "Traceback" not in result.stderr


def test_the_server_removes_stale_temp_files_of_its_state_files_at_start(
    tmp_path: Path, export_dir: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    stale = [".tablets.json.a1b2c3.tmp", ".tablets.json.zz.tmp", ".admin.token.q9.tmp"]
    for name in stale:
        (state / name).write_text('{"devices": [{"credential_sha256": "…"}]}')
    (state / ".unrelated.k1.tmp").write_text("not ours")
    server = ExhibitProcess(tmp_path, export_dir)
    server.start()
    try:
        left = sorted(p.name for p in state.iterdir())
    finally:
        log = server.stop()
    assert left == [".unrelated.k1.tmp", "admin.token", "tablets.json.lock"]
    assert "removed 1 stale temp file(s) of" in log and "admin.token" in log
    assert f"removed 2 stale temp file(s) of {state / 'tablets.json'}" in log
    assert "Traceback" not in log


def test_pair_with_a_config_whose_state_folder_has_no_token_names_the_config_and_the_remedies(
    exhibit_process, tmp_path: Path
) -> None:
    base = exhibit_process.base  # running, but with another state folder than the one named below
    other = tmp_path / "other.yaml"
    other.write_text(
        f"server:\n  port: {base.rsplit(':', 1)[1]}\ntablet:\n  state_dir: {tmp_path / 'nowhere'}\n"
    )
    result = kiosk("pair", "--config", str(other))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"cannot read the admin token in {tmp_path / 'nowhere'}" in result.stderr
    assert f"The config read was {other}" in result.stderr
    assert "--config FILE" in result.stderr and "sudo -u nn-kiosk" in result.stderr


def test_tablets_list_without_a_state_folder_says_so_and_makes_none(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"tablet:\n  state_dir: {tmp_path / 'nowhere'}\n")
    for args in (["tablets", "list"], ["tablets", "revoke", "abc"]):
        result = kiosk(*args, "--config", str(config))
        assert result.returncode == 1 and f"no state folder {tmp_path / 'nowhere'}" in result.stderr
        assert f"The config read was {config}" in result.stderr and "sudo -u nn-kiosk" in result.stderr
    assert not (tmp_path / "nowhere").exists()
