"""One lesson: fine-tune a copy of the network on a visitor's drawing, step by step.

``Lesson`` starts from the weights that read the visitor's digits and, each ``step()``, trains
the copy on one batch: a few slightly shifted copies of the drawing, labelled with the digit the
visitor meant, beside replayed MNIST training digits, so the copy learns the drawing without
forgetting the rest. Each step returns what the screen shows of it: the drawing's answer under
the copy now, every layer's activations, and the connections that changed most since the start.

A lesson is ``settings.steps`` steps, always: the screen counts them down. The learning rate is
small enough that a hard case is seen rising over several steps, and the replayed digits keep
the copy's accuracy on MNIST within about a point of the shipped network's. ``accuracy()``
measures a network on the MNIST test digits: what the lesson cost.

Pure PyTorch and numpy, no I/O and no clock: the worker process (worker.py) runs it and paces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from kiosk.model.network import MLP, Layers


@dataclass(frozen=True)
class LessonSettings:
    steps: int = 12
    copies: int = 8  # shifted copies of the drawing per batch
    replay: int = 128  # MNIST training digits per batch: fewer, and the copy forgets more
    lr: float = 0.004
    momentum: float = 0.5
    changes_per_layer: int = 16


@dataclass(frozen=True)
class Change:
    layer: int  # weights from layer ``layer``'s neuron ``source`` to layer ``layer + 1``'s ``target``
    source: int
    target: int
    delta: float

    def to_json(self) -> dict:
        return {"layer": self.layer, "from": self.source, "to": self.target, "delta": round(self.delta, 4)}


@dataclass(frozen=True)
class Step:
    step: int  # 1, 2, …
    probabilities: np.ndarray  # (10,) the drawing's answer under the copy after this step
    activations: list[np.ndarray]  # every layer's, the last the probabilities
    changes: list[Change]
    done: bool  # the lesson ends with this step


class Lesson:
    def __init__(
        self,
        layers: Layers,
        hidden: list[str],
        normalization: tuple[float, float],
        image: np.ndarray,
        meant: int,
        replay: tuple[np.ndarray, np.ndarray],
        settings: LessonSettings = LessonSettings(),
        seed: int = 0,
    ) -> None:
        """``image``: the drawing (28×28 in [0, 1]); ``replay``: MNIST training digits as uint8
        (N, 784) and their labels; ``normalization``: the export's (mean, std)."""
        if not 0 <= meant <= 9:
            raise ValueError("meant must be a digit 0..9")
        self.settings, self.meant = settings, meant
        self.mean, self.std = normalization
        self.model = MLP.from_layers(layers, hidden)
        self._start = [layer.weight.detach().clone() for layer in self.model.layers]
        self._optimiser = torch.optim.SGD(self.model.parameters(), lr=settings.lr, momentum=settings.momentum)
        self._g = torch.Generator().manual_seed(seed)
        self._image = torch.tensor(np.asarray(image, dtype=np.float32).reshape(1, 28, 28))
        self._replay_x = torch.tensor(np.asarray(replay[0], dtype=np.uint8).reshape(-1, 784))
        self._replay_y = torch.tensor(np.asarray(replay[1]), dtype=torch.long)
        self.steps_done = 0

    def step(self) -> Step:
        """Train on one batch; what the screen shows after it."""
        s = self.settings
        x, y = self._batch()
        self.model.train()
        loss = F.cross_entropy(self.model((x - self.mean) / self.std), y)
        self._optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self._optimiser.step()
        self.steps_done += 1
        activations = self.answer(self._image.reshape(784))
        done = self.steps_done >= s.steps
        return Step(self.steps_done, activations[-1], activations, self.changes(), done)

    @torch.no_grad()
    def answer(self, pixels: torch.Tensor) -> list[np.ndarray]:
        self.model.eval()
        return [a.numpy() for a in self.model.activations((pixels - self.mean) / self.std)]

    def changes(self) -> list[Change]:
        """Per layer, the connections whose weight moved most since the lesson began."""
        out = []
        for i, (layer, start) in enumerate(zip(self.model.layers, self._start, strict=True)):
            delta = (layer.weight.detach() - start).reshape(-1)
            k = min(self.settings.changes_per_layer, delta.numel())
            top = delta.abs().topk(k).indices
            fan_in = start.shape[1]
            out += [Change(i, int(t) % fan_in, int(t) // fan_in, float(delta[t])) for t in top]
        return out

    def layers(self) -> Layers:
        return self.model.layer_arrays()

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        s = self.settings
        copies = _shifted(self._image.expand(s.copies, 28, 28), self._g).reshape(s.copies, 784)
        pick = torch.randint(len(self._replay_y), (s.replay,), generator=self._g)
        replay = self._replay_x[pick].float() / 255
        x = torch.cat([copies, replay])
        y = torch.cat([torch.full((s.copies,), self.meant), self._replay_y[pick]])
        return x, y


def _shifted(images: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Each image moved by up to one pixel each way (the first stays put): the visitor will not
    draw the same digit in the same place twice."""
    padded = F.pad(images, (1, 1, 1, 1))
    dx = torch.randint(0, 3, (len(images),), generator=g)
    dy = torch.randint(0, 3, (len(images),), generator=g)
    dx[0] = dy[0] = 1
    return torch.stack(
        [p[y : y + 28, x : x + 28] for p, x, y in zip(padded, dx.tolist(), dy.tolist(), strict=True)]
    )


@torch.no_grad()
def accuracy(model: MLP, images: np.ndarray, labels: np.ndarray, normalization: tuple[float, float]) -> float:
    """Share of ``images`` (uint8, (N, 784)) the network reads as ``labels``."""
    mean, std = normalization
    model.eval()
    x = (torch.tensor(np.asarray(images, dtype=np.uint8)).float() / 255 - mean) / std
    predicted = model(x).argmax(1).numpy()
    return float((predicted == np.asarray(labels)).mean())
