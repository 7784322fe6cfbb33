"""A tiny valid model export, written straight from docs/export-format.md, and a manifest editor.

    folder = write_tiny_export(tmp_path / "tiny-export")    # [784, 16, 10], snapshots start/mid/end
    rewrite_manifest(folder, lambda manifest: manifest.update(name="other"))

Written with numpy only, independent of training/export.py, so it also checks that the reader
and the format description agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

TINY_ARCHITECTURE = [784, 16, 10]
TINY_ACTIVATIONS = ["relu", "softmax"]
TINY_SNAPSHOTS = ["start", "mid", "end"]


def write_tiny_export(folder: Path, seed: int = 0) -> Path:
    """An export with random weights: manifest.json + one f16 file a snapshot, in ``folder``."""
    rng = np.random.default_rng(seed)
    (folder / "snapshots").mkdir(parents=True)
    entries = []
    for i, snapshot_id in enumerate(TINY_SNAPSHOTS):
        values = []
        for n_in, n_out in zip(TINY_ARCHITECTURE, TINY_ARCHITECTURE[1:], strict=False):
            values.append(rng.normal(0, 0.1, size=(n_out, n_in)).ravel())  # W, out x in, row-major
            values.append(rng.normal(0, 0.1, size=n_out))  # bias
        file = f"snapshots/{i:03d}.f16"
        np.concatenate(values).astype("<f2").tofile(folder / file)
        entries.append(
            {
                "id": snapshot_id,
                "label": f"after {i * 1000} images",
                "images_seen": i * 1000,
                "test_accuracy": 0.1 + 0.3 * i,
                "train_loss": None if i == 0 else 2.3 / (i + 1),
                "file": file,
            }
        )
    manifest = {
        "format": "nn-kiosk-timeline/1",
        "name": "tiny-test",
        "architecture": TINY_ARCHITECTURE,
        "activations": TINY_ACTIVATIONS,
        "normalization": {"mean": 0.1307, "std": 0.3081},
        "snapshots": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def rewrite_manifest(folder: Path, change: Callable[[dict], object]) -> None:
    """Apply ``change(manifest_dict)`` to ``folder/manifest.json`` in place (json.dumps writes NaN as NaN)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")
