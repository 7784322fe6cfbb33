"""The MNIST digits a lesson needs, shipped with the export: offline exhibit PCs have no MNIST.

A lesson replays a few MNIST training digits beside the visitor's drawing, so the copy does not
forget everything else, and then measures what the lesson cost on the 10,000 MNIST test digits.
``manifest.json`` names them under ``"teaching"``:

    "teaching": {"images": "teaching.u8", "labels": "teaching-labels.u8", "test": 10000, "replay": 6000}

``teaching.u8`` holds ``test + replay`` images of 784 uint8 pixels, the test digits first;
``teaching-labels.u8`` one byte per image, its digit (format: docs/export-format.md). The entry is
checked when the export loads (``teaching_entry``); the files are read by the lesson worker
(``load_teaching_data``), which checks their sizes before reading them. Nothing here is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.model.errors import ExportError

PIXELS = 28 * 28
MAX_TEST = 10_000  # MNIST's test set
MAX_REPLAY = 60_000  # MNIST's training set


@dataclass(frozen=True)
class TeachingEntry:
    images: Path
    labels: Path
    test: int
    replay: int


@dataclass(frozen=True)
class TeachingData:
    test_images: np.ndarray  # (test, 784) uint8
    test_labels: np.ndarray  # (test,) int64
    replay_images: np.ndarray  # (replay, 784) uint8
    replay_labels: np.ndarray  # (replay,) int64


def teaching_entry(folder: Path, entry: object, where: str) -> TeachingEntry:
    """Check the manifest's ``"teaching"`` entry (``where`` names the manifest); ExportError if bad."""
    if not isinstance(entry, dict):
        raise ExportError(f"{where}: teaching must be an object with images, labels, test and replay")
    names = [_file_name(entry.get(key), f"{where}: teaching.{key}") for key in ("images", "labels")]
    counts = [
        _count(entry.get(key), most, f"{where}: teaching.{key}")
        for key, most in (("test", MAX_TEST), ("replay", MAX_REPLAY))
    ]
    return TeachingEntry(Path(folder) / names[0], Path(folder) / names[1], counts[0], counts[1])


def _file_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or "/" in value or "\\" in value or ".." in value:
        raise ExportError(f"{what} must be a plain file name in the export folder")
    return value


def _count(value: object, most: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
        raise ExportError(f"{what} must be a whole number in 1..{most}")
    return value


def load_teaching_data(entry: TeachingEntry) -> TeachingData:
    """Read and check both files; ExportError naming the file if either is wrong."""
    n = entry.test + entry.replay
    images = _read_exactly(entry.images, n * PIXELS, f"{n} images × {PIXELS} pixels")
    labels = _read_exactly(entry.labels, n, f"one byte per image ({n})")
    if labels.max() > 9:
        raise ExportError(f"{entry.labels}: labels must be digits 0..9")
    images = images.reshape(n, PIXELS)
    labels = labels.astype(np.int64)
    t = entry.test
    return TeachingData(images[:t], labels[:t], images[t:], labels[t:])


def _read_exactly(path: Path, size: int, what: str) -> np.ndarray:
    try:
        found = path.stat().st_size  # checked before reading: a wrong file may be huge
        if found != size:
            raise ExportError(f"{path}: holds {found} bytes; needs {size} ({what})")
        return np.frombuffer(path.read_bytes(), dtype=np.uint8)
    except OSError as e:
        raise ExportError(f"{path}: cannot be read: {e.strerror or e}") from None
