"""Load and validate a training-timeline export (format: docs/export-format.md).

A museum may train its own model, so nothing in an export is trusted: the format tag, the
architecture, every snapshot entry and every weight file are checked, and a broken export is
refused with a message naming the file and what is wrong.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

import numpy as np

from kiosk.model.errors import ExportError
from kiosk.model.samples import Samples, load_samples
from kiosk.teach.data import TeachingEntry, teaching_entry

FORMAT = "nn-kiosk-timeline/1"
ACTIVATIONS = ("relu", "tanh", "sigmoid", "softmax")
INPUT_SIZE = 28 * 28
MAX_LAYER_SIZE = 4096  # far above anything a screen can show; guards memory against a bad manifest


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    label: str
    images_seen: int
    test_accuracy: float
    train_loss: float | None
    file: str


Layers = list[tuple[np.ndarray, np.ndarray]]  # (weight out×in, bias out) per layer, float32


@dataclass
class Timeline:
    folder: Path
    name: str
    architecture: list[int]
    activations: list[str]
    mean: float
    std: float
    snapshots: list[SnapshotInfo]
    samples: Samples | None = field(default=None, repr=False)  # MNIST test digits, if the export has them
    teaching: TeachingEntry | None = field(default=None, repr=False)  # what lessons replay and measure
    _cache: dict[str, Layers] = field(default_factory=dict, repr=False)

    @property
    def final_id(self) -> str:
        return self.snapshots[-1].id

    def index_of(self, snapshot_id: str) -> int:
        for i, snap in enumerate(self.snapshots):
            if snap.id == snapshot_id:
                return i
        raise KeyError(snapshot_id)

    def layers(self, snapshot_id: str) -> Layers:
        """The weights of one snapshot as float32 arrays, read once and then cached."""
        if snapshot_id not in self._cache:
            snap = self.snapshots[self.index_of(snapshot_id)]
            self._cache[snapshot_id] = _read_layers(self.folder / snap.file, self.architecture)
        return self._cache[snapshot_id]


def load_timeline(folder: Path) -> Timeline:
    """Read ``folder/manifest.json`` and check every snapshot file; raise ExportError if broken."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    manifest = _read_manifest(manifest_path)
    where = str(manifest_path)
    if manifest.get("format") != FORMAT:
        raise ExportError(f"{where}: format must be {FORMAT!r}, found {manifest.get('format')!r}")
    architecture = _architecture(manifest.get("architecture"), where)
    activations = _activations(manifest.get("activations"), len(architecture) - 1, where)
    mean, std = _normalization(manifest.get("normalization"), where)
    snapshots = _snapshots(manifest.get("snapshots"), where)
    timeline = Timeline(
        folder=folder,
        name=_text(manifest.get("name", folder.name), f"{where}: name"),
        architecture=architecture,
        activations=activations,
        mean=mean,
        std=std,
        snapshots=snapshots,
    )
    for snap in snapshots:
        timeline.layers(snap.id)  # checks size and finiteness now, not in front of a visitor
    if "samples" in manifest:
        timeline.samples = load_samples(folder, manifest["samples"], where)
    if "teaching" in manifest:
        timeline.teaching = teaching_entry(folder, manifest["teaching"], where)
    return timeline


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{path}: not found (is this an nn-kiosk export folder?)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ExportError(f"{path}: cannot be read as JSON: {e}") from None
    if not isinstance(manifest, dict):
        raise ExportError(f"{path}: must hold a JSON object")
    return manifest


def _architecture(value: object, where: str) -> list[int]:
    if not isinstance(value, list) or len(value) < 2 or not all(_is_int(n) for n in value):
        raise ExportError(f"{where}: architecture must be a list of at least two layer sizes")
    if value[0] != INPUT_SIZE or value[-1] != 10:
        raise ExportError(
            f"{where}: architecture must start with {INPUT_SIZE} inputs and end with 10 outputs"
        )
    if not all(1 <= n <= MAX_LAYER_SIZE for n in value):
        raise ExportError(f"{where}: layer sizes must lie in 1..{MAX_LAYER_SIZE}")
    return list(value)


def _activations(value: object, layers: int, where: str) -> list[str]:
    if not isinstance(value, list) or len(value) != layers:
        raise ExportError(f"{where}: activations must list one function per layer ({layers})")
    if any(a not in ACTIVATIONS for a in value) or value[-1] != "softmax" or "softmax" in value[:-1]:
        raise ExportError(f"{where}: activations must be among {ACTIVATIONS}, softmax last and only there")
    return list(value)


def _normalization(value: object, where: str) -> tuple[float, float]:
    if not isinstance(value, dict) or not {"mean", "std"} <= value.keys():
        raise ExportError(f"{where}: normalization must be an object with mean and std")
    mean, std = value["mean"], value["std"]
    if not _is_finite(mean) or not _is_finite(std) or std <= 0:
        raise ExportError(f"{where}: normalization mean must be finite and std finite and > 0")
    return float(mean), float(std)


def _snapshots(value: object, where: str) -> list[SnapshotInfo]:
    if not isinstance(value, list) or not value:
        raise ExportError(f"{where}: snapshots must be a non-empty list")
    snapshots = [_snapshot(entry, f"{where}: snapshots[{i}]") for i, entry in enumerate(value)]
    ids = [s.id for s in snapshots]
    if len(set(ids)) != len(ids):
        raise ExportError(f"{where}: snapshot ids must be unique")
    return snapshots


def _snapshot(entry: object, where: str) -> SnapshotInfo:
    if not isinstance(entry, dict):
        raise ExportError(f"{where} must be an object")
    file = _text(entry.get("file"), f"{where}.file")
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise ExportError(f"{where}.file must be a path inside the export folder")
    images_seen = entry.get("images_seen")
    if not _is_int(images_seen) or images_seen < 0:
        raise ExportError(f"{where}.images_seen must be a whole number ≥ 0")
    accuracy = entry.get("test_accuracy")
    if not _is_finite(accuracy) or not 0 <= accuracy <= 1:
        raise ExportError(f"{where}.test_accuracy must be a number in 0..1")
    loss = entry.get("train_loss")
    if loss is not None and not _is_finite(loss):
        raise ExportError(f"{where}.train_loss must be a finite number or null")
    return SnapshotInfo(
        id=_text(entry.get("id"), f"{where}.id"),
        label=_text(entry.get("label"), f"{where}.label"),
        images_seen=images_seen,
        test_accuracy=float(accuracy),
        train_loss=None if loss is None else float(loss),
        file=file,
    )


def _read_layers(path: Path, architecture: list[int]) -> Layers:
    expected = sum(o * i + o for i, o in zip(architecture, architecture[1:], strict=False))
    try:
        size = path.stat().st_size  # checked before reading: a wrong file may be huge
        if size != 2 * expected:
            raise ExportError(
                f"{path}: holds {size} bytes; architecture {architecture} needs {2 * expected} "
                f"({expected} float16 values)"
            )
        raw = path.read_bytes()
    except OSError as e:
        raise ExportError(f"{path}: cannot be read: {e.strerror or e}") from None
    values = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    if not np.isfinite(values).all():
        raise ExportError(f"{path}: holds NaN or infinite values")
    layers, at = [], 0
    for n_in, n_out in zip(architecture, architecture[1:], strict=False):
        weight = values[at : at + n_out * n_in].reshape(n_out, n_in)
        at += n_out * n_in
        layers.append((weight, values[at : at + n_out]))
        at += n_out
    return layers


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ExportError(f"{where} must be a non-empty string")
    return value


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_finite(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
