"""Run the benchmarks and write one JSON file each into ``--out``.

    python -m bench.run --out bench/results [--only latency|training] [--quick]

- latency: rasterise + infer per drawing over a stroke file (pendigits when present), p50/p99.
- round_trip: a stroke message to its prediction over a real WebRTC data channel, p50/p99.
- takeover: a visitor's first touch (a pen message over WebRTC) to ``scene: live`` on a screen's
  event stream, while the attract playlist runs; every touch after the playlist came back.
- display: the exhibit screen's frame time in headless Chromium (SwiftShader) at 1920×1080 and
  3840×2160 while a virtual tablet draws (activations at up to 30 Hz), this tree side by side with
  ``--baseline`` (default d20d009) in ``--rounds`` alternating rounds; new/old ratios.
- pointer_latency: the tablet page's pointer event to the screen's frame that shows its answer,
  both pages in one headless Chromium, the kiosk between them, pendigits drawn in real time
  (bench/pointer_latency.py), p50/p95.
- playground: seconds until spiral reaches 90 % test accuracy with the stream running, boundary
  frames per second to 10 screens, and recognition p99 while a playground run trains vs. idle.
- network_matrix: the tablet page in Firefox ESR and Chromium across two network namespaces (mDNS
  blocked): stroke round trips at 0 and 5 % loss, reconnection after kill -9 + restart and after a
  10 s link drop (bench/network_matrix.py; says "skipped" where namespaces cannot be made).
- soak_pairs: 300 tablets paired, connected, drawing and hung up (revoked 50 later) against one exhibit
  process; live peers, resident memory and open files at start and end (bench/soak_pairs.py).
- seat_release: how long a tablet that never connects, or falls silent, keeps the only drawing seat
  from the next one, with the shipped 10 s timeouts (bench/seat_release.py).
- training: the full timeline run (make train's epochs), side by side with the classic DataLoader
  pipeline over a couple of epochs, and ours over the same epochs, as a ratio of images per second.
- training_recipes: `make train`'s recipe before issue 15 and now, each its whole run, in the same
  run: wall time, images/s, MNIST test and pendigits accuracy (bench/training_recipes.py).
- lesson_correction, recognition_during_lesson, numpy_vs_pytorch (bench/lesson.py): a visitor's
  correction to the screen's first lesson event and to "learned"; recognition p99 while lessons
  run vs. idle; the engine's PyTorch forward pass vs. the numpy one it replaced.
Run on an otherwise idle machine: these are wall-clock figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import torch

from bench import display_frames, network_matrix, pointer_latency, training_recipes
from bench import lesson as lesson_bench
from bench import playground as playground_bench
from bench.classic_pipeline import train_classic
from bench.seat_release import bench_seat_release
from bench.soak_pairs import bench_soak_pairs
from bench.takeover import bench_takeover
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.replay import DEFAULT_EXPORT, replay, replay_webrtc
from tools.exhibit_process import QUIET_PLAYLIST, ExhibitProcess
from training import train

ROOT = Path(__file__).resolve().parent.parent
DRAWING_HZ = 30  # the display benchmark's answers a second, old and new
PER_NEURON = 24  # connections drawn per neuron in the display benchmark (the shipped default)
NO_WORSE = 1.1  # new/old ratio still counted as "no worse": rounds on a shared machine vary this much


def bench_latency(pen_file: Path | None) -> dict:
    engine = Engine(load_timeline(DEFAULT_EXPORT))
    with tempfile.TemporaryDirectory() as tmp:
        source = pen_file or _synthetic_stroke_file(Path(tmp) / "synthetic.jsonl")
        replay(source, engine)  # warm-up: first calls pay for allocation and caches
        report = replay(source, engine)
    return {
        "what": "rasterise + infer per drawing (kiosk.replay), shipped model, final snapshot",
        "source": str(source if pen_file else "synthetic drawings"),
        "samples": report["samples"],
        "accuracy": report["accuracy"],
        "latency_ms": report["latency_ms"],
        "goal": {"p99_ms_at_most": 2.0},
        "met": report["latency_ms"]["p99"] <= 2.0,
    }


def bench_training(mnist_dir: Path | None, epochs_for_ratio: int, full_epochs: int) -> dict:
    """The shipped recipe's full timeline run, and the classic pipeline's speed over a few epochs.

    The classic pipeline runs at a steady rate, so a couple of epochs measure it; ours pays for
    its augmented pools up front, so it is measured over the whole run it is used for. The plain
    in-memory run (no augmentation) over the same few epochs does the classic run's exact maths.
    """
    cache = ROOT / "data"
    common = ["--cache-dir", str(cache)] + (["--mnist-dir", str(mnist_dir)] if mnist_dir else [])
    with tempfile.TemporaryDirectory() as tmp:
        classic = train_classic(mnist_dir, cache, epochs_for_ratio, batch_size=256)
        short = ["--epochs", str(epochs_for_ratio), "--augment", "0", "--out", f"{tmp}/plain"]
        plain = train.main([*common, *short])
        full = train.main([*common, "--epochs", str(full_epochs), "--out", f"{tmp}/full"])
    speedup = full["images_per_s"] / classic["images_per_s"]
    return {
        "what": "MNIST training, 784-128-64-10, Adam, batch 256, cosine learning rate",
        "ours_full_timeline": {"epochs": full_epochs, **full},
        "classic_dataloader": classic,
        "classic_projected_full_wall_s": round(full["images"] / classic["images_per_s"]),
        "ours_plain_same_epochs_as_classic": {"epochs": epochs_for_ratio, **plain},
        "speedup_full_vs_classic": round(speedup, 1),
        "speedup_plain_vs_classic": round(plain["images_per_s"] / classic["images_per_s"], 1),
        "goal": {"speedup_at_least": 10},
        "met": speedup >= 10 and full["final_test_accuracy"] >= classic["final_test_accuracy"],
    }


def bench_round_trip(pen_file: Path | None, samples: int) -> dict:
    """Stroke message → prediction over a real data channel on loopback, via the virtual tablet."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "strokes.jsonl"
        lines = (pen_file or _synthetic_stroke_file(Path(tmp) / "synthetic.jsonl")).read_text().splitlines()
        source.write_text("\n".join(lines[:samples]) + "\n")
        with running_exhibit(Path(tmp)) as (base, credential):
            report = asyncio.run(replay_webrtc(source, base, credential))
    trip = report["round_trip_ms"]
    return {
        "what": "last stroke message → its prediction, aiortc data channel, loopback (kiosk.replay --webrtc)",
        "source": str(pen_file or "synthetic drawings"),
        "samples": report["samples"],
        "accuracy": report["accuracy"],
        "round_trip_ms": trip,
        "goal": {"p50_ms_at_most": 5, "p99_ms_at_most": 15},
        "met": trip["p50"] <= 5 and trip["p99"] <= 15,
    }


def bench_display(pen_file: Path | None, frames: int, baseline: str, rounds: int) -> dict:
    """Frame time and event-to-frame delay of the screen while a visitor draws, this tree and
    ``baseline`` side by side in alternating rounds, at 1080p and 4K (bench/display_frames.py)."""
    strokes = display_frames.load_strokes(pen_file)
    per_round = max(60, frames // (rounds // 2 or 1))
    sizes = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        display_frames.baseline_tree(baseline) as old_root,
        # Both quiet: one side's playground must not train while the other side is measured.
        # ~30 answers a second on both sides, as this benchmark has always measured (the shipped
        # default is now 60: pointer_latency).
        running_exhibit(Path(tmp) / "new", ROOT, PER_NEURON, quiet=True, answers_per_s=DRAWING_HZ) as new,
        running_exhibit(Path(tmp) / "old", old_root, PER_NEURON, quiet=True, answers_per_s=DRAWING_HZ) as old,
    ):
        for size, viewport in display_frames.SIZES.items():
            raws = {"old": [], "new": []}
            for i in range(rounds):  # old, new, old, new, ...: the machine's drift falls on both
                side, (base, credential) = ("old", old) if i % 2 == 0 else ("new", new)
                run = display_frames.measure_raw(base, credential, strokes, per_round, 8, viewport)
                raws[side].append(asyncio.run(run))
            result = {side: display_frames.pooled(raws[side]) for side in ("new", "old")}
            blank = asyncio.run(display_frames.measure_blank_page(per_round, viewport))
            sizes[size] = {**result, "new_over_old": display_frames.ratios(result["new"], result["old"])}
            sizes[size]["blank_page_baseline"] = blank
    goal = {"median_ms_at_most": 16.7, "p95_ms_at_most": 33, "event_to_frame_frames_at_most": 1}
    return {
        "what": f"rAF frame intervals while a virtual tablet draws (~30 answers/s), Chromium + SwiftShader, "
        f"N={PER_NEURON} connections per neuron; this tree vs. {baseline}, {rounds} alternating rounds",
        "new": display_frames.revision(ROOT),
        "old": baseline,
        "sizes": sizes,
        "goal": {**goal, "new_over_old_at_most": NO_WORSE},
        "met_1080p": _display_met(sizes["1080p"]),
        "met_4k": _display_met(sizes["4k"]),
    }


def bench_pointer_latency(pen_file: Path | None, drawings: int, answers_per_s: int | None = None) -> dict:
    """Tablet page pointer event to the screen's frame showing its answer (bench/pointer_latency.py).

    ``answers_per_s``: the kiosk's ``tablet.predictions_per_second`` (None: the shipped default)."""
    chosen, source = pointer_latency.load_drawings(pen_file, drawings)
    tablet = {"predictions_per_second": answers_per_s} if answers_per_s else {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        ExhibitProcess(Path(tmp), DEFAULT_EXPORT, tablet=tablet, settings=QUIET_PLAYLIST) as exhibit,
    ):
        code = exhibit.pairing_code()
        base = exhibit.base
        result = asyncio.run(pointer_latency.measure(base, code, chosen, source))
    return {
        "what": "tablet page pointer event -> the screen's first frame after its answer; both pages in one "
        "headless Chromium (SwiftShader, screen 1920x1080), the real kiosk between them",
        "predictions_per_second": answers_per_s or "default",
        **result,
    }


def _display_met(size: dict) -> dict:
    """Each goal on its own: the absolute ones for the new tree, and no worse than the old one."""
    new, ratios = size["new"], size["new_over_old"]
    frames_waited = (new["event_to_frame_frames"] or {"p95": 99})["p95"]
    return {
        "median": new["frame_ms"]["median"] <= 16.7,
        "p95": new["frame_ms"]["p95"] <= 33,
        "event_to_frame": frames_waited <= 1,
        "no_worse": all(r is not None and r <= NO_WORSE for r in ratios.values()),
    }


def bench_playground(pen_file: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp, ExhibitProcess(Path(tmp), DEFAULT_EXPORT) as exhibit:
        base, token = exhibit.base, exhibit.admin_token
        _wait_for_playground(base)
        source = pen_file or _synthetic_stroke_file(Path(tmp) / "synthetic.jsonl")
        learn = asyncio.run(playground_bench.time_to_accuracy(base, token))
        frames = asyncio.run(playground_bench.boundary_rate(base, token))
        recognition = playground_bench.recognition_while_training(base, token, source)
    return {
        "what": "playground: spiral to 90 % test accuracy (stream running), boundary frames to 10 screens "
        "(64x64), rasterise + infer p99 while training vs idle",
        "spiral_to_90_percent": learn,
        "boundary_frames": frames,
        "recognition": recognition,
        "goal": {
            "spiral_seconds_at_most": 10,
            "boundary_frames_per_s_at_least": 20,
            "recognition_ratio_at_most": 2,
        },
        "met": learn["test_accuracy"] >= 0.9
        and learn["seconds"] <= 10
        and frames["min_per_s"] >= 20
        and recognition["ratio"] <= 2,
    }


def _wait_for_playground(base: str, seconds: float = 60) -> None:
    """Until the exhibit's training process has PyTorch loaded (as on an exhibit that has been up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            if json.loads(response.read())["playground"]["worker"] == "ready":
                return
        time.sleep(0.2)
    raise RuntimeError("the playground's training process did not start")


@contextlib.contextmanager
def running_exhibit(
    folder: Path,
    root: Path = ROOT,
    per_neuron: int | None = None,
    quiet: bool = False,
    answers_per_s: int | None = None,
):
    """The exhibit (tools/exhibit_process.py) from ``root`` (this tree, or another checkout run with
    the same venv and export) on a free loopback port with a paired tablet: (base URL, credential).
    ``quiet``: the attract playlist is the timeline alone (no playground training on the CPU
    meanwhile). ``answers_per_s``: the tablet's ``predictions_per_second`` (default: the config's own)."""
    settings = (f"display:\n  connections_per_neuron: {per_neuron}\n" if per_neuron else "") + (
        QUIET_PLAYLIST if quiet else ""
    )
    tablet = {"predictions_per_second": answers_per_s} if answers_per_s else {}
    with ExhibitProcess(folder, DEFAULT_EXPORT, tablet=tablet, settings=settings, root=root) as exhibit:
        yield exhibit.base, exhibit.pair("bench")["credential"]


def _synthetic_stroke_file(path: Path) -> Path:
    """Circles and lines in varied sizes, when the pendigits file is not at hand."""
    lines = []
    for i in range(500):
        r = 10 + i % 90
        turn = [a / 20 * math.tau for a in range(21)]
        circle = [[r * math.cos(t), r * math.sin(t), k * 10] for k, t in enumerate(turn)]
        line = [[0, 0, 0], [i % 7, 3 * r, 100]]
        lines.append(json.dumps({"label": 0 if i % 2 else 1, "strokes": [circle if i % 2 else line]}))
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument(
        "--only",
        choices=(
            *("latency", "round_trip", "takeover", "display", "pointer_latency", "playground"),
            *("network_matrix", "soak_pairs"),
            *("seat_release", "training"),
            *("lesson_correction", "recognition_during_lesson", "numpy_vs_pytorch", "training_recipes"),
        ),
    )
    p.add_argument("--quick", action="store_true", help="1-epoch ratio run and a 2-epoch 'full' run")
    p.add_argument("--baseline", default=display_frames.BASELINE, help="display: the commit to compare with")
    p.add_argument("--rounds", type=int, default=4, help="display: alternating rounds, old first (even)")
    args = p.parse_args(argv)
    if args.rounds < 2 or args.rounds % 2:
        p.error("--rounds must be even and at least 2: as many rounds for each side")
    pen = os.environ.get("PEN_FILE") or str(ROOT.parent / "shared/data/pen/pendigits-train.jsonl")
    mnist = os.environ.get("MNIST_DIR") or str(ROOT.parent / "shared/data/mnist")
    pen_file = Path(pen) if Path(pen).is_file() else None
    mnist_dir = Path(mnist) if Path(mnist).is_dir() else None
    args.out.mkdir(parents=True, exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    runs = {
        "latency": lambda: bench_latency(pen_file),
        "round_trip": lambda: bench_round_trip(pen_file, 200 if args.quick else 1000),
        "takeover": lambda: bench_takeover(DEFAULT_EXPORT, 5 if args.quick else 20),
        "display": lambda: bench_display(pen_file, 300 if args.quick else 600, args.baseline, args.rounds),
        "pointer_latency": lambda: bench_pointer_latency(pen_file, 40 if args.quick else 240),
        "playground": lambda: bench_playground(pen_file),
        "network_matrix": lambda: network_matrix.bench_network_matrix(
            DEFAULT_EXPORT,
            digits=4 if args.quick else 10,
            restarts=1 if args.quick else 3,
            drops=1 if args.quick else 2,
            down_s=10,
            budget_s=150 if args.quick else 300,
        ),
        "soak_pairs": lambda: bench_soak_pairs(cycles=60 if args.quick else 300, max_seconds=300),
        "seat_release": bench_seat_release,
        "training": lambda: bench_training(
            mnist_dir, 1 if args.quick else 2, 2 if args.quick else train.parse_args([]).epochs
        ),
        "lesson_correction": lambda: lesson_bench.bench_correction(
            DEFAULT_EXPORT, pen_file, 5 if args.quick else 20
        ),
        "recognition_during_lesson": lambda: lesson_bench.bench_recognition_during_lesson(
            DEFAULT_EXPORT, pen_file
        ),
        "numpy_vs_pytorch": lambda: lesson_bench.bench_numpy_vs_pytorch(DEFAULT_EXPORT, pen_file),
        "training_recipes": lambda: training_recipes.run(ROOT / "data" / "bench", 1 if args.quick else None),
    }
    for name, run in runs.items():
        if args.only in (None, name):
            result = {"benchmark": name, "machine": machine, **run()}
            (args.out / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
