"""Real MNIST test digits shipped with an export, for the screen and the presenter to feed the network.

Exhibit PCs are offline and MNIST itself is not shipped, so an export may carry a few hundred of
its test images: ``manifest.json`` names them under ``"samples"`` and ``samples.u8`` holds their
pixels (format: docs/export-format.md). Like the rest of an export, nothing here is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.model.errors import ExportError

PIXELS = 28 * 28
MAX_SAMPLES = 10_000  # the whole MNIST test set; guards memory against a bad manifest


@dataclass(frozen=True)
class Samples:
    images: np.ndarray  # (N, 28, 28) float32 in [0, 1], 0 = background, as the engine takes them
    labels: np.ndarray  # (N,) int64, the true digit of each image

    def __len__(self) -> int:
        return len(self.labels)

    def indices_of_digit(self, digit: int) -> np.ndarray:
        """Positions of the samples showing ``digit``, in order."""
        return np.flatnonzero(self.labels == digit)


def load_samples(folder: Path, entry: object, where: str) -> Samples:
    """Check the manifest's ``"samples"`` entry and read its file; ``where`` names the manifest.

    Raises ExportError naming the manifest (for a bad entry) or the samples file (for bad bytes).
    """
    if not isinstance(entry, dict):
        raise ExportError(f"{where}: samples must be an object with file, count and labels")
    file = entry.get("file")
    if not isinstance(file, str) or not file or "/" in file or "\\" in file or ".." in file:
        raise ExportError(f"{where}: samples.file must be a plain file name in the export folder")
    count = entry.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_SAMPLES:
        raise ExportError(f"{where}: samples.count must be a whole number in 1..{MAX_SAMPLES}")
    labels = entry.get("labels")
    if not isinstance(labels, list) or len(labels) != count:
        found = len(labels) if isinstance(labels, list) else type(labels).__name__
        raise ExportError(f"{where}: samples.labels must list one label per sample ({count}), found {found}")
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 9 for d in labels):
        raise ExportError(f"{where}: samples.labels must be digits 0..9")
    path = Path(folder) / file
    try:
        size = path.stat().st_size  # checked before reading: a wrong file may be huge
        if size != count * PIXELS:
            raise ExportError(
                f"{path}: holds {size} bytes; {count} samples need {count * PIXELS} "
                f"({count} × {PIXELS} pixels)"
            )
        raw = path.read_bytes()
    except OSError as e:
        raise ExportError(f"{path}: cannot be read: {e.strerror or e}") from None
    images = np.frombuffer(raw, dtype=np.uint8).reshape(count, 28, 28).astype(np.float32) / np.float32(255)
    labels = np.array(labels, dtype=np.int64)
    images.setflags(write=False)  # shared by every request: nobody may draw on them
    labels.setflags(write=False)
    return Samples(images=images, labels=labels)
