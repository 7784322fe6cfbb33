"""The connections the screen draws: for each neuron, its N strongest incoming weights.

A full drawing of the MLP would be 110,000 lines; the screen shows, per neuron, the N weights
with the largest magnitude and colours each by its contribution (weight × the activation
feeding it). Which connections those are depends only on the snapshot, so they are worked out
here once per snapshot and cached; the page multiplies 24 numbers per neuron, nothing heavier.
"""

from __future__ import annotations

import numpy as np

from kiosk.model.export import Timeline


def strongest_connections(weight: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``weight`` (out × in), the ``n`` largest-magnitude entries: (sources, weights).

    Both are (out × n), strongest first; ``n`` is capped at the number of inputs.
    """
    n = min(n, weight.shape[1])
    # argpartition finds the n largest in linear time; only those n are then sorted.
    top = np.argpartition(-np.abs(weight), n - 1, axis=1)[:, :n]
    picked = np.take_along_axis(weight, top, axis=1)
    order = np.argsort(-np.abs(picked), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(picked, order, axis=1)


class ConnectionSets:
    """Connection sets of every snapshot of a timeline, as JSON-ready dicts, built on first use."""

    def __init__(self, timeline: Timeline, per_neuron: int) -> None:
        self.timeline, self.per_neuron = timeline, per_neuron
        self._cache: dict[str, dict] = {}

    def for_snapshot(self, snapshot_id: str) -> dict:
        """``{"snapshot", "per_neuron", "layers": [{"sources": [...], "weights": [...]}]}``.

        Lists are flat, row-major (neuron by neuron, ``per_neuron`` entries each). Raises KeyError
        for an unknown snapshot.
        """
        if snapshot_id not in self._cache:
            layers = []
            for weight, _bias in self.timeline.layers(snapshot_id):
                sources, weights = strongest_connections(weight, self.per_neuron)
                layers.append(
                    {
                        "per_neuron": int(sources.shape[1]),
                        "sources": sources.reshape(-1).tolist(),
                        "weights": np.round(weights.reshape(-1).astype(np.float64), 4).tolist(),
                    }
                )
            self._cache[snapshot_id] = {"snapshot": snapshot_id, "layers": layers}
        return self._cache[snapshot_id]
