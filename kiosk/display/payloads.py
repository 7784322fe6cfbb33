"""What the screen's ``network``, ``timeline`` and ``activation`` events carry.

- ``Digit``: what the network looks at: a visitor's drawing, a test sample, or nothing (``BLANK``).
- ``network_payload``: the network's shape, its snapshots and the settings the page draws it with;
  sent first, as the page needs it before anything drawn on it.
- ``timeline_payload``: where the timeline player is, and the snapshot it shows.
- ``activation_payload``: one frame: each layer's activations (input pixels first) and the answer,
  numbered (``seq``) so a page can tell a newer frame from an older one.

Numbers are rounded (probabilities to 4 decimals, activations to 3) to keep the stream small; the
page computes nothing heavy from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.model.engine import Inference
from kiosk.model.export import SnapshotInfo, Timeline


@dataclass(frozen=True)
class Digit:
    """The digit the network is looking at: a visitor's drawing, a test sample, or nothing."""

    image: np.ndarray  # (28, 28) in [0, 1]
    source: str  # "visitor", "sample" or "none"
    label: int | None = None  # the true digit of a test sample


BLANK = Digit(np.zeros((28, 28), np.float32), "none")


def network_payload(timeline: Timeline, live_snapshot: str, *, per_neuron: int, language: str) -> dict:
    """The network and its snapshots; ``per_neuron`` connections drawn per neuron, in ``language``."""
    return {
        "architecture": timeline.architecture,
        "activations": timeline.activations,
        "per_neuron": per_neuron,
        "language": language,
        "live_snapshot": live_snapshot,
        "snapshots": [{"id": s.id, **_facts(s)} for s in timeline.snapshots],
    }


def timeline_payload(player_state: dict, snapshot: SnapshotInfo) -> dict:
    """The player's state (index, count, playing, speed) and the snapshot at its index."""
    return player_state | {"snapshot": snapshot.id, **_facts(snapshot)}


def activation_payload(result: Inference | None, digit: Digit, seq: int, fallback_snapshot: str) -> dict:
    """One frame for the screen: each layer's activations (input pixels first) and the answer.

    ``scales`` are each layer's largest value, so the page can map brightness to 0..1 while
    contributions (weight × activation) stay in the network's own units.
    """
    if result is None:
        return {"seq": seq, "source": "none", "snapshot": fallback_snapshot, "digit": None, "label": None}
    layers = [result.image.reshape(-1), *result.activations]
    return {
        "seq": seq,
        "source": digit.source,
        "label": digit.label,
        "snapshot": result.snapshot,
        "digit": result.digit,
        "probabilities": _rounded(result.probabilities, 4),
        "layers": [_rounded(layer, 3) for layer in layers],
        "scales": [round(max(float(layer.max()), 1e-6), 4) for layer in layers],
    }


def _facts(snapshot: SnapshotInfo) -> dict:
    return {
        "label": snapshot.label,
        "images_seen": snapshot.images_seen,
        "test_accuracy": snapshot.test_accuracy,
    }


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()
