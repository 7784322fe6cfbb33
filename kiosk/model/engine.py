"""Run the MLP of any timeline snapshot on a 28×28 image: probabilities and every activation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from kiosk.model.export import Timeline

_ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softmax": lambda x: torch.softmax(x, dim=-1),
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
        self._weights: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {}

    def infer(self, image: np.ndarray, snapshot: str | None = None) -> Inference:
        snapshot = snapshot or self.timeline.final_id
        x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32).reshape(-1))
        activations = self.forward(x, snapshot)
        probabilities = activations[-1].numpy()
        return Inference(
            digit=int(probabilities.argmax()),
            probabilities=probabilities,
            activations=[a.numpy() for a in activations],
            image=np.asarray(image, dtype=np.float32).reshape(28, 28),
            snapshot=snapshot,
        )

    @torch.inference_mode()
    def forward(self, pixels: torch.Tensor, snapshot: str) -> list[torch.Tensor]:
        """Activations of every layer for pixels in [0, 1] (shape (784,) or (batch, 784))."""
        x = (pixels - self.timeline.mean) / self.timeline.std
        activations = []
        for (weight, bias), name in zip(self._layers(snapshot), self.timeline.activations, strict=True):
            x = _ACTIVATIONS[name](torch.addmv(bias, weight, x) if x.dim() == 1 else x @ weight.T + bias)
            activations.append(x)
        return activations

    def _layers(self, snapshot: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
        if snapshot not in self._weights:
            try:
                layers = self.timeline.layers(snapshot)
            except KeyError:
                raise UnknownSnapshot(f"no snapshot {snapshot!r} in export {self.timeline.name!r}") from None
            self._weights[snapshot] = [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in layers]
        return self._weights[snapshot]


def _rounded(values: np.ndarray, digits: int = 5) -> list[float]:
    return np.round(values.astype(np.float64), digits).tolist()
