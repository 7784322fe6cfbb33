"""Batch-wise augmentation of MNIST images, all on tensors (no per-sample Python).

Visitors draw with a finger on glass, in a hurry, and many cross their 7s and hook their 9s as
taught in much of Europe. MNIST's American writers rarely did. These transforms stretch MNIST
toward what the exhibit sees, while the network stays trained on MNIST alone:

- geometry: small rotations, shears, scales and shifts;
- stroke thickness: thinner and thicker pens (grey-scale erosion and dilation);
- optionally, elastic bending: a smooth random displacement of the whole field;
- stroke-level variants built from MNIST digits themselves: a bar across the stem of a 7,
  a hook at the foot of a 9, a flag on a 1 (both as long as the pen-drawn ones with ``reach``
  1.5), a 4 whose stem stops soon below the bar, optionally a 4 with a closed top and a 7
  whose stem ends in a foot turning right;
- optionally, narrower digits (a sideways squeeze);
and after them, the MNIST recipe again (fit into 20×20, centre of mass at the centre).
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

SIZE = 28
PAD = 8  # added strokes may reach past MNIST's 28×28 field; the recipe then fits them back in


def augment(
    images: torch.Tensor, g: torch.Generator, elastic: float = 0.0, narrow: float = 0.0
) -> torch.Tensor:
    """Per batch: images (B, 28, 28) in [0, 1] with a random pen thickness and a small affine warp;
    with ``elastic`` > 0 a smooth random bending of up to about that many pixels, and a share
    ``narrow`` of them squeezed sideways (to 60–90 % of their width), as many people write."""
    inked = thickness(images, g)  # first: the old recipe's random draws stay in their order
    m = random_affine_matrix(images.shape[0], g)
    if narrow > 0:
        m = m @ squeeze_matrix(images.shape[0], narrow, g)
    bend = elastic_field(images.shape[0], elastic, g) if elastic > 0 else None
    x = resample(inked, m, bend)
    # Bilinear resampling and thinning dim the ink; MNIST digits (and ours) always peak at 1.
    return x / x.amax((1, 2), keepdim=True).clamp(min=0.05)


def augmented_pool(
    images: torch.Tensor,
    variants: torch.Tensor,
    strokes: float,
    g: torch.Generator,
    chunk: int = 4096,
    elastic: float = 0.0,
    narrow: float = 0.0,
) -> torch.Tensor:
    """A warped, re-inked copy of the training set, where a share ``strokes`` of the 1s, 7s and 9s
    come from ``variants``. Made every few epochs: warping per batch would cost more than training."""
    use_variant = (torch.rand(len(images), generator=g) < strokes).view(-1, 1, 1)
    base = torch.where(use_variant, variants, images)
    return torch.cat([augment(part, g, elastic, narrow) for part in base.split(chunk)])


def stroke_variants(
    images: torch.Tensor,
    labels: torch.Tensor,
    g: torch.Generator,
    reach: float = 1.0,
    short_fours: bool = False,
    closed_fours: float = 0.0,
    seven_feet: float = 0.0,
    low_bars: float = 0.0,
) -> torch.Tensor:
    """Once every few epochs: each 1, 7 and 9 with a flag, crossbar or hook added, then the MNIST
    recipe again (the added stroke may change the digit's extent); other digits unchanged.
    ``reach`` > 1 lets flags and hooks grow longer (up to that many times the usual longest);
    ``short_fours`` also gives each 4 a stem cut short below its bar, as many people write it;
    a share ``closed_fours`` of the 4s get their top closed, the left arm joined to the stem;
    a share ``seven_feet`` of the 7s get a foot: the stem's end turning right, as in a curled 7;
    a share ``low_bars`` of the 7s' crossbars sit lower, near the foot of the stem.
    With these shares 0 no extra random numbers are drawn (the previous recipes stay bit for bit)."""
    out = images.clone()
    fours = (labels == 4).nonzero().squeeze(1)
    if short_fours or closed_fours > 0:
        for chunk in fours.split(512) if fours.numel() else ():
            x = _short_stem(images[chunk], g) if short_fours else images[chunk]
            if closed_fours > 0:
                x = _some(x, _closed_top(x, g), closed_fours, g)
            out[chunk] = resample(x, normalise_matrix(x))
    crossbar = functools.partial(_crossbar, low=low_bars)
    for digit, make in ((7, crossbar), (9, _hook), (1, _flag)):
        chosen = (labels == digit).nonzero().squeeze(1)
        for chunk in chosen.split(512) if chosen.numel() else ():  # small chunks stay in cache
            x = F.pad(images[chunk], (PAD,) * 4)
            x = torch.maximum(x, make(x, g, reach))
            if digit == 7 and seven_feet > 0:
                x = _some(x, torch.maximum(x, _foot(x, g)), seven_feet, g)
            out[chunk] = resample(x, normalise_matrix(x))
    return out


def _some(x: torch.Tensor, changed: torch.Tensor, share: float, g: torch.Generator) -> torch.Tensor:
    """Per image: ``changed`` for a random share of them, ``x`` for the rest."""
    pick = torch.rand(x.shape[0], generator=g) < share
    return torch.where(pick.view(-1, 1, 1), changed, x)


def thickness(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Per image, blend towards an eroded (thinner) or dilated (thicker) version, or keep it."""
    b = x.shape[0]
    choice = torch.randint(0, 3, (b, 1, 1), generator=g)
    amount = torch.rand(b, 1, 1, generator=g) * torch.where(choice == 2, 0.5, 0.8)
    target = torch.where(choice == 1, _max3x3(x), torch.where(choice == 2, -_max3x3(-x), x))
    return x + (target - x) * amount


def _max3x3(x: torch.Tensor) -> torch.Tensor:
    """Grey-scale dilation by a 3×3 square; shifted maxima beat max_pool2d here by ~4×."""
    p = F.pad(x, (1, 1, 1, 1), value=float(x.min()))
    rows = torch.maximum(torch.maximum(p[:, :-2], p[:, 1:-1]), p[:, 2:])
    return torch.maximum(torch.maximum(rows[:, :, :-2], rows[:, :, 1:-1]), rows[:, :, 2:])


def random_affine_matrix(b: int, g: torch.Generator) -> torch.Tensor:
    """(B, 3, 3) output → input maps in normalised coordinates: small rotation, shear, scale, shift."""

    def uniform(lo: float, hi: float) -> torch.Tensor:
        return torch.rand(b, generator=g) * (hi - lo) + lo

    angle = uniform(-12, 12) * math.pi / 180
    shear = uniform(-0.25, 0.25)
    sx, sy = uniform(0.85, 1.1), uniform(0.85, 1.1)
    tx, ty = uniform(-1.5, 1.5) * 2 / SIZE, uniform(-1.5, 1.5) * 2 / SIZE
    cos, sin = torch.cos(angle), torch.sin(angle)
    m = torch.zeros(b, 3, 3)
    m[:, 0] = torch.stack([cos / sx, (-sin + shear * cos) / sx, tx], 1)
    m[:, 1] = torch.stack([sin / sy, (cos + shear * sin) / sy, ty], 1)
    m[:, 2, 2] = 1
    return m


def squeeze_matrix(b: int, share: float, g: torch.Generator) -> torch.Tensor:
    """(B, 3, 3) output → input maps that make a share of the digits narrower about the centre."""
    chosen = torch.rand(b, generator=g) < share
    factor = torch.where(chosen, torch.rand(b, generator=g) * 0.3 + 0.6, 1.0)
    m = torch.eye(3).repeat(b, 1, 1)
    m[:, 0, 0] = 1 / factor  # output column u samples input column u / factor: the ink narrows
    return m


def normalise_matrix(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, 3) maps for the MNIST recipe: ink scaled to fit 20×20, centre of mass at the centre.

    ``x`` is (B, N, N) for any N; the maps produce a 28×28 field.
    """
    n = x.shape[-1]
    ink = x > 0.1
    idx = torch.arange(n)
    rows, cols = ink.any(2), ink.any(1)
    height = torch.where(rows, idx, -1).amax(1) + 1 - torch.where(rows, idx, n).amin(1)
    width = torch.where(cols, idx, -1).amax(1) + 1 - torch.where(cols, idx, n).amin(1)
    zoom = 20.0 / torch.maximum(height, width).clamp(min=1).float()
    mass = x.sum((1, 2)).clamp(min=1e-6)
    cx = (x.sum(1) * (idx + 0.5)).sum(1) / mass
    cy = (x.sum(2) * (idx + 0.5)).sum(1) / mass
    # Output pixel p samples input pixel (p - 14) / zoom + centre of mass; in grid_sample's
    # [-1, 1] coordinates of each side that is a scale of (28 / n) / zoom and a shift.
    m = torch.zeros(x.shape[0], 3, 3)
    m[:, 0, 0] = m[:, 1, 1] = SIZE / n / zoom
    m[:, 0, 2] = (cx - n / 2) * 2 / n
    m[:, 1, 2] = (cy - n / 2) * 2 / n
    m[:, 2, 2] = 1
    return m


def elastic_field(b: int, strength: float, g: torch.Generator, knots: int = 4) -> torch.Tensor:
    """(B, 28, 28, 2) smooth random displacements, in grid_sample's [-1, 1] units: a few random
    knots per side, interpolated smoothly (Simard et al.'s elastic distortion, cheaply)."""
    coarse = (torch.rand(b, 2, knots, knots, generator=g) * 2 - 1) * (strength * 2 / SIZE)
    fine = F.interpolate(coarse, size=(SIZE, SIZE), mode="bicubic", align_corners=True)
    return fine.permute(0, 2, 3, 1)


def resample(x: torch.Tensor, m: torch.Tensor, bend: torch.Tensor | None = None) -> torch.Tensor:
    """Sample a 28×28 field from (B, N, N) images through (B, 3, 3) output → input maps, each
    output point moved further by ``bend`` (B, 28, 28, 2) when given."""
    # F.affine_grid's batched product is slow on the CPU; three multiply-adds per point are not.
    base = (torch.arange(SIZE, dtype=torch.float32) + 0.5) * 2 / SIZE - 1  # pixel centres in [-1, 1]
    u, v = base.view(1, 1, SIZE), base.view(1, SIZE, 1)
    a = m[:, :2].reshape(-1, 6, 1, 1).unbind(1)
    grid = torch.stack([a[0] * u + a[1] * v + a[2], a[3] * u + a[4] * v + a[5]], dim=-1)
    if bend is not None:
        grid = grid + bend
    return F.grid_sample(x.unsqueeze(1), grid, align_corners=False).squeeze(1)


def _ink_geometry(x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Per image: top and bottom ink rows and the ink's mean column in each row (NaN where none)."""
    n = x.shape[-1]
    ink = x > 0.3
    idx = torch.arange(n, dtype=torch.float32)
    rows = ink.any(2)
    top = torch.where(rows, idx, float(n)).amin(1)
    bottom = torch.where(rows, idx, -1.0).amax(1)
    weight = x * ink
    row_mass = weight.sum(2)
    row_centre = (weight * (idx + 0.5)).sum(2) / row_mass.clamp(min=1e-6)
    return top, bottom, torch.where(row_mass > 0, row_centre, torch.nan)


def _span(b: int, g: torch.Generator, lo: float, hi: float, reach: float) -> torch.Tensor:
    """(B, 1) uniform in [lo, hi·reach): with reach 1 the same draws as ``rand·(hi-lo)+lo``."""
    return torch.rand(b, 1, generator=g) * (hi * reach - lo) + lo


def _crossbar(x: torch.Tensor, g: torch.Generator, reach: float = 1.0, low: float = 0.0) -> torch.Tensor:
    """A bar across a 7's stem, 45–65 % of the way down; for a share ``low`` of them 65–85 %."""
    b = x.shape[0]
    top, bottom, centre = _ink_geometry(x)
    frac = torch.rand(b, generator=g) * 0.2 + 0.45
    half = torch.rand(b, generator=g) * 2.5 + 3.0
    tilt = (torch.rand(b, generator=g) - 0.5) * 2.0
    width = _width(b, g)
    if low > 0:  # drawn last: the other draws stay those of the usual bars
        frac = torch.where(torch.rand(b, generator=g) < low, frac + 0.2, frac)
    row = (top + frac * (bottom - top)).round().long().clamp(0, x.shape[-1] - 1)
    cx = centre[torch.arange(b), row].nan_to_num(x.shape[-1] / 2)
    y = row.float() + 0.5
    p0 = torch.stack([cx - half, y + tilt], 1)
    p1 = torch.stack([cx + half, y - tilt], 1)
    return _polyline(torch.stack([p0, p1], 1), width, x.shape[-1])


def _hook(x: torch.Tensor, g: torch.Generator, reach: float = 1.0) -> torch.Tensor:
    """A tail that curls left from the foot of the stem, as in a handwritten 9."""
    b = x.shape[0]
    _, bottom, centre = _ink_geometry(x)
    row = bottom.long().clamp(0, x.shape[-1] - 1)
    foot = torch.stack([centre[torch.arange(b), row].nan_to_num(x.shape[-1] / 2), bottom + 0.5], 1)
    size = _span(b, g, 4, 8, reach).expand(b, 2)
    # A curl: down, then left, then back up a little, scaled per image.
    shape = torch.tensor([[0.0, 0.0], [-0.2, 0.8], [-0.8, 1.2], [-1.5, 1.1], [-2.0, 0.6]])
    points = foot.unsqueeze(1) + shape.unsqueeze(0) * size.unsqueeze(1)
    return _polyline(points, _width(b, g), x.shape[-1])


def _flag(x: torch.Tensor, g: torch.Generator, reach: float = 1.0) -> torch.Tensor:
    """The up-stroke that starts many European 1s: from the left, up to the top of the stem."""
    b = x.shape[0]
    top, _, centre = _ink_geometry(x)
    row = top.long().clamp(0, x.shape[-1] - 1)
    head = torch.stack([centre[torch.arange(b), row].nan_to_num(x.shape[-1] / 2), top + 0.5], 1)
    length = _span(b, g, 6, 11, reach)
    angle = (torch.rand(b, 1, generator=g) * 30 + 30) * math.pi / 180  # below horizontal
    start = head + torch.cat([-torch.cos(angle), torch.sin(angle)], 1) * length
    return _polyline(torch.stack([start, head], 1), _width(b, g), x.shape[-1])


def _short_stem(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """A 4 whose stem stops soon below the bar: the ink's lowest 10–30 % of rows wiped out."""
    top, bottom, _ = _ink_geometry(x)
    keep = 1 - (torch.rand(x.shape[0], generator=g) * 0.2 + 0.1)
    cut = (top + keep * (bottom + 1 - top)).view(-1, 1, 1)
    rows = torch.arange(x.shape[-1], dtype=torch.float32).view(1, -1, 1)
    return x * (rows < cut)


def _closed_top(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """A 4 drawn in one go with a closed top: a stroke from the top of the left arm to the top of
    the stem, bowing up a little. The arm's top is the highest ink left of the ink's middle column,
    the stem's the highest ink right of it."""
    b, n = x.shape[0], x.shape[-1]
    ink = x > 0.3
    idx = torch.arange(n, dtype=torch.float32)
    cols = ink.any(1)  # (B, n)
    left = torch.where(cols, idx, float(n)).amin(1)
    right = torch.where(cols, idx, -1.0).amax(1)
    middle = ((left + right) / 2).view(-1, 1)
    top = torch.where(ink, idx.view(1, -1, 1), float(n)).amin(1)  # per column: highest ink row
    arm = _highest(top, idx.view(1, -1) < middle)
    stem = _highest(top, idx.view(1, -1) >= middle)
    bow = torch.rand(b, 1, generator=g) * 2.5
    mid = (arm + stem) / 2 - torch.cat([torch.zeros(b, 1), bow], 1)
    stroke = _polyline(torch.stack([arm, mid, stem], 1), _width(b, g), n)
    found = (arm[:, 1] < n) & (stem[:, 1] < n)
    return torch.where(found.view(-1, 1, 1), torch.maximum(x, stroke), x)


def _highest(top: torch.Tensor, where: torch.Tensor) -> torch.Tensor:
    """(B, 2) pixel centre (column, row) of the highest ink among the columns ``where`` allows."""
    rows = torch.where(where, top, float(top.shape[1]))
    row, col = rows.min(1)
    return torch.stack([col.float() + 0.5, row + 0.5], 1)


def _foot(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """A short stroke turning right, a little upwards, from the foot of a 7's stem."""
    b = x.shape[0]
    _, bottom, centre = _ink_geometry(x)
    row = bottom.long().clamp(0, x.shape[-1] - 1)
    foot = torch.stack([centre[torch.arange(b), row].nan_to_num(x.shape[-1] / 2), bottom + 0.5], 1)
    length = torch.rand(b, 1, generator=g) * 3 + 2.5
    rise = torch.rand(b, 1, generator=g) * 0.6
    bend = foot + torch.cat([length * 0.3, length * 0.1], 1)  # rounds the turn
    end = foot + torch.cat([length, -rise * length], 1)
    return _polyline(torch.stack([foot, bend, end], 1), _width(b, g), x.shape[-1])


def _width(b: int, g: torch.Generator) -> torch.Tensor:
    return torch.rand(b, generator=g) * 1.0 + 1.8


def _polyline(points: torch.Tensor, width: torch.Tensor, n: int) -> torch.Tensor:
    """Anti-aliased polylines: points (B, K, 2) in pixel units, width (B,) → images (B, n, n)."""
    centres = torch.arange(n, dtype=torch.float32) + 0.5
    px = centres.repeat(n).view(1, -1, 1)  # pixel centres, row-major, as (1, n², 1)
    py = centres.repeat_interleave(n).view(1, -1, 1)
    ax, ay = points[:, None, :-1, 0], points[:, None, :-1, 1]  # segment starts (B, 1, K-1)
    abx, aby = points[:, None, 1:, 0] - ax, points[:, None, 1:, 1] - ay
    dx, dy = px - ax, py - ay
    # Distance from each pixel centre to its nearest point on each segment; x and y apart is faster.
    t = ((dx * abx + dy * aby) / (abx * abx + aby * aby).clamp(min=1e-6)).clamp_(0, 1)
    d2 = (dx - t * abx).square_() + (dy - t * aby).square_()
    dist = d2.amin(-1).sqrt_()  # (B, n²)
    ink = (width.unsqueeze(1) / 2 + 0.5 - dist).clamp_(0, 1)
    return ink.view(-1, n, n)
