"""Digits for a browser to draw: real pen-drawn ones when the pendigits file is at hand, else two made up.

- ``load(count)``: up to ``count`` samples, each ``PenDigit(label, strokes, source)``; strokes are
  lists of (x, y) with y down, as in kiosk stroke files. From ``$PEN_FILE`` or
  ``../shared/data/pen/pendigits-train.jsonl``: the first sample of each label in turn (0, 1, 2, …,
  so a handful covers different shapes), from the file's first 2000 lines. Without the file: a
  "1" (a short flag, then straight down) and a "7" (a bar, then a diagonal), alternating.
- ``fit(strokes, box)``: the digit scaled to 60 % of the box's shorter side, centred in the box
  (``{"x", "y", "width", "height"}`` in viewport CSS pixels), with points closer than ``min_step``
  pixels to the last one kept dropped: what a finger draws on the tablet page's surface.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PEN_FILE = REPO.parent / "shared" / "data" / "pen" / "pendigits-train.jsonl"
LINES_READ = 2000

Point = tuple[float, float]


@dataclass(frozen=True)
class PenDigit:
    label: int
    strokes: list[list[Point]]
    source: str  # "pendigits-train/<line>" or "synthetic"


def pen_file() -> Path | None:
    path = Path(os.environ.get("PEN_FILE") or DEFAULT_PEN_FILE)
    return path if path.is_file() else None


def load(count: int) -> list[PenDigit]:
    path = pen_file()
    return _from_file(path, count) if path else _synthetic(count)


def _from_file(path: Path, count: int) -> list[PenDigit]:
    by_label: dict[int, list[PenDigit]] = {}
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if number > LINES_READ:
                break
            sample = json.loads(line)
            strokes = [[(p[0], p[1]) for p in stroke] for stroke in sample["strokes"]]
            digit = PenDigit(sample["label"], strokes, f"{path.stem}/{number}")
            by_label.setdefault(sample["label"], []).append(digit)
    chosen: list[PenDigit] = []
    round_ = 0  # one of each label, then a second of each, ...
    while len(chosen) < count and any(len(samples) > round_ for samples in by_label.values()):
        for label in sorted(by_label):
            if len(chosen) < count and len(by_label[label]) > round_:
                chosen.append(by_label[label][round_])
        round_ += 1
    return chosen


def _synthetic(count: int) -> list[PenDigit]:
    one = [[(-20.0, 25.0), (-10.0, 12.0), (0.0, 0.0)] + [(0.0, 10.0 * i) for i in range(1, 11)]]
    seven = [[(-30.0, 0.0), (-10.0, 0.0), (10.0, 0.0), (30.0, 0.0)], [(30.0, 0.0)]]
    seven[1] += [(30.0 - 4.0 * i, 10.0 * i) for i in range(1, 11)]
    digits = [PenDigit(1, one, "synthetic"), PenDigit(7, seven, "synthetic")]
    return [digits[i % 2] for i in range(count)]


def fit(strokes: list[list[Point]], box: dict[str, float], min_step: float = 4.0) -> list[list[Point]]:
    """``strokes`` scaled and moved into the middle of ``box``; see the module's description."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    size = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = 0.6 * min(box["width"], box["height"]) / size
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    mx, my = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    fitted = []
    for stroke in strokes:
        points = [(round(mx + (x - cx) * scale), round(my + (y - cy) * scale)) for x, y in stroke]
        kept = [points[0]]
        for point in points[1:]:
            if abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) >= min_step:
                kept.append(point)
        if len(kept) == 1 and len(points) > 1:
            kept.append(points[-1])
        fitted.append(kept)
    return fitted
