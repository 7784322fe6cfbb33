"""Replay a stroke file through the rasteriser and the model, and report how well it did.

    python -m kiosk.replay FILE [--export DIR] [--snapshot ID] [--json]

Prints accuracy, per-digit accuracy, the commonest confusions and rasterise + infer latency.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from kiosk.model.engine import Engine, UnknownSnapshot
from kiosk.model.export import ExportError, load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.strokefile import BadLine, read_stroke_file

DEFAULT_EXPORT = Path(__file__).resolve().parent.parent / "exports" / "mnist-mlp"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m kiosk.replay", description=__doc__.split("\n")[0])
    p.add_argument("file", type=Path, help="stroke file (JSON lines)")
    p.add_argument("--export", type=Path, default=DEFAULT_EXPORT, help="export folder (default: shipped)")
    p.add_argument("--snapshot", default=None, help="snapshot id (default: the final one)")
    p.add_argument("--json", action="store_true", help="print one JSON report")
    return p.parse_args(argv)


def replay(path: Path, engine: Engine, snapshot: str | None = None) -> dict:
    """Run every sample of a stroke file; returns the report."""
    per_label: dict[int, list[int]] = {d: [0, 0] for d in range(10)}  # [samples, correct]
    confusions: Counter[str] = Counter()
    latencies, skipped, errors = [], 0, []
    for item in read_stroke_file(path):
        if isinstance(item, BadLine):
            skipped += 1
            errors.append(f"line {item.line}: {item.error}")
            continue
        start = time.perf_counter()
        result = engine.infer(rasterise(item.drawing), snapshot)
        latencies.append((time.perf_counter() - start) * 1000)
        if item.label is not None:
            per_label[item.label][0] += 1
            per_label[item.label][1] += result.digit == item.label
            if result.digit != item.label:
                confusions[f"{item.label}->{result.digit}"] += 1
    return _report(per_label, confusions, latencies, skipped, errors)


def _report(per_label, confusions, latencies, skipped, errors) -> dict:
    labelled = sum(n for n, _ in per_label.values())
    correct = sum(c for _, c in per_label.values())
    lat = np.array(latencies) if latencies else np.zeros(1)
    return {
        "samples": len(latencies),
        "skipped": skipped,
        "accuracy": round(correct / labelled, 4) if labelled else None,
        "per_label": {str(d): round(c / n, 4) for d, (n, c) in per_label.items() if n},
        "confusions": dict(confusions.most_common(12)),
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 3),
            "p99": round(float(np.percentile(lat, 99)), 3),
        },
        "errors": errors[:10],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        engine = Engine(load_timeline(args.export))
        report = replay(args.file, engine, args.snapshot)
    except (ExportError, UnknownSnapshot, OSError) as e:
        print(f"replay: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['samples']} samples, accuracy {report['accuracy']}, skipped {report['skipped']}")
        print("per digit:", report["per_label"])
        print("confusions:", report["confusions"])
        print("latency ms:", report["latency_ms"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
