"""Write a training timeline in the nn-kiosk export format (see docs/export-format.md)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import torch

from kiosk.model.export import FORMAT, SnapshotInfo  # the format is defined where it is read


def snapshot_bytes(layers: list[torch.nn.Linear]) -> bytes:
    """Layer by layer: weight (out × in, row-major) then bias, as little-endian float16."""
    parts = []
    for layer in layers:
        parts.append(layer.weight.detach().reshape(-1))
        parts.append(layer.bias.detach().reshape(-1))
    return torch.cat(parts).to(torch.float16).numpy().astype("<f2").tobytes()


def write_timeline(
    folder: Path,
    *,
    name: str,
    architecture: list[int],
    activations: list[str],
    normalization: dict[str, float],
    snapshots: list[tuple[SnapshotInfo, bytes]],
    extra: dict | None = None,
) -> None:
    """Write the export into a temporary sibling folder, then swap it in: never half-written."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the kiosk may run as another user
    try:
        (tmp / "snapshots").mkdir()
        for snap, data in snapshots:
            (tmp / snap.file).write_bytes(data)
        manifest = {
            "format": FORMAT,
            "name": name,
            "architecture": architecture,
            "activations": activations,
            "normalization": normalization,
            "snapshots": [asdict(snap) for snap, _ in snapshots],
            **(extra or {}),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        _fsync_tree(tmp)
        old = folder.with_name(f".{folder.name}-old")
        if folder.exists():
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
        try:
            tmp.rename(folder)
        except BaseException:
            if old.exists():
                old.rename(folder)  # put the previous export back
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
