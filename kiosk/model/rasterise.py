"""Strokes → a 28×28 image prepared the way MNIST digits were.

MNIST's recipe (LeCun et al.): the writer's ink was scaled, keeping its aspect ratio, to fit a
20×20 box with anti-aliasing, then placed in a 28×28 field so that its centre of mass sits at the
centre. We follow it with a pen whose width is a fixed fraction of the drawing's size, so a digit
drawn small or large, in any units, comes out alike. Drawing happens on a supersampled canvas with
round caps and joins; a slight blur and averaging it down give the anti-aliasing.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from kiosk.model.strokes import Drawing

SIZE = 28  # the field
BOX = 20  # the ink's longer side after scaling
SUPERSAMPLE = 4
PEN_FRACTION = 0.11  # ÷ the drawing's longer side; tuned on pendigits (0.07–0.22 tried)
SOFTEN = 0.5  # px of Gaussian blur: MNIST's scanned strokes have softer edges than a clean pen
_CANVAS = BOX + 4  # the ink, centred, with a margin; the field around it is cut out later


def rasterise(drawing: Drawing) -> np.ndarray:
    """Return a (28, 28) float32 image in [0, 1] for validated strokes (see ``parse_strokes``)."""
    points = np.concatenate(drawing)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    if extent <= 1e-9 * (1.0 + float(np.abs(points).max())):
        extent = 0.0  # a dot, or all points in one place: draw a dot of pen size
    pen = PEN_FRACTION * extent if extent else 1.0
    scale = (BOX - 2 * SOFTEN) * SUPERSAMPLE / (extent + pen)  # drawing units → canvas px; blur fills 20
    centre = (low + high) / 2
    offset = _CANVAS * SUPERSAMPLE / 2
    canvas = _draw([(s - centre) * scale + offset for s in drawing], pen * scale)
    image = _centre_of_mass_field(canvas)
    return image / image.max()  # as in MNIST, the pen's middle is full ink even for thin strokes


def _draw(strokes: list[np.ndarray], width: float) -> Image.Image:
    side = _CANVAS * SUPERSAMPLE
    image = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(image)
    r = width / 2
    for stroke in strokes:
        xy = [tuple(p) for p in _thin_out(stroke, spacing=max(1.0, 1.5 * r)).tolist()]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=max(1, round(width)))
        for x, y in xy:  # round caps and joins; Pillow's own joint="curve" is far slower
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return image


def _thin_out(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Drop points closer than ``spacing`` canvas pixels along the stroke; with round joins of a
    pen radius the ink looks the same (a chord that short hugs any curve a hand draws)."""
    if len(stroke) < 3:
        return stroke
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    keep = np.flatnonzero(np.diff(np.floor(arc / spacing), prepend=-1.0) > 0)
    if keep[-1] != len(stroke) - 1:
        keep = np.append(keep, len(stroke) - 1)
    return stroke[keep]


def _centre_of_mass_field(canvas: Image.Image) -> np.ndarray:
    """Paste the ink into the field with its centre of mass at the centre, average down, soften."""
    ink = np.asarray(canvas, dtype=np.float32)
    total = ink.sum()
    centres = np.arange(ink.shape[0], dtype=np.float32) + 0.5
    cy = float(ink.sum(axis=1) @ centres / total)
    cx = float(ink.sum(axis=0) @ centres / total)
    side = SIZE * SUPERSAMPLE
    field = Image.new("L", (side, side), 0)
    field.paste(canvas, (round(side / 2 - cx), round(side / 2 - cy)))  # clips whatever falls outside
    soft = field.reduce(SUPERSAMPLE).filter(ImageFilter.GaussianBlur(SOFTEN))
    return np.asarray(soft, dtype=np.float32)
