"""What a first-layer neuron looks for: its 784 incoming weights, drawn as a 28 × 28 image.

A presenter picks a neuron (``POST /api/admin/neuron``); the screen shows its weights from the
snapshot on screen (the timeline's, or the live network's), divided by their largest magnitude so
the strongest is exactly ±1 and the page maps them straight to colour. ``{"index": None}`` hides it.
"""

from __future__ import annotations

import numpy as np

from kiosk.model.export import Timeline


def neuron_payload(timeline: Timeline, snapshot: str, index: int | None) -> dict:
    """Neuron ``index``'s weights in ``snapshot``, scaled to ±1 and rounded to 3 decimals (None:
    no neuron shown). Raises ValueError naming the range if there is no such first-layer neuron.
    """
    if index is None:
        return {"index": None}
    weight = timeline.layers(snapshot)[0][0]
    if not 0 <= index < weight.shape[0]:
        raise ValueError(f"neuron must be 0 to {weight.shape[0] - 1}, not {index}")
    row = weight[index]
    scale = float(np.abs(row).max()) or 1.0
    weights = np.round((row / scale).astype(np.float64), 3).tolist()
    return {"index": index, "weights": weights, "snapshot": snapshot}
