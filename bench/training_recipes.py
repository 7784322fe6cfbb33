"""The retraining run beside the previous `make train`, in the same process run (issue 15).

Both recipes train on MNIST (``$MNIST_DIR`` or ../shared/data/mnist), each for as many epochs as
its own `make train` runs (``epochs=None``: the previous 50, the new 80) or for the same few, each
to its own export in a temporary folder under ``out_dir``; for each: wall time (the pools'
augmentation included), images per second, the MNIST test accuracy and, where the pen-drawn
digits are at hand (``$PEN_FILE`` or ../shared/data/pen/pendigits-train.jsonl), the share of them
read right. Without MNIST the benchmark says "skipped".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.replay import replay
from training import train

ROOT = Path(__file__).resolve().parent.parent
EPOCHS = 2


def run(out_dir: Path, epochs: int | None = EPOCHS) -> dict:
    mnist = Path(os.environ.get("MNIST_DIR") or ROOT.parent / "shared/data/mnist")
    if not (mnist / "train-images-idx3-ubyte.gz").is_file():
        return {"skipped": "no MNIST"}
    pen = Path(
        os.environ.get("PEN_FILE") or ROOT.parent / "shared" / "data" / "pen" / "pendigits-train.jsonl"
    )
    common = ["--mnist-dir", str(mnist), "--cache-dir", str(ROOT / "data")]
    common += [] if epochs is None else ["--epochs", str(epochs)]
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        previous = _one(Path(tmp) / "previous", [*train.PREVIOUS_RECIPE, *common], pen)  # our epochs
        new = _one(Path(tmp) / "new", common, pen)
    return {
        "what": "make train's recipe before and after issue 15, same run, "
        + ("each its whole make train run" if epochs is None else f"{epochs} epochs each"),
        "previous": previous,
        "new": new,
        "wall_ratio_new_vs_previous": round(new["wall_s"] / previous["wall_s"], 2),
        "images_per_s_ratio_new_vs_previous": round(new["images_per_s"] / previous["images_per_s"], 2),
    }


def _one(out: Path, argv: list[str], pen: Path) -> dict:
    result = train.main([*argv, "--out", str(out)])
    figures = {k: result[k] for k in ("wall_s", "images_per_s", "images", "final_test_accuracy")}
    if pen.is_file():
        figures["pen_accuracy"] = replay(pen, Engine(load_timeline(out)))["accuracy"]
    return figures
