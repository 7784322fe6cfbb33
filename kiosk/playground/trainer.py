"""One playground run: a small PyTorch MLP learning a toy dataset, and what the screen shows of it.

The trainer is plain synchronous code with no threads or clocks of its own: whoever runs it (off
the event loop, with ``torch.set_num_threads(1)`` set by the caller) decides how many steps to take
between frames. The same spec gives the same run: the weights are initialised under
``torch.manual_seed(spec.seed)`` inside ``torch.random.fork_rng`` (so the process's global RNG is
left as it was) and batches are shuffled with a generator of its own, seeded from the spec.

Choices worth knowing (as TensorFlow Playground, unless said):
- Input features are computed from the plane's x, y divided by 6 (the extent), so they lie in
  [−1, 1]: x, y, x2 = (x/6)², y2 = (y/6)², xy = (x/6)(y/6); sinx and siny are sin of the raw
  coordinate (about two periods across the plane).
- One output logit, p(class 1) = sigmoid(logit); loss = binary cross-entropy (BCEWithLogitsLoss).
- L2 is the optimiser's ``weight_decay`` on the weight matrices only (not the biases): the gradient
  of (l2/2)·Σw² added each step, for SGD and Adam alike. Reported losses are the data loss alone.
- Should a run diverge (a parameter becomes inf/NaN: ``diverged``), the reports stay valid JSON:
  losses become None (null), grids show NaN as 0.5, weights show NaN as 0.
- A step is one mini-batch of ``batch_size`` points; an epoch is one pass over a fresh shuffle of
  the training set, whose last batch may be smaller. ``epoch`` is a float: training points seen so
  far ÷ training set size (2.5 = halfway through the third pass).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from kiosk.playground.datasets import EXTENT, make_dataset, split
from kiosk.playground.frames import encode_grid, encode_grids, encode_points, grid_points
from kiosk.playground.spec import PlaygroundSpec

_SCALE = max(abs(EXTENT[0]), abs(EXTENT[1]))  # plane units -> [-1, 1]
_ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def expand_features(X: np.ndarray, features: Sequence[str]) -> torch.Tensor:
    """The network's (n, len(features)) float32 inputs for plane points X (n, 2), in ``features`` order."""
    x, y = X[:, 0].astype(np.float32), X[:, 1].astype(np.float32)
    u, v = x / _SCALE, y / _SCALE
    columns = {
        "x": lambda: u,
        "y": lambda: v,
        "x2": lambda: u * u,
        "y2": lambda: v * v,
        "xy": lambda: u * v,
        "sinx": lambda: np.sin(x),
        "siny": lambda: np.sin(y),
    }
    return torch.from_numpy(np.stack([columns[name]() for name in features], axis=1))


def build_network(spec: PlaygroundSpec) -> nn.Sequential:
    """features -> (Linear, activation) per hidden layer -> Linear to one logit; PyTorch's default init."""
    layers: list[nn.Module] = []
    width = len(spec.features)
    for neurons in spec.hidden:
        layers += [nn.Linear(width, neurons), _ACTIVATIONS[spec.activation]()]
        width = neurons
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def warm_up() -> None:
    """Pay PyTorch's one-time costs now rather than on a visitor's first run: the first optimiser
    a process makes imports ``torch._dynamo`` (about 2-3 s here). Call it once, off the event loop."""
    Trainer(PlaygroundSpec(points=50, hidden=[2]), grid=2, neuron_grid=2).train_steps(1)


class Trainer:
    """A network, its data and its optimiser; ``train_steps`` advances it, the other methods report."""

    def __init__(self, spec: PlaygroundSpec, grid: int = 64, neuron_grid: int = 16) -> None:
        self.spec = spec
        self.grid = grid
        self.neuron_grid = neuron_grid
        X, y = make_dataset(spec.dataset, spec.points, spec.noise, spec.seed)
        self.X_train, self.y_train, self.X_test, self.y_test = split(X, y, spec.test_fraction, spec.seed)
        self._inputs_train = expand_features(self.X_train, spec.features)
        self._inputs_test = expand_features(self.X_test, spec.features)
        self._targets_train = torch.from_numpy(self.y_train.astype(np.float32))[:, None]
        self._targets_test = torch.from_numpy(self.y_test.astype(np.float32))[:, None]
        self._inputs_grid = expand_features(grid_points(grid, EXTENT), spec.features)
        self._inputs_neuron_grid = expand_features(grid_points(neuron_grid, EXTENT), spec.features)

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(spec.seed)
            self.network = build_network(spec)
        self._loss = nn.BCEWithLogitsLoss()
        self.optimizer = self._make_optimizer()
        self._shuffle = torch.Generator().manual_seed(spec.seed)
        self._order = torch.empty(0, dtype=torch.long)
        self._position = 0  # index into _order of the next batch's first point
        self.step = 0
        self._seen = 0  # training points seen, for ``epoch``

    @property
    def epoch(self) -> float:
        return self._seen / len(self.X_train)

    @property
    def diverged(self) -> bool:
        """True once any weight or bias is inf or NaN: further steps cannot bring the run back."""
        return not all(bool(torch.isfinite(p).all()) for p in self.network.parameters())

    def _make_optimizer(self) -> torch.optim.Optimizer:
        weights = [p for name, p in self.network.named_parameters() if name.endswith("weight")]
        biases = [p for name, p in self.network.named_parameters() if name.endswith("bias")]
        groups = [{"params": weights, "weight_decay": self.spec.l2}, {"params": biases, "weight_decay": 0.0}]
        # fused: one kernel for all parameters; on these tiny nets the optimiser's per-tensor
        # overhead is otherwise as large as the forward and backward passes together.
        if self.spec.optimizer == "adam":
            return torch.optim.Adam(groups, lr=self.spec.learning_rate, fused=True)
        return torch.optim.SGD(groups, lr=self.spec.learning_rate, fused=True)

    def train_steps(self, n: int) -> None:
        """Take n mini-batch steps."""
        n_train = len(self._inputs_train)
        self.network.train()
        for _ in range(n):
            if self._position >= len(self._order):
                self._order = torch.randperm(n_train, generator=self._shuffle)
                self._position = 0
            batch = self._order[self._position : self._position + self.spec.batch_size]
            self._position += len(batch)
            loss = self._loss(self.network(self._inputs_train[batch]), self._targets_train[batch])
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            self.step += 1
            self._seen += len(batch)

    @torch.no_grad()
    def metrics(self) -> dict[str, float | int | None]:
        """Step, epoch, and loss and accuracy on the whole training and test sets."""
        out: dict[str, float | int | None] = {"step": self.step, "epoch": round(self.epoch, 4)}
        for part, inputs, targets in (
            ("train", self._inputs_train, self._targets_train),
            ("test", self._inputs_test, self._targets_test),
        ):
            logits = self.network(inputs)
            out[f"{part}_loss"] = _round(self._loss(logits, targets).item())
            out[f"{part}_accuracy"] = _round(((logits > 0).float() == targets).float().mean().item())
        return out

    @torch.no_grad()
    def boundary(self) -> dict[str, Any]:
        """p(class 1) over a grid×grid grid of the plane, row 0 at the top (see frames.py)."""
        p = torch.sigmoid(self.network(self._inputs_grid)).numpy().reshape(self.grid, self.grid)
        return {"size": self.grid, "extent": [*EXTENT, *EXTENT], "probabilities": encode_grid(p)}

    @torch.no_grad()
    def neurons(self) -> dict[str, Any]:
        """Each hidden neuron's output over a neuron_grid×neuron_grid grid of the plane.

        A map is scaled on its own to [0, 1] as (v / max|v| + 1) / 2, so 0.5 is an output of zero
        and the extremes are the neuron's strongest outputs of either sign (a sigmoid or ReLU neuron,
        never negative, uses 0.5 to 1). A neuron whose output is zero everywhere is 0.5 everywhere.
        """
        layers: list[list[str]] = []
        values = self._inputs_neuron_grid
        for module in self.network:
            values = module(values)
            if not isinstance(module, nn.Linear):  # an activation: the end of a hidden layer
                maps = values.numpy().T.reshape(-1, self.neuron_grid, self.neuron_grid)
                layers.append(encode_grids(_signed_unit(maps)))
        return {"size": self.neuron_grid, "layers": layers}

    def weights(self) -> dict[str, Any]:
        """Each Linear layer's weights (out × in; the first layer's inputs are the spec's features in
        order) and biases, rounded to 4 digits."""
        layers = []
        for module in self.network:
            if isinstance(module, nn.Linear):
                layers.append(
                    {
                        "weights": _rounded_list(module.weight.detach().numpy()),
                        "biases": _rounded_list(module.bias.detach().numpy()),
                    }
                )
        return {"layers": layers}

    def points(self) -> dict[str, list[float | int]]:
        """The training and test points as flat [x, y, label, ...] lists."""
        return {
            "train": encode_points(self.X_train, self.y_train),
            "test": encode_points(self.X_test, self.y_test),
        }


def _signed_unit(maps: np.ndarray) -> np.ndarray:
    """(k, h, w) maps, each scaled on its own to [0, 1] as (v / max|v| + 1) / 2; all-zero maps -> 0.5."""
    peak = np.abs(maps).max(axis=(1, 2), keepdims=True)
    return (maps / np.where(peak > 0, peak, 1.0) + 1.0) / 2.0


def _round(value: float) -> float | None:
    return round(value, 4) if math.isfinite(value) else None


def _rounded_list(values: np.ndarray) -> list[Any]:
    return np.round(np.nan_to_num(values.astype(np.float64), nan=0.0), 4).tolist()
