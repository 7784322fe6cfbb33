"""Validation of pen strokes that arrive from outside (HTTP bodies, stroke files, the tablet).

A drawing is a list of strokes; a stroke is a list of points ``[x, y, t_ms]`` (``t_ms`` optional),
x right, y down, in any units and offset. Everything is checked before it reaches the rasteriser:
anything malformed raises ``StrokeError`` with a message a person can act on.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class StrokeError(ValueError):
    """A drawing that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class StrokeLimits:
    max_strokes: int = 64
    max_points_per_stroke: int = 4000
    max_points: int = 10000
    # Beyond this a coordinate is not a pen position but garbage (and float32 maths gets coarse).
    max_abs_coordinate: float = 1e9


DEFAULT_LIMITS = StrokeLimits()
Drawing = list[np.ndarray]  # one float64 array of shape (n, 2) per stroke: x, y


def parse_strokes(raw: object, limits: StrokeLimits = DEFAULT_LIMITS) -> Drawing:
    """Check ``raw`` (decoded JSON) and return the strokes as arrays of (x, y)."""
    if not isinstance(raw, list):
        raise StrokeError("strokes must be a list of strokes")
    if not raw:
        raise StrokeError("the drawing is empty: no strokes")
    if len(raw) > limits.max_strokes:
        raise StrokeError(f"too many strokes: {len(raw)} (at most {limits.max_strokes})")
    drawing: Drawing = []
    total = 0
    for s, stroke in enumerate(raw):
        points = _parse_stroke(stroke, s, limits)
        total += len(points)
        if total > limits.max_points:
            raise StrokeError(f"too many points in the drawing (at most {limits.max_points})")
        drawing.append(points)
    return drawing


def _parse_stroke(stroke: object, s: int, limits: StrokeLimits) -> np.ndarray:
    if not isinstance(stroke, list):
        raise StrokeError(f"stroke {s} must be a list of points")
    if not stroke:
        raise StrokeError(f"stroke {s} has no points")
    return parse_points(stroke, limits, where=f"stroke {s}")


def parse_points(raw: list, limits: StrokeLimits, where: str) -> np.ndarray:
    """Check a list of ``[x, y]`` / ``[x, y, t_ms]`` points; ``where`` names it in messages."""
    if len(raw) > limits.max_points_per_stroke:
        raise StrokeError(f"{where} has too many points: {len(raw)} (at most {limits.max_points_per_stroke})")
    xy = _well_formed(raw, limits)
    if xy is None:  # something is wrong: find the first bad point and say what it is
        xy = np.empty((len(raw), 2), dtype=np.float64)
        for p, point in enumerate(raw):
            xy[p] = _parse_point(point, f"{where}, point {p}", limits)
    return xy


def _well_formed(raw: list, limits: StrokeLimits) -> np.ndarray | None:
    """The points as an array if every one is a list of 2–3 plain numbers within range, else None.

    The common case, checked in one pass (a stroke arrives many times a second while the pen moves).
    """
    number = (int, float)  # exact types: bool and str are refused, as in _parse_point
    if not all(type(p) is list and 2 <= len(p) <= 3 and all(type(v) in number for v in p) for p in raw):
        return None
    try:
        xy = np.array([p[:2] for p in raw], dtype=np.float64).reshape(-1, 2)
        t = np.array([p[2] for p in raw if len(p) == 3], dtype=np.float64)
    except OverflowError:  # an integer too large for a float
        return None
    if not np.isfinite(t).all() or not (np.abs(xy) <= limits.max_abs_coordinate).all():
        return None  # NaN, infinity or far out; the slow path names the point
    return xy


def _parse_point(point: object, where: str, limits: StrokeLimits) -> tuple[float, float]:
    if not isinstance(point, Sequence) or isinstance(point, str) or len(point) not in (2, 3):
        raise StrokeError(f"{where} must be [x, y] or [x, y, t_ms]")
    numbers = [_number(value, where) for value in point]
    x, y = numbers[0], numbers[1]
    if abs(x) > limits.max_abs_coordinate or abs(y) > limits.max_abs_coordinate:
        raise StrokeError(f"{where} lies too far out (|x|, |y| at most {limits.max_abs_coordinate:g})")
    return x, y


def _number(value: object, where: str) -> float:
    # bool is an int in Python; a pen position is never true or false.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StrokeError(f"{where} holds {short_repr(value)}, not a number")
    try:
        number = float(value)  # JSON integers have no size limit; float() refuses huge ones
    except OverflowError:
        raise StrokeError(f"{where} holds a number too large to be a coordinate") from None
    if not math.isfinite(number):
        raise StrokeError(f"{where} holds {value}, not a finite number")
    return number


def short_repr(value: object, limit: int = 40) -> str:
    """``value`` as Python would show it, but at most ``limit`` characters, and cheap whatever it is.

    Values come from outside: lists nested hundreds deep (builtin repr would hit the recursion
    limit), megabytes of text, integers with thousands of digits. Only a few levels and items are
    looked at.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * math.log10(2))} digits"
    text = _BRIEF.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxother = 3, 40, 40
_BRIEF.maxlist = _BRIEF.maxtuple = _BRIEF.maxdict = _BRIEF.maxset = 4
