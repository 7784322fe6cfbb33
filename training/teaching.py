"""Ship the MNIST digits a lesson needs with an export (kiosk/teach/data.py reads them).

    python -m training.teaching --export exports/mnist-mlp --mnist-dir ../shared/data/mnist

The 10,000 test digits (a lesson's cost is measured on them) and a balanced set of training
digits to replay beside a visitor's drawing. `training/train.py` does the same at the end of a run.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from training.samples import _read_manifest, _write_atomically, _write_manifest, as_uint8

IMAGES, LABELS = "teaching.u8", "teaching-labels.u8"
REPLAY_PER_DIGIT = 600


def replay_choice(labels: np.ndarray, per_digit: int = REPLAY_PER_DIGIT, seed: int = 0) -> np.ndarray:
    """Indices of ``per_digit`` training digits of each kind, chosen at random, ascending."""
    order = np.random.default_rng(seed).permutation(len(labels))
    chosen = [order[labels[order] == digit][:per_digit] for digit in range(10)]
    return np.sort(np.concatenate(chosen))


def write_teaching_data(
    folder: Path, test: tuple[np.ndarray, np.ndarray], replay: tuple[np.ndarray, np.ndarray]
) -> dict:
    """Write both files and the manifest's ``"teaching"`` entry (uint8 images, labels 0..9).

    The entry goes out of the manifest first and back in last: a crash leaves a valid export.
    """
    images = np.concatenate([test[0], replay[0]]).astype(np.uint8).reshape(-1, 28 * 28)
    labels = np.concatenate([test[1], replay[1]]).astype(np.uint8)
    if len(images) != len(labels) or labels.max(initial=0) > 9:
        raise ValueError("one label 0..9 per image")
    folder = Path(folder)
    manifest = _read_manifest(folder)
    if "teaching" in manifest:
        _write_manifest(folder, {k: v for k, v in manifest.items() if k != "teaching"})
    _write_atomically(folder / IMAGES, images.tobytes())
    _write_atomically(folder / LABELS, labels.tobytes())
    entry = {"images": IMAGES, "labels": LABELS, "test": len(test[1]), "replay": len(replay[1])}
    _write_manifest(folder, {**manifest, "teaching": entry})
    return entry


def add_teaching_data(
    folder: Path,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
) -> dict:
    """The whole test set and a balanced replay set from the training set, uint8 pixels."""
    chosen = replay_choice(np.asarray(train_labels))
    return write_teaching_data(
        folder, (test_images, test_labels), (train_images[chosen], train_labels[chosen])
    )


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--export", type=Path, default=Path("exports/mnist-mlp"), help="export folder")
    p.add_argument(
        "--mnist-dir", type=Path, default=os.environ.get("MNIST_DIR"), help="the four MNIST .gz files"
    )
    p.add_argument("--cache-dir", type=Path, default=Path("data"), help="where MNIST is unpacked")
    args = p.parse_args(argv)
    if not (args.export / "manifest.json").is_file():
        raise SystemExit(f"{args.export}: no manifest.json (is this an nn-kiosk export folder?)")
    from training.mnist import load_mnist  # torchvision: only when MNIST is read

    train, test = load_mnist(args.mnist_dir, args.cache_dir)
    entry = add_teaching_data(args.export, *as_uint8(train), *as_uint8(test))
    print(json.dumps(entry))
    return entry


if __name__ == "__main__":
    main()
