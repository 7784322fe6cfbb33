"""The exhibit's network: a plain multilayer perceptron, as small as the screen can show."""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        # The same layers twice: typed for snapshots (layers), registered with PyTorch (linears).
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False)]
        self.linears = nn.ModuleList(self.layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (batch, 784), normalised; returns logits
        for layer in self.linears[:-1]:
            x = layer(x).relu()
        return self.linears[-1](x)
