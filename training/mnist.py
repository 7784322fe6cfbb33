"""MNIST as in-memory tensors, read through torchvision's MNIST format.

``--mnist-dir`` names a folder with the four original ``.gz`` files; they are unpacked once into
a cache folder laid out the way ``torchvision.datasets.MNIST`` expects. Without a folder,
torchvision downloads them (impossible on an offline exhibit PC; train elsewhere then).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torchvision.datasets import MNIST
from torchvision.datasets.utils import extract_archive

FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@dataclass
class Split:
    images: torch.Tensor  # (N, 28, 28) float32 in [0, 1]
    labels: torch.Tensor  # (N,) int64


def load_mnist(mnist_dir: Path | None, cache_dir: Path) -> tuple[Split, Split]:
    """Return (train, test) with pixels in [0, 1]."""
    download = mnist_dir is None
    if mnist_dir is not None:
        _unpack(mnist_dir, cache_dir / "MNIST" / "raw")
    train, test = (_split(MNIST(str(cache_dir), train=t, download=download)) for t in (True, False))
    return train, test


def _unpack(mnist_dir: Path, raw_dir: Path) -> None:
    missing = [name for name in FILES if not (mnist_dir / name).is_file()]
    if missing:
        raise SystemExit(f"{mnist_dir}: missing MNIST file(s): {', '.join(missing)}")
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        if not (raw_dir / name.removesuffix(".gz")).is_file():
            extract_archive(str(mnist_dir / name), str(raw_dir))


def _split(dataset: MNIST) -> Split:
    return Split(dataset.data.float().div_(255.0), dataset.targets.long())
