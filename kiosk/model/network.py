"""The exhibit's network, one definition for training, the timeline, inference and teaching.

A plain multilayer perceptron, as small as the screen can show: ``MLP([784, 128, 64, 10])``.
Training (training/train.py) fits it, the export stores its layers snapshot by snapshot, the
engine (kiosk/model/engine.py) runs them to answer visitors, and a lesson (kiosk/teach/) fine-tunes
a copy of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

HIDDEN_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}

Layers = list[tuple[np.ndarray, np.ndarray]]  # per layer: weight (out × in), bias (out,)


class MLP(nn.Module):
    def __init__(self, sizes: Sequence[int], hidden: Sequence[str] | None = None) -> None:
        """``sizes``: inputs, hidden layers, outputs; ``hidden``: each hidden layer's activation
        (default ReLU). The outputs are logits; ``activations`` adds the softmax."""
        super().__init__()
        hidden = list(hidden) if hidden is not None else ["relu"] * (len(sizes) - 2)
        if len(hidden) != len(sizes) - 2 or not set(hidden) <= HIDDEN_ACTIVATIONS.keys():
            raise ValueError(f"one hidden activation per hidden layer, among {sorted(HIDDEN_ACTIVATIONS)}")
        self.sizes, self.hidden = list(sizes), hidden
        # The same layers twice: typed for snapshots (layers), registered with PyTorch (linears).
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False)]
        self.linears = nn.ModuleList(self.layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (batch, 784), normalised; returns logits
        for layer, name in zip(self.layers, self.hidden, strict=False):
            x = HIDDEN_ACTIVATIONS[name](layer(x))
        return self.layers[-1](x)

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output after its activation function; the last is the probabilities."""
        out = []
        for layer, name in zip(self.layers, self.hidden, strict=False):
            x = HIDDEN_ACTIVATIONS[name](layer(x))
            out.append(x)
        out.append(torch.softmax(self.layers[-1](x), dim=-1))
        return out

    @classmethod
    def from_layers(cls, layers: Layers, hidden: Sequence[str] | None = None) -> MLP:
        """A network holding these weights (float32 copies; the arrays are not shared)."""
        sizes = [layers[0][0].shape[1], *(weight.shape[0] for weight, _ in layers)]
        model = cls(sizes, hidden)
        model.load_layers(layers)
        return model

    @torch.no_grad()
    def load_layers(self, layers: Layers) -> None:
        for linear, (weight, bias) in zip(self.layers, layers, strict=True):
            linear.weight.copy_(torch.tensor(np.asarray(weight, dtype=np.float32)))
            linear.bias.copy_(torch.tensor(np.asarray(bias, dtype=np.float32)))

    def layer_arrays(self) -> Layers:
        """The weights as float32 numpy arrays (copies)."""
        return [(lin.weight.detach().numpy().copy(), lin.bias.detach().numpy().copy()) for lin in self.layers]
