"""MNIST digits re-drawn with the exhibit's pen, on tensors (no per-sample Python).

MNIST's writers used pens of many widths, scanned and blurred; the exhibit inks a visitor's
strokes with one round pen whose width is a fixed share of the drawing (kiosk/model/rasterise.py:
about 1.9 of the 20 pixels the ink is fitted to, softened by half a pixel of blur). A network
trained only on MNIST's thick strokes misreads thin ones. So, per image:

1. thin the digit to a one-pixel skeleton (Zhang–Suen thinning, on a field upsampled 2×,
   where the strokes are wide enough to thin cleanly);
2. re-ink the skeleton with a round pen: a pixel's ink falls off with its distance to the
   nearest skeleton pixel, exactly as a round pen drawn along the skeleton would leave it;
3. then the MNIST recipe again (ink fitted into 20×20, centre of mass at the centre), the
   exhibit's softening blur, and the ink's peak at 1.

Thinning is the slow part (a few seconds per 10,000 digits on one core); re-inking is cheap, so
a training run thins each digit it redraws once per pool and varies only the pen.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from kiosk.model.rasterise import BOX, PEN_FRACTION, SOFTEN
from training.augment import normalise_matrix, resample

UPSAMPLE = 2  # thinning and re-inking happen on a 56×56 field
PEN = PEN_FRACTION / (1 + PEN_FRACTION) * (BOX - 2 * SOFTEN)  # the exhibit's pen, ≈ 1.9 px of 28
PEN_RANGE = (0.75, 1.35)  # the pen drawn per image, as multiples of PEN
MAX_PASSES = 30  # thinning a 56×56 field never needs more; a cap keeps a bad input from looping


def redraw(images: torch.Tensor, g: torch.Generator, chunk: int = 2048) -> torch.Tensor:
    """(B, 28, 28) digits in [0, 1] → the same digits re-drawn with a round pen of random width."""
    if not len(images):
        return images.clone()
    return torch.cat([reink(skeleton(part), pen_widths(len(part), g)) for part in images.split(chunk)])


def pen_widths(b: int, g: torch.Generator) -> torch.Tensor:
    lo, hi = PEN_RANGE
    return PEN * (torch.rand(b, generator=g) * (hi - lo) + lo)


def skeleton(images: torch.Tensor) -> torch.Tensor:
    """(B, 28, 28) → (B, 56, 56) bool: each digit thinned to 8-connected lines one pixel wide."""
    if UPSAMPLE > 1:
        images = F.interpolate(images.unsqueeze(1), scale_factor=UPSAMPLE, mode="bilinear").squeeze(1)
    x = images > 0.5
    active = torch.arange(len(x))  # digits still being thinned; most are done after a few passes
    for _ in range(MAX_PASSES):
        if not len(active):
            break
        part = x[active]
        for table in _TABLES:
            part = part & ~table[_neighbourhood(part)]
        changed = (part != x[active]).flatten(1).any(1)
        x[active] = part
        active = active[changed]
    return x


def _neighbourhood(x: torch.Tensor) -> torch.Tensor:
    """Per pixel, its eight neighbours as the bits of a number 0…255 (P2 … P9, clockwise from north)."""
    p = F.pad(x, (1, 1, 1, 1)).to(torch.uint8)
    h, w = x.shape[-2:]
    code = torch.zeros_like(p[:, 1:-1, 1:-1])
    for bit, (dy, dx) in enumerate(_CLOCKWISE):
        code |= p[:, 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] << bit
    return code.long()


_CLOCKWISE = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _removable_table(first: bool) -> torch.Tensor:
    """Zhang–Suen's rule for one sub-pass, for all 256 neighbourhoods: may this border pixel go
    without breaking the shape apart, shortening a line or eating a corner twice?"""
    table = torch.zeros(256, dtype=torch.bool)
    for code in range(256):
        n = [(code >> bit) & 1 for bit in range(8)]
        transitions = sum(a == 0 and b == 1 for a, b in zip(n, n[1:] + n[:1], strict=True))
        north, east, south, west = n[0], n[2], n[4], n[6]
        if first:
            side = north * east * south == 0 and east * south * west == 0
        else:
            side = north * east * west == 0 and north * south * west == 0
        table[code] = 2 <= sum(n) <= 6 and transitions == 1 and side
    return table


_TABLES = (_removable_table(True), _removable_table(False))


def reink(skeletons: torch.Tensor, widths: torch.Tensor) -> torch.Tensor:
    """(B, 56, 56) skeletons and (B,) pen widths in pixels of the final 28×28 field → (B, 28, 28)."""
    radius = widths.view(-1, 1, 1) * UPSAMPLE / 2
    reach = int(torch.ceil(radius.max() + 0.5).item())
    # Distance from each pixel to the nearest skeleton pixel, up to `reach`: a minimum over shifts.
    far = float(reach + 1)
    d = torch.where(skeletons, 0.0, far)
    p = F.pad(d, (reach,) * 4, value=far)
    h, w = skeletons.shape[-2:]
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            step = (dy * dy + dx * dx) ** 0.5
            if 0 < step <= reach:
                d = torch.minimum(d, p[:, reach + dy : reach + dy + h, reach + dx : reach + dx + w] + step)
    ink = (radius + 0.5 - d).clamp(0, 1)  # an anti-aliased round pen along the skeleton
    small = F.avg_pool2d(ink.unsqueeze(1), UPSAMPLE).squeeze(1)
    fitted = soften(resample(small, normalise_matrix(small)))
    return fitted / fitted.amax((1, 2), keepdim=True).clamp(min=0.05)


def soften(x: torch.Tensor, sigma: float = SOFTEN) -> torch.Tensor:
    """The exhibit's slight Gaussian blur (kiosk/model/rasterise.py), separable, same size."""
    taps = torch.arange(-2, 3, dtype=torch.float32)
    kernel = torch.exp(-(taps**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    y = F.conv2d(x.unsqueeze(1), kernel.view(1, 1, 1, 5), padding=(0, 2))
    return F.conv2d(y, kernel.view(1, 1, 5, 1), padding=(2, 0)).squeeze(1)
