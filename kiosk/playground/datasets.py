"""The toy 2-D datasets a visitor can pick, made so that every run can be repeated from its seed.

All points lie in the square EXTENT × EXTENT (−6 to 6 on both axes, as TensorFlow Playground);
the clean shapes stay within about ±5 so that noise has room. Classes are balanced: the two
labels differ in count by at most one.

What ``noise`` (0 = clean, 1 = very noisy) means, per dataset — always a Gaussian jitter of the
positions, with the labels kept, so the classes overlap more as noise grows:

- moons: two interleaved half circles of radius 3.2; jitter σ = 1.2·noise.
- circles: a disc (r ≤ 2.5) inside a ring (3.5 ≤ r ≤ 5); jitter σ = 1.2·noise.
- spiral: two arms winding 1.75 turns out to r = 5; jitter σ = 1.0·noise (the arms are 1.4 apart).
- xor: uniform in the four quadrants, 0.3 away from the axes; jitter σ = 2.5·noise, which carries
  points across the axes (this is label noise near the boundary, like TF Playground's).
- linear: uniform in ±5, split by the line x + 2y = 0 with a margin of 0.5; jitter σ = 1.5·noise.
- gaussians: blobs at (2, 2) and (−2, −2); σ = 0.5 + 2.5·noise (noise widens the blobs).

A jittered point that would leave the extent gets a fresh jitter (a truncated Gaussian), so the
extent is never left and no points pile up on its border.

The pages draw each dataset as a small icon from ``preview(name)`` (published by
kiosk/client_facts.py): a few clean points, one unit Gaussian jitter per point and the σ line
above, so a page spreads the same points out as its noise slider moves (clamped to the extent,
not redrawn: an icon, not data). ``MENU`` is the order the pages offer them in, showpieces first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EXTENT = (-6.0, 6.0)  # both axes
DATASETS = ("moons", "circles", "spiral", "xor", "linear", "gaussians")
MENU = ("spiral", "circles", "moons", "xor", "gaussians", "linear")  # as the pages offer them
PREVIEW_POINTS = 90

Points = tuple[np.ndarray, np.ndarray]
_Maker = Callable[[np.random.Generator, int, int], np.ndarray]  # rng, n0, n1 -> clean X


def make_dataset(name: str, points: int, noise: float, seed: int) -> Points:
    """Return X (points, 2) float32 inside EXTENT and labels (points,) int64 in {0, 1}, shuffled."""
    if name not in _MAKERS:
        raise ValueError(f"unknown dataset {name!r}; one of {', '.join(DATASETS)}")
    if points < 2:
        raise ValueError(f"need at least 2 points, got {points}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be 0 to 1, got {noise}")
    rng = np.random.default_rng(seed)
    n0 = points // 2
    n1 = points - n0
    X = _jitter(rng, _MAKERS[name](rng, n0, n1), sigma(name, float(noise)))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    order = rng.permutation(points)
    return X[order].astype(np.float32), y[order]


def sigma(name: str, noise: float) -> float:
    """The jitter's standard deviation for ``name`` at ``noise`` (0 to 1): base + per_noise·noise."""
    base, per_noise = SIGMA[name]
    return base + per_noise * noise


def preview(name: str, points: int = PREVIEW_POINTS) -> dict:
    """A page's icon of ``name``: the same points on every call, as plain JSON-ready lists.

    ``{"points": [[x, y, label], …], "jitter": [[jx, jy], …], "sigma": [base, per_noise]}``:
    a point at noise n is (x, y) + σ(n)·(jx, jy), with σ(n) = base + per_noise·n.
    """
    rng = np.random.default_rng(DATASETS.index(name) + 1)
    n0 = points // 2
    X = _MAKERS[name](rng, n0, points - n0)
    labels = np.concatenate([np.zeros(n0, np.int64), np.ones(points - n0, np.int64)])
    order = rng.permutation(points)  # the classes interleaved, so neither is drawn all on top
    jitter = rng.standard_normal((points, 2))
    return {
        "points": [
            [round(float(x), 2), round(float(y), 2), int(label)]
            for (x, y), label in zip(X[order], labels[order], strict=True)
        ],
        "jitter": [[round(float(jx), 2), round(float(jy), 2)] for jx, jy in jitter],
        "sigma": list(SIGMA[name]),
    }


def split(X: np.ndarray, y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, ...]:
    """Return (X_train, y_train, X_test, y_test): a seeded random split, both parts non-empty."""
    n = len(X)
    if n < 2:
        raise ValueError("need at least 2 points to split")
    n_test = min(max(round(n * test_fraction), 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def _jitter(rng: np.random.Generator, X: np.ndarray, sigma: float) -> np.ndarray:
    """X plus Gaussian noise, redrawn for points it would push out of the extent."""
    low, high = EXTENT
    out = X + rng.normal(0.0, sigma, X.shape) if sigma > 0 else X.copy()
    for _ in range(100):
        outside = ((out < low) | (out > high)).any(axis=1)
        if not outside.any():
            break
        out[outside] = X[outside] + rng.normal(0.0, sigma, (int(outside.sum()), 2))
    return np.clip(out, low, high)  # only reached by a point that missed 100 times


def _moons(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    radius = 3.2
    t0, t1 = rng.uniform(0.0, np.pi, n0), rng.uniform(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    centre = np.array([0.5, 0.25])  # the pair spans x in [-1, 2], y in [-0.5, 1]
    return (np.concatenate([upper, lower]) - centre) * radius


def _circles(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    # sqrt of a uniform radius² keeps the disc evenly filled.
    r0 = np.sqrt(rng.uniform(0.0, 2.5**2, n0))
    r1 = np.sqrt(rng.uniform(3.5**2, 5.0**2, n1))
    r = np.concatenate([r0, r1])
    angle = rng.uniform(0.0, 2 * np.pi, n0 + n1)
    return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)


def _spiral(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    arms = []
    for n, phase in ((n0, 0.0), (n1, np.pi)):
        along = rng.uniform(0.0, 1.0, n)
        r = 5.0 * along
        t = 1.75 * 2 * np.pi * along + phase
        arms.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    return np.concatenate(arms)


def _xor(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    def quadrants(n: int, same_sign: bool) -> np.ndarray:
        magnitude = rng.uniform(0.3, 5.0, (n, 2))
        sx = rng.choice([-1.0, 1.0], n)
        sy = sx if same_sign else -sx
        return magnitude * np.stack([sx, sy], axis=1)

    return np.concatenate([quadrants(n0, same_sign=False), quadrants(n1, same_sign=True)])


LINEAR_NORMAL = np.array([1.0, 2.0]) / np.sqrt(5.0)  # class 1 where X · LINEAR_NORMAL > 0


def _linear(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    def side(n: int, sign: float) -> np.ndarray:
        chosen = np.empty((0, 2))
        while len(chosen) < n:  # rejection sampling: about half of each draw is kept
            candidates = rng.uniform(-5.0, 5.0, (2 * n + 8, 2))
            chosen = np.concatenate([chosen, candidates[sign * candidates @ LINEAR_NORMAL > 0.5]])
        return chosen[:n]

    return np.concatenate([side(n0, -1.0), side(n1, 1.0)])


def _gaussians(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    return np.concatenate([np.full((n0, 2), -2.0), np.full((n1, 2), 2.0)])


_MAKERS: dict[str, _Maker] = {
    "moons": _moons,
    "circles": _circles,
    "spiral": _spiral,
    "xor": _xor,
    "linear": _linear,
    "gaussians": _gaussians,
}
# The jitter's σ = base + per_noise·noise, as the module's docstring lists them.
SIGMA: dict[str, tuple[float, float]] = {
    "moons": (0.0, 1.2),
    "circles": (0.0, 1.2),
    "spiral": (0.0, 1.0),
    "xor": (0.0, 2.5),
    "linear": (0.0, 1.5),
    "gaussians": (0.5, 2.5),
}
assert tuple(_MAKERS) == tuple(SIGMA) == DATASETS and sorted(MENU) == sorted(DATASETS)
