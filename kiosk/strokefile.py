"""Read stroke files: JSON lines of ``{"label": 7, "strokes": [[[x, y, t_ms], ...], ...]}``.

Lines that are not valid samples are skipped and reported with their line number, never fatal:
a stroke file recorded at an installation may hold a few broken lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.model.strokes import Drawing, StrokeError, StrokeLimits, parse_strokes


@dataclass
class Sample:
    line: int
    label: int | None
    drawing: Drawing
    raw_strokes: list


@dataclass
class BadLine:
    line: int
    error: str


def read_stroke_file(path: Path, limits: StrokeLimits = StrokeLimits()) -> Iterator[Sample | BadLine]:
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            if text.strip():
                yield _parse_line(number, text, limits)


def _parse_line(number: int, text: str, limits: StrokeLimits) -> Sample | BadLine:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        return BadLine(number, f"not JSON: {e.msg}")
    if not isinstance(obj, dict):
        return BadLine(number, "not a JSON object")
    label = obj.get("label")
    if label is not None and (not isinstance(label, int) or isinstance(label, bool) or not 0 <= label <= 9):
        return BadLine(number, f"label must be a digit 0-9, found {label!r}")
    try:
        drawing = parse_strokes(obj.get("strokes"), limits)
    except StrokeError as e:
        return BadLine(number, str(e))
    return Sample(number, label, drawing, obj["strokes"])
