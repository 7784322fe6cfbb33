"""Replay a stroke file through the rasteriser and the model, and report how well it did.

    python -m kiosk.replay FILE [--export DIR] [--snapshot ID] [--json]
    python -m kiosk.replay FILE --webrtc URL --credential C [--realtime | --speed X] [--json]

Prints accuracy, per-digit accuracy, the commonest confusions and the latency: of rasterise +
infer here, or with ``--webrtc`` (a virtual tablet over a real data channel to a running exhibit)
the round trip from the last stroke message to its prediction.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kiosk.model.engine import Engine, UnknownSnapshot
from kiosk.model.export import ExportError, load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.strokefile import BadLine, Sample, read_stroke_file
from kiosk.tablet.virtual import VirtualTablet, VirtualTabletError

DEFAULT_EXPORT = Path(__file__).resolve().parent.parent / "exports" / "mnist-mlp"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m kiosk.replay", description=__doc__.split("\n")[0])
    p.add_argument("file", type=Path, help="stroke file (JSON lines)")
    p.add_argument("--export", type=Path, default=DEFAULT_EXPORT, help="export folder (default: shipped)")
    p.add_argument("--snapshot", default=None, help="snapshot id (default: the final one)")
    p.add_argument("--webrtc", metavar="URL", help="a running exhibit, e.g. http://127.0.0.1:8080")
    p.add_argument("--credential", help="with --webrtc: a paired tablet's credential")
    timing = p.add_mutually_exclusive_group()
    timing.add_argument("--realtime", action="store_true", help="with --webrtc: draw at the pen's pace")
    timing.add_argument("--speed", type=float, help="with --webrtc: draw at the pen's pace times X")
    p.add_argument("--json", action="store_true", help="print one JSON report")
    return p.parse_args(argv)


@dataclass
class Tally:
    per_label: dict[int, list[int]] = field(default_factory=lambda: {d: [0, 0] for d in range(10)})
    confusions: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: int = 0
    unlabelled: int = 0

    def bad_line(self, item: BadLine) -> None:
        self.skipped += 1
        self.errors.append(f"line {item.line}: {item.error}")

    def answer(self, item: Sample, digit: int, *ms: float) -> None:
        self.latencies.extend(ms)
        self.unlabelled += item.label is None
        if item.label is not None:
            self.per_label[item.label][0] += 1
            self.per_label[item.label][1] += digit == item.label
            if digit != item.label:
                self.confusions[f"{item.label}->{digit}"] += 1

    def report(self, latency_key: str = "latency_ms") -> dict:
        labelled = sum(n for n, _ in self.per_label.values())
        correct = sum(c for _, c in self.per_label.values())
        lat = np.array(self.latencies) if self.latencies else np.zeros(1)
        return {
            "samples": sum(n for n, _ in self.per_label.values()) + self.unlabelled,
            "skipped": self.skipped,
            "accuracy": round(correct / labelled, 4) if labelled else None,
            "per_label": {str(d): round(c / n, 4) for d, (n, c) in self.per_label.items() if n},
            "confusions": dict(self.confusions.most_common(12)),
            latency_key: {
                "p50": round(float(np.percentile(lat, 50)), 3),
                "p99": round(float(np.percentile(lat, 99)), 3),
            },
            "errors": self.errors[:10],
        }


def replay(path: Path, engine: Engine, snapshot: str | None = None) -> dict:
    """Run every sample of a stroke file through rasteriser and engine here; returns the report."""
    tally = Tally()
    for item in read_stroke_file(path):
        if isinstance(item, BadLine):
            tally.bad_line(item)
            continue
        start = time.perf_counter()
        digit = engine.infer(rasterise(item.drawing), snapshot).digit
        tally.answer(item, digit, (time.perf_counter() - start) * 1000)
    return tally.report()


async def replay_webrtc(path: Path, url: str, credential: str, speed: float | None = None) -> dict:
    """Draw every sample on a running exhibit as a virtual tablet; returns the report."""
    tally, tablet = Tally(), VirtualTablet()
    await tablet.connect(url, credential)
    try:
        for item in read_stroke_file(path):
            if isinstance(item, BadLine):
                tally.bad_line(item)
                continue
            prediction, round_trips = await tablet.draw(item.raw_strokes, speed)
            tally.answer(item, prediction["digit"], *round_trips)
            await asyncio.sleep(0.05)  # the next visitor: past the exhibit's answer-rate limit
    finally:
        await tablet.close()
    return tally.report("round_trip_ms")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.webrtc:
            if not args.credential:
                raise VirtualTabletError("--webrtc needs --credential (a paired tablet's)")
            speed = 1.0 if args.realtime else args.speed
            report = asyncio.run(replay_webrtc(args.file, args.webrtc, args.credential, speed))
        else:
            report = replay(args.file, Engine(load_timeline(args.export)), args.snapshot)
    except (ExportError, UnknownSnapshot, VirtualTabletError, OSError, TimeoutError) as e:
        print(f"replay: {e or type(e).__name__}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['samples']} samples, accuracy {report['accuracy']}, skipped {report['skipped']}")
        print("per digit:", report["per_label"])
        print("confusions:", report["confusions"])
        latency = "round_trip_ms" if args.webrtc else "latency_ms"
        print(f"{latency}:", report[latency])
    return 0


if __name__ == "__main__":
    sys.exit(main())
