"""Read stroke files: JSON lines of ``{"label": 7, "strokes": [[[x, y, t_ms], ...], ...]}``.

Lines that are not valid samples are skipped and reported with their line number, never fatal:
a stroke file recorded at an installation may hold a few broken lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.model.strokes import DEFAULT_LIMITS, Drawing, StrokeError, StrokeLimits, parse_strokes


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


def read_stroke_file(path: Path, limits: StrokeLimits = DEFAULT_LIMITS) -> Iterator[Sample | BadLine]:
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                yield _parse_line(number, line, limits)


def _parse_line(number: int, line: bytes, limits: StrokeLimits) -> Sample | BadLine:
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return BadLine(number, "not UTF-8 text")
    except json.JSONDecodeError as e:
        return BadLine(number, f"not JSON: {e.msg}")
    except RecursionError:
        return BadLine(number, "not usable JSON: nested too deeply")
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
