"""python -m kiosk.replay: a stroke file through rasteriser and model, as the command line runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from support import REPO, SHIPPED_EXPORT

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import parse_strokes
from kiosk.replay import replay

pytestmark = pytest.mark.process


def vertical_line(x: float, top: float, length: float, points: int = 21) -> list:
    """A "1" as a tablet sends it: one stroke of [x, y, t_ms]."""
    return [[[x, top + length * i / (points - 1), 16 * i] for i in range(points)]]


SEVEN = [[[0, 0, 0], [60, 0, 100], [25, 100, 300]], [[20, 50, 500], [50, 50, 600]]]
GOOD = [
    {"label": 1, "strokes": vertical_line(200, 100, 300)},
    {"label": 1, "strokes": vertical_line(-5, -40, 0.5)},
    {"label": 7, "strokes": SEVEN},
    {"strokes": vertical_line(10, 10, 80)},  # unlabelled: replayed, but not in the accuracy
    {"label": None, "strokes": SEVEN},
]
BROKEN = [
    "this is not JSON",
    json.dumps({"label": 11, "strokes": vertical_line(0, 0, 100)}),
    '{"label": 1, "strokes": [[[0, NaN, 0], [0, 10, 16]]]}',  # Python's json reads the NaN token
    json.dumps({"label": 1, "strokes": []}),
    json.dumps({"label": 0, "strokes": [[]]}),
    json.dumps([1, 2, 3]),
    json.dumps({"label": "7", "strokes": SEVEN}),
    json.dumps({"label": True, "strokes": SEVEN}),
]


@pytest.fixture(scope="module")
def stroke_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GOOD and BROKEN lines interleaved, with a blank line (ignored, not counted) in between."""
    lines = [json.dumps(GOOD[0]), BROKEN[0], "", *map(json.dumps, GOOD[1:3]), *BROKEN[1:]]
    lines += [json.dumps(sample) for sample in GOOD[3:]]
    path = tmp_path_factory.mktemp("replay") / "strokes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def json_report(stroke_file: Path, export_dir: Path) -> dict:
    """The report of one command-line run with --json (a run costs seconds: torch is imported)."""
    result = run_replay(str(stroke_file), "--export", str(export_dir), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_replay(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.replay", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def own_predictions(export: Path, snapshot: str | None = None) -> list[tuple[int, int]]:
    """(label, digit) for the labelled GOOD samples, from the engine run here, not by the replay."""
    engine = Engine(load_timeline(export))
    return [
        (s["label"], engine.infer(rasterise(parse_strokes(s["strokes"])), snapshot).digit)
        for s in GOOD
        if s.get("label") is not None
    ]


def assert_one_line_refusal(result: subprocess.CompletedProcess, *mentions: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for mention in mentions:
        assert mention in result.stderr


def test_json_report_counts_samples_and_skipped_lines(json_report: dict) -> None:
    report = json_report
    assert report["samples"] == len(GOOD)
    assert report["skipped"] == len(BROKEN)
    errors = dict(error.split(": ", 1) for error in report["errors"])
    assert list(errors) == [f"line {n}" for n in (2, 6, 7, 8, 9, 10, 11, 12)]  # 3 is blank: not counted
    assert errors["line 2"].startswith("not JSON")
    assert "found 11" in errors["line 6"]
    assert "stroke 0, point 0" in errors["line 7"] and "not a finite number" in errors["line 7"]
    assert "empty" in errors["line 8"]
    assert "stroke 0 has no points" in errors["line 9"]
    assert set(report["per_label"]) == {"1", "7"}


def test_accuracy_is_what_the_engine_gives_on_the_same_samples(json_report: dict, export_dir: Path) -> None:
    report = json_report
    assert 0.0 <= report["accuracy"] <= 1.0
    predictions = own_predictions(export_dir)
    accuracy = sum(label == digit for label, digit in predictions) / len(predictions)
    assert report["accuracy"] == pytest.approx(accuracy, abs=1e-4)
    latency = report["latency_ms"]
    assert 0 < latency["p50"] <= latency["p99"]


@pytest.mark.parametrize("snapshot", ["start", "end"])
def test_replay_of_a_chosen_snapshot_reports_that_snapshots_mistakes(
    stroke_file: Path, tiny_export: Path, snapshot: str
) -> None:
    report = replay(stroke_file, Engine(load_timeline(tiny_export)), snapshot)
    predictions = own_predictions(tiny_export, snapshot)
    mistakes = Counter(f"{label}->{digit}" for label, digit in predictions if label != digit)
    assert report["confusions"] == dict(mistakes)


def test_line_that_is_not_utf8_is_skipped_not_fatal(tmp_path: Path, tiny_export: Path) -> None:
    good = json.dumps(GOOD[0]).encode()
    path = tmp_path / "strokes.jsonl"
    path.write_bytes(good + b"\n" + b'{"label": 1, "strokes": "\xff\xfe"}\n' + good + b"\n")
    report = replay(path, Engine(load_timeline(tiny_export)))
    assert (report["samples"], report["skipped"]) == (2, 1)


def test_line_with_a_number_too_large_for_a_float_is_skipped_not_fatal(
    tmp_path: Path, tiny_export: Path
) -> None:
    huge = '{"label": 1, "strokes": [[[1' + "0" * 400 + ", 0], [0, 10]]]}"
    path = tmp_path / "strokes.jsonl"
    path.write_text(f"{json.dumps(GOOD[0])}\n{huge}\n", encoding="utf-8")
    report = replay(path, Engine(load_timeline(tiny_export)))
    assert (report["samples"], report["skipped"]) == (1, 1)


def test_missing_stroke_file_gives_a_one_line_error(tmp_path: Path, export_dir: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    result = run_replay(str(missing), "--export", str(export_dir), "--json")
    assert_one_line_refusal(result, str(missing))


def test_broken_export_gives_a_one_line_error(stroke_file: Path, tiny_export: Path) -> None:
    (tiny_export / "snapshots" / "001.f16").write_bytes(b"\0" * 10)
    result = run_replay(str(stroke_file), "--export", str(tiny_export), "--json")
    assert_one_line_refusal(result, str(tiny_export / "snapshots" / "001.f16"), "holds 10 bytes")


def test_unknown_snapshot_gives_a_one_line_error(stroke_file: Path, tiny_export: Path) -> None:
    result = run_replay(str(stroke_file), "--export", str(tiny_export), "--snapshot", "s999")
    assert_one_line_refusal(result, "s999")


def pen_file() -> Path | None:
    path = Path(
        os.environ.get("PEN_FILE") or REPO.parent / "shared" / "data" / "pen" / "pendigits-train.jsonl"
    )
    return path if path.is_file() else None


@pytest.mark.skipif(pen_file() is None, reason="no pendigits file ($PEN_FILE or ../shared/data/pen)")
@pytest.mark.skipif(
    not (SHIPPED_EXPORT / "manifest.json").exists(), reason="no shipped export in exports/mnist-mlp"
)
def test_shipped_model_reads_real_pen_digits(tmp_path: Path) -> None:
    first_500 = tmp_path / "pen-500.jsonl"
    with open(pen_file(), encoding="utf-8") as f:
        first_500.write_text("".join(next(f) for _ in range(500)), encoding="utf-8")
    report = replay(first_500, Engine(load_timeline(SHIPPED_EXPORT)))
    assert report["samples"] + report["skipped"] == 500
    assert report["skipped"] == 0, report["errors"]
    assert report["accuracy"] >= 0.9, report["per_label"]
