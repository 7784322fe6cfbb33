"""Compact encodings for the training stream: grids as base64 bytes, points as flat rounded lists.

A 64×64 boundary as JSON floats would be ~30 kB a frame; as one byte a cell in base64 it is
5.5 kB, and the display only needs 256 shades anyway. Grids are row-major with row 0 at the TOP
of the plane (largest y), as an image is, so the display can copy them straight into a texture.
"""

from __future__ import annotations

import base64

import numpy as np


def grid_points(size: int, extent: tuple[float, float]) -> np.ndarray:
    """The (size*size, 2) float32 cell centres of a size×size grid over extent (both axes), row-major,
    row 0 at the top (largest y), columns left to right."""
    low, high = extent
    step = (high - low) / size
    centres = low + (np.arange(size) + 0.5) * step
    xs, ys = np.meshgrid(centres, centres[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)


def encode_grid(values: np.ndarray) -> str:
    """Base64 of a (h, w) grid of values in [0, 1] as uint8 round(v·255), row-major (clipped first;
    NaN counts as 0.5, "undecided")."""
    if values.ndim != 2:
        raise ValueError(f"a grid is 2-D, got shape {values.shape}")
    return encode_grids(values[None])[0]


def encode_grids(values: np.ndarray) -> list[str]:
    """``encode_grid`` of each (h, w) grid in a (k, h, w) stack, the arithmetic done once for all."""
    if values.ndim != 3:
        raise ValueError(f"a stack of grids is 3-D, got shape {values.shape}")
    levels = np.rint(np.clip(np.nan_to_num(values, nan=0.5), 0.0, 1.0) * 255).astype(np.uint8)
    return [base64.b64encode(grid.tobytes()).decode("ascii") for grid in levels]


def decode_grid(text: str, width: int) -> np.ndarray:
    """The inverse of ``encode_grid`` (up to the 1/255 steps): a (h, width) float32 grid in [0, 1]."""
    levels = np.frombuffer(base64.b64decode(text, validate=True), dtype=np.uint8)
    if width <= 0 or levels.size % width:
        raise ValueError(f"{levels.size} cells do not make rows of {width}")
    return (levels.astype(np.float32) / 255).reshape(-1, width)


def encode_points(X: np.ndarray, y: np.ndarray) -> list[float | int]:
    """Flat [x0, y0, label0, x1, y1, label1, ...] with coordinates rounded to 3 decimals."""
    out: list[float | int] = []
    for (px, py), label in zip(np.round(X.astype(np.float64), 3).tolist(), y.tolist(), strict=True):
        out += (px, py, int(label))
    return out
