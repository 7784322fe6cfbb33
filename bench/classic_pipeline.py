"""The training pipeline nn-kiosk replaces, for comparison: torchvision's MNIST dataset with
per-sample ``ToTensor``/``Normalize`` behind a ``DataLoader``; same network, optimiser, batch size
and learning-rate schedule as ``training.train``."""

from __future__ import annotations

import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torchvision import datasets, transforms

from kiosk.model.network import MLP
from training.mnist import load_mnist
from training.train import MEAN, STD, evaluate, set_lr


def train_classic(
    mnist_dir: Path | None, cache_dir: Path, epochs: int, batch_size: int, seed: int = 0
) -> dict:
    torch.manual_seed(seed)
    _, test = load_mnist(mnist_dir, cache_dir)  # also unpacks the files torchvision reads below
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    dataset = datasets.MNIST(str(cache_dir), train=True, download=mnist_dir is None, transform=transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
    model = MLP([784, 128, 64, 10])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    total, seen = epochs * len(dataset), 0
    start = time.perf_counter()
    for _ in range(epochs):
        for images, labels in loader:
            set_lr(optimiser, 1e-3, 1e-5, seen / total)
            loss = F.cross_entropy(model(images.view(-1, 784)), labels)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            seen += len(labels)
    wall = time.perf_counter() - start
    accuracy = evaluate(model, ((test.images - MEAN) / STD).reshape(-1, 784), test.labels)
    return {
        "epochs": epochs,
        "wall_s": round(wall, 1),
        "images_per_s": round(seen / wall),
        "final_test_accuracy": round(accuracy, 4),
    }
