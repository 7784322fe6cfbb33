"""The exhibit's network: a plain multilayer perceptron, as small as the screen can show."""

from __future__ import annotations

from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False))

    def forward(self, x):  # x: (batch, 784), normalised; returns logits
        for layer in self.linears[:-1]:
            x = layer(x).relu()
        return self.linears[-1](x)
