"""The virtual tablet: a stroke file replayed over a real data channel to a running exhibit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.replay import replay

pytestmark = pytest.mark.process

PEN_FILE = Path(os.environ.get("PEN_FILE") or REPO.parent / "shared/data/pen/pendigits-train.jsonl")


@pytest.fixture
def stroke_file(tmp_path: Path) -> Path:
    """Twenty real pen digits when the pendigits file is at hand, else drawn 1s and 0s."""
    path = tmp_path / "strokes.jsonl"
    if PEN_FILE.is_file():
        with PEN_FILE.open() as f:
            path.write_text("".join(next(f) for _ in range(20)))
    else:
        one = {"label": 1, "strokes": [[[50, 0, 0], [50, 50, 10], [51, 100, 20]]]}
        ring = [[50 + 40 * (i % 2), 50 * (i // 2 % 3), i * 10] for i in range(12)]
        path.write_text("\n".join(json.dumps(s) for s in [one, {"label": 0, "strokes": [ring]}] * 5) + "\n")
    return path


@pytest.fixture
def exhibit(exhibit_process):
    """A running exhibit and a paired tablet's credential: (base URL, credential)."""
    return exhibit_process.base, exhibit_process.pair("virtual")["credential"]


def run_replay(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kiosk.replay", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_replay_over_webrtc_recognises_as_the_local_replay_and_times_the_round_trip(
    exhibit, stroke_file: Path, export_dir: Path
) -> None:
    base, credential = exhibit
    result = run_replay(str(stroke_file), "--webrtc", base, "--credential", credential, "--json")
    assert result.returncode == 0, result.stderr
    remote = json.loads(result.stdout)
    local = replay(stroke_file, Engine(load_timeline(export_dir)))
    assert (remote["samples"], remote["accuracy"], remote["confusions"]) == (
        local["samples"],
        local["accuracy"],
        local["confusions"],
    )
    assert 0 < remote["round_trip_ms"]["p50"] <= remote["round_trip_ms"]["p99"] < 5000


def test_replay_at_the_pens_pace_sends_points_while_drawing(exhibit, stroke_file: Path) -> None:
    base, credential = exhibit
    lines = stroke_file.read_text().splitlines()[:3]
    stroke_file.write_text("\n".join(lines) + "\n")
    result = run_replay(str(stroke_file), "--webrtc", base, "--credential", credential, "--speed", "4")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3 samples") and "round_trip_ms" in result.stdout


def test_replay_with_a_wrong_credential_says_so_without_a_traceback(exhibit, stroke_file: Path) -> None:
    base, _ = exhibit
    result = run_replay(str(stroke_file), "--webrtc", base, "--credential", "wrong", "--json")
    assert result.returncode == 2
    assert "refused the connection (401)" in result.stderr and "Traceback" not in result.stderr
