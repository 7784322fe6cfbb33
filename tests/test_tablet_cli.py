"""Staff commands against a real server process: pair a tablet, list it, revoke it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, start_server, stop_server, wait_until_serving, write_exhibit_config


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )


def post(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_staff_pair_a_tablet_list_it_and_revoke_it(tmp_path: Path, export_dir: Path, free_port: int) -> None:
    state = tmp_path / "state"
    config = write_exhibit_config(tmp_path, export_dir, free_port)
    server = start_server(config)
    base = f"http://127.0.0.1:{free_port}"
    try:
        wait_until_serving(server, base)
        assert (state / "admin.token").stat().st_mode & 0o777 == 0o600
        opened = kiosk("pair", "--config", str(config))
        assert opened.returncode == 0, opened.stderr
        code = re.search(r"Pairing code: (\d{3}) (\d{3})", opened.stdout)
        assert code and "/tablet#code=" in opened.stdout and "█" in opened.stdout  # the QR code
        status, paired = post(f"{base}/api/tablet/pair", {"code": "".join(code.groups()), "name": "door"})
        assert status == 200
        listed = kiosk("tablets", "list", "--config", str(config))
        assert paired["device"] in listed.stdout and "'door'" in listed.stdout
        assert kiosk("tablets", "revoke", paired["device"], "--config", str(config)).returncode == 0
        bearer = {"Authorization": f"Bearer {paired['credential']}"}
        status, refused = post(f"{base}/api/tablet/offer", {"type": "offer", "sdp": "v=0"}, bearer)
        assert status == 401  # the running server sees the revocation at once
        assert "no paired tablets" in kiosk("tablets", "list", "--config", str(config)).stdout
    finally:
        stderr = stop_server(server, signal.SIGTERM)
    assert "Traceback" not in stderr


@pytest.mark.parametrize("args", [["pair"], ["tablets", "revoke", "nope"], ["tablets", "revoke"]])
def test_commands_fail_with_a_message_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"server:\n  port: 1\ntablet:\n  state_dir: {tmp_path / 'state'}\n")
    result = kiosk(*args, "--config", str(config))
    assert result.returncode == 1 and result.stderr.strip() and "Traceback" not in result.stderr
