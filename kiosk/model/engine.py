"""Run the MLP of any timeline snapshot on a 28×28 image: probabilities and every activation.

The network was trained with PyTorch; answering one visitor is three small matrix products, which
numpy does in a tenth of the time, and without PyTorch's worker threads spinning beside the
event loop on a two-core exhibit PC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.model.export import Timeline


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0, out=x),
    "tanh": lambda x: np.tanh(x, out=x),
    "sigmoid": lambda x: 0.5 * (1 + np.tanh(0.5 * x)),  # no overflow warnings for large |x|
    "softmax": _softmax,
}


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

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline

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
        try:
            layers = self.timeline.layers(snapshot)
        except KeyError:
            raise UnknownSnapshot(f"no snapshot {snapshot!r} in export {self.timeline.name!r}") from None
        mean, std = np.float32(self.timeline.mean), np.float32(self.timeline.std)
        x = (np.asarray(pixels, dtype=np.float32) - mean) / std
        activations = []
        for (weight, bias), name in zip(layers, self.timeline.activations, strict=True):
            x = _ACTIVATIONS[name](x @ weight.T + bias)
            activations.append(x)
        return activations


def _rounded(values: np.ndarray, digits: int = 5) -> list[float]:
    return np.round(values.astype(np.float64), digits).tolist()
