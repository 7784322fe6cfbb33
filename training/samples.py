"""Ship real MNIST test digits with an export: every one the final network gets wrong, and a few
hundred it reads right, so the offline exhibit can show them (format: docs/export-format.md).

    python -m training.samples --export exports/mnist-mlp --mnist-dir ../shared/data/mnist

`training/train.py` does the same at the end of a run. The network is run the way the kiosk runs
it (the exported float16 weights, through kiosk.model.engine), so "wrong" means wrong on the exhibit.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kiosk.model.engine import Engine
from kiosk.model.export import ExportError, load_timeline
from kiosk.model.samples import MAX_SAMPLES, PIXELS

if TYPE_CHECKING:
    from training.mnist import Split

FILE = "samples.u8"
PER_DIGIT = 90  # correctly read digits kept of each kind: with ~125 wrong ones about 1,000 in all
MAX_WRONG = 250  # a weak network (a museum's own) gets thousands wrong; keep the first ones only


def select_samples(
    labels: np.ndarray, predicted: np.ndarray, per_digit: int = PER_DIGIT, max_wrong: int = MAX_WRONG
) -> np.ndarray:
    """Indices into the test set, ascending: every image predicted wrongly (the first ``max_wrong``)
    plus the first ``per_digit`` predicted correctly of each digit."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise ValueError("labels and predicted must be 1-D arrays of the same length")
    correct = labels == predicted
    chosen = [np.flatnonzero(~correct)[:max_wrong]]
    for digit in range(10):
        chosen.append(np.flatnonzero(correct & (labels == digit))[:per_digit])
    return np.sort(np.concatenate(chosen))


def write_samples(folder: Path, images: np.ndarray, labels: np.ndarray) -> dict:
    """Write ``folder/samples.u8`` and the manifest's ``"samples"`` entry; returns the entry.

    ``images`` are MNIST's own uint8 pixels, (N, 28, 28) or (N, 784). Each file is replaced
    atomically, and the old entry is taken out of the manifest first, so a crash at any point
    leaves a valid export (at worst one without samples).
    """
    folder = Path(folder)
    images = np.asarray(images)
    digits = [int(d) for d in np.asarray(labels).reshape(-1)]
    if images.dtype != np.uint8 or images.size != len(images) * PIXELS or len(images) != len(digits):
        raise ValueError("images must be uint8, 784 pixels each, one per label")
    if not 1 <= len(digits) <= MAX_SAMPLES or not all(0 <= d <= 9 for d in digits):
        raise ValueError(f"need 1..{MAX_SAMPLES} samples with labels 0..9")
    entry = {"file": FILE, "count": len(digits), "labels": digits}
    manifest = _read_manifest(folder)
    if "samples" in manifest:
        _write_manifest(folder, {k: v for k, v in manifest.items() if k != "samples"})
    _write_atomically(folder / FILE, np.ascontiguousarray(images).tobytes())
    _write_manifest(folder, {**manifest, "samples": entry})
    return entry


def predict(folder: Path, images: np.ndarray) -> np.ndarray:
    """Digits the export's final snapshot reads, for (N, 28, 28) pixels in [0, 1], as the kiosk does."""
    try:
        timeline = load_timeline(folder)
    except ExportError:
        if "samples" not in _read_manifest(folder):
            raise
        _write_manifest(folder, {k: v for k, v in _read_manifest(folder).items() if k != "samples"})
        timeline = load_timeline(folder)  # broken samples are about to be replaced; anything else stays
    engine = Engine(timeline)
    pixels = np.asarray(images, dtype=np.float32).reshape(len(images), PIXELS)
    digits = []
    for batch in np.array_split(pixels, max(1, len(pixels) // 2000)):  # a few MB of activations at a time
        digits.append(engine.forward(batch, timeline.final_id)[-1].argmax(1))
    return np.concatenate(digits)


def add_samples(folder: Path, test_images: np.ndarray, test_labels: np.ndarray, **selection: int) -> dict:
    """Choose samples from the test set (uint8 pixels) with the export's final snapshot and write them.
    Returns the counts: ``{"count": ..., "wrong": ..., "test_errors": ...}``."""
    test_images, test_labels = np.asarray(test_images), np.asarray(test_labels)
    predicted = predict(folder, test_images.astype(np.float32) / np.float32(255))
    chosen = select_samples(test_labels, predicted, **selection)
    write_samples(folder, test_images[chosen], test_labels[chosen])
    return {
        "count": len(chosen),
        "wrong": int((predicted[chosen] != test_labels[chosen]).sum()),
        "test_errors": int((predicted != test_labels).sum()),
    }


def as_uint8(split: Split) -> tuple[np.ndarray, np.ndarray]:
    """A split of training/mnist.py back as MNIST's own uint8 pixels (N, 28, 28) (exact) and labels."""
    return (split.images * 255).round().byte().numpy(), split.labels.numpy()


def mnist_test_uint8(mnist_dir: Path | None, cache_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test set as uint8 pixels and labels, read by training/mnist.py."""
    from training.mnist import load_mnist  # torchvision: only when MNIST is read

    return as_uint8(load_mnist(mnist_dir, cache_dir)[1])


def _read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(folder: Path, manifest: dict) -> None:
    """As training/export.py writes it (indent 1), but the sample labels on one line, not 1,000."""
    samples = manifest.get("samples")
    if samples is None:
        text = json.dumps(manifest, indent=1)
    else:
        placeholder = '"@labels@"'
        text = json.dumps({**manifest, "samples": {**samples, "labels": "@labels@"}}, indent=1)
        text = text.replace(placeholder, json.dumps(samples["labels"], separators=(",", ":")), 1)
    _write_atomically(folder / "manifest.json", (text + "\n").encode())


def _write_atomically(path: Path, data: bytes) -> None:
    """Temporary file beside it, fsync, rename over it, fsync the folder: old or new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:  # open(), not mkstemp: the kiosk may run as another user
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--export", type=Path, default=Path("exports/mnist-mlp"), help="export folder")
    p.add_argument(
        "--mnist-dir",
        type=Path,
        default=os.environ.get("MNIST_DIR"),
        help="folder with the four MNIST .gz files (default: $MNIST_DIR, else download)",
    )
    p.add_argument("--cache-dir", type=Path, default=Path("data"), help="where MNIST is unpacked")
    p.add_argument("--per-digit", type=int, default=PER_DIGIT, help="correctly read samples per digit")
    p.add_argument("--max-wrong", type=int, default=MAX_WRONG, help="most wrongly read samples kept")
    args = p.parse_args(argv)
    if not (args.export / "manifest.json").is_file():
        raise SystemExit(f"{args.export}: no manifest.json (is this an nn-kiosk export folder?)")
    images, labels = mnist_test_uint8(args.mnist_dir, args.cache_dir)
    try:
        result = add_samples(args.export, images, labels, per_digit=args.per_digit, max_wrong=args.max_wrong)
    except (ExportError, ValueError) as e:
        raise SystemExit(f"{args.export}: {e}" if isinstance(e, ValueError) else str(e)) from None
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
