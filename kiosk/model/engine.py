"""Run the MLP of any timeline snapshot on a 28×28 image: probabilities and every activation.

The network is the one training uses (kiosk/model/network.py), run by PyTorch in inference mode.
PyTorch's thread pools are pinned to one thread each (``pin_threads``): one drawing is three
small matrix products, and worker threads spinning beside the event loop would cost a two-core
exhibit PC more than they save.

A lesson (kiosk/teach/) can stand a taught copy in for a snapshot (``teach``): everything that
reads that snapshot then gets the copy's answers, until ``forget`` puts the shipped weights back.
The timeline's own weights are never changed, so forgetting is exact.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from kiosk.model.export import Timeline
from kiosk.model.network import MLP, Layers


def pin_threads(threads: int = 1) -> None:
    """Limit PyTorch's intra-op and inter-op pools (the latter only before first use)."""
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # already set, or parallel work already ran here
        torch.set_num_interop_threads(threads)


class UnknownSnapshot(KeyError):
    """A snapshot id that the timeline does not hold."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Inference:
    digit: int
    probabilities: np.ndarray  # (10,)
    activations: list[np.ndarray]  # one per layer after its activation function; the last is probabilities
    image: np.ndarray  # (28, 28) in [0, 1], what the network saw
    snapshot: str

    def to_json(self) -> dict:
        return {
            "digit": self.digit,
            "probabilities": _rounded(self.probabilities),
            "activations": [_rounded(a) for a in self.activations],
            "image": _rounded(self.image.reshape(-1), 3),
            "snapshot": self.snapshot,
        }


class Engine:
    """Inference for one timeline. Cheap to call: a few small matrix products."""

    def __init__(self, timeline: Timeline, *, threads: int = 1) -> None:
        pin_threads(threads)
        self.timeline = timeline
        self._hidden = timeline.activations[:-1]
        self._shipped: dict[str, MLP] = {}  # built from the timeline on first use
        self._taught: dict[str, MLP] = {}  # a lesson's copy standing in for a snapshot

    def infer(self, image: np.ndarray, snapshot: str | None = None) -> Inference:
        snapshot = snapshot or self.timeline.final_id
        pixels = np.asarray(image, dtype=np.float32).reshape(-1)
        activations = self.forward(pixels, snapshot)
        return Inference(
            digit=int(activations[-1].argmax()),
            probabilities=activations[-1],
            activations=activations,
            image=pixels.reshape(28, 28),
            snapshot=snapshot,
        )

    def forward(self, pixels: np.ndarray, snapshot: str) -> list[np.ndarray]:
        """Activations of every layer for pixels in [0, 1], shape (784,) or (batch, 784)."""
        network = self.network(snapshot)
        x = torch.from_numpy(np.array(pixels, dtype=np.float32))  # a copy: inputs may be read-only
        with torch.inference_mode():
            x = (x - self.timeline.mean) / self.timeline.std
            return [a.numpy() for a in network.activations(x)]

    def network(self, snapshot: str) -> MLP:
        """The network that answers for ``snapshot``: a taught copy if one stands in, else shipped."""
        if snapshot in self._taught:
            return self._taught[snapshot]
        if snapshot not in self._shipped:
            try:
                layers = self.timeline.layers(snapshot)
            except KeyError:
                raise UnknownSnapshot(f"no snapshot {snapshot!r} in export {self.timeline.name!r}") from None
            self._shipped[snapshot] = MLP.from_layers(layers, self._hidden).eval()
        return self._shipped[snapshot]

    def layers(self, snapshot: str) -> Layers:
        """The weights answering for ``snapshot`` now (taught or shipped), as float32 arrays."""
        if snapshot in self._taught:
            return self._taught[snapshot].layer_arrays()
        return self.timeline.layers(snapshot)

    def teach(self, snapshot: str, layers: Layers) -> None:
        """Let ``layers`` (a lesson's result, same shapes) answer for ``snapshot`` until ``forget``."""
        self.network(snapshot)  # an unknown snapshot raises here
        self._taught[snapshot] = MLP.from_layers(layers, self._hidden).eval()

    def forget(self) -> bool:
        """Back to the shipped weights everywhere; True if a taught copy was standing in."""
        taught = bool(self._taught)
        self._taught.clear()
        return taught

    def taught(self, snapshot: str) -> bool:
        return snapshot in self._taught


def _rounded(values: np.ndarray, digits: int = 5) -> list[float]:
    return np.round(values.astype(np.float64), digits).tolist()
