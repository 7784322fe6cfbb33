"""The drawing a tablet is making, built up from protocol messages as the pen moves.

Each change bumps ``revision``, so a prediction can say which state of the drawing it answers
and the exhibit can skip straight to the newest one.
"""

from __future__ import annotations

import numpy as np

from kiosk.model.strokes import Drawing, StrokeLimits
from kiosk.tablet.protocol import Clear, Message, Points, ProtocolError, StrokeBegin, StrokeEnd, Undo


class TabletDrawing:
    def __init__(self, limits: StrokeLimits) -> None:
        self.limits = limits
        self.revision = 0
        self._strokes: list[list[np.ndarray]] = []  # per stroke, the point batches as they came
        self._open: int | None = None  # id of the stroke the pen is drawing, if any
        self._points = 0

    def apply(self, message: Message) -> bool:
        """Apply a drawing message; True if the drawing changed. Raises ProtocolError."""
        match message:
            case StrokeBegin(stroke, points):
                self._begin(stroke)
                return self._bump(self._add(points))
            case Points(stroke, points):
                self._expect_open(stroke, "points")
                return self._bump(self._add(points))
            case StrokeEnd(stroke):
                self._expect_open(stroke, "stroke_end")
                self._open = None
                return False
            case Clear():
                changed = bool(self._strokes)
                self._strokes, self._open, self._points = [], None, 0
                return self._bump(changed)
            case Undo():
                if not self._strokes:
                    return False
                self._points -= sum(len(batch) for batch in self._strokes.pop())
                self._open = None
                return self._bump(True)
            case _:
                return False

    def strokes(self) -> Drawing:
        """The strokes drawn so far, each as (n, 2) points; strokes without points left out."""
        return [np.concatenate(batches) for batches in self._strokes if batches]

    @property
    def point_count(self) -> int:
        return self._points

    def _begin(self, stroke: int) -> None:
        if len(self._strokes) >= self.limits.max_strokes:
            raise ProtocolError("too_many_strokes", f"at most {self.limits.max_strokes} strokes; clear first")
        self._strokes.append([])
        self._open = stroke

    def _expect_open(self, stroke: int, kind: str) -> None:
        if self._open != stroke:
            raise ProtocolError("unknown_stroke", f"{kind} for stroke {stroke}, which is not being drawn")

    def _add(self, points: np.ndarray) -> bool:
        if not len(points):
            return False
        limits = self.limits
        if sum(len(batch) for batch in self._strokes[-1]) + len(points) > limits.max_points_per_stroke:
            raise ProtocolError("too_many_points", f"at most {limits.max_points_per_stroke} points a stroke")
        if self._points + len(points) > limits.max_points:
            raise ProtocolError("too_many_points", f"at most {limits.max_points} points a drawing")
        self._strokes[-1].append(points)
        self._points += len(points)
        return True

    def _bump(self, changed: bool) -> bool:
        self.revision += changed
        return changed
