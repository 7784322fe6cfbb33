"""Frame time of the exhibit screen in headless Chromium with software rendering (SwiftShader).

The real path end to end: a virtual tablet draws over WebRTC, the kiosk answers at up to
``tablet.predictions_per_second`` (30), the screen's event stream carries each activation to the
page, and the page's own frame metrics (display/js/metrics.js) give the frame intervals and how
many frames an activation waited before a frame showed it.

Side by side (``bench/run.py --only display``): this working tree and a baseline commit
(``baseline_tree``: ``git worktree add --detach``, removed afterwards, also on failure), each
served by its own kiosk process with the same venv, export and ``connections_per_neuron`` (24),
measured in alternating rounds (baseline, new, baseline, new, ...) so that the machine's noise
falls on both sides alike; the rounds of a side are pooled (``pooled``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.async_api import async_playwright

from kiosk.tablet.virtual import VirtualTablet

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BASELINE = "d20d009"  # the last commit before issue 12's work
SIZES = {"1080p": (1920, 1080), "4k": (3840, 2160)}
BROWSER_ARGS = [
    *("--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync"),
    *("--use-angle=swiftshader", "--enable-unsafe-swiftshader"),
]
FRAME_S = 1 / 60
STATS = """() => {
  const d = window.__display, m = d.metrics;
  return {intervals: [...m.intervals], events: m.eventToFrame.map(e => [e.ms, e.frames]),
          pixel_ratio: d.stage.renderer.getPixelRatio(), software: d.stage.software,
          lines_drawn: d.view?.lines?.drawn ?? null};
}"""


async def measure(
    base: str,
    credential: str | None,
    strokes: list,
    frames: int,
    warmup_s: float,
    viewport: tuple[int, int] = SIZES["1080p"],
) -> dict:
    """Frame statistics over ``frames`` frames; with a credential, a tablet draws all the while."""
    raw, elapsed = await measure_raw(base, credential, strokes, frames, warmup_s, viewport)
    return _summary(raw, elapsed)


async def measure_raw(
    base: str, credential: str | None, strokes: list, frames: int, warmup_s: float, viewport: tuple[int, int]
) -> tuple[dict, float]:
    """The page's raw frame intervals and event waits over ``frames`` frames, and the seconds taken."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        await page.goto(f"{base}/")
        await page.wait_for_function("() => window.__display?.view", timeout=60_000)
        drawing = asyncio.ensure_future(_keep_drawing(base, credential, strokes)) if credential else None
        try:
            await asyncio.sleep(warmup_s)  # the page settles on its resolution for this machine
            await page.evaluate("() => window.__display.metrics.reset()")
            started = time.perf_counter()
            deadline = started + 120
            while time.perf_counter() < deadline:
                await asyncio.sleep(1)
                count = await page.evaluate("() => window.__display.metrics.intervals.length")
                if count >= frames:
                    break
            elapsed = time.perf_counter() - started
            raw = await page.evaluate(STATS)
        finally:
            if drawing:
                drawing.cancel()
            await browser.close()
    return raw, elapsed


def pooled(raws: list[tuple[dict, float]]) -> dict:
    """One summary over several rounds: their intervals and event waits together."""
    merged = {
        "intervals": [ms for raw, _ in raws for ms in raw["intervals"]],
        "events": [event for raw, _ in raws for event in raw["events"]],
        **{key: raws[-1][0][key] for key in ("pixel_ratio", "software", "lines_drawn")},
    }
    return {"rounds": len(raws), **_summary(merged, sum(elapsed for _, elapsed in raws))}


def ratios(new: dict, old: dict) -> dict:
    """new / old for the figures the goals name (above 1: the new tree is slower)."""

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    def frames_waited(side: dict, key: str) -> float | None:
        return (side["event_to_frame_frames"] or {}).get(key)

    return {
        "frame_ms_median": ratio(new["frame_ms"]["median"], old["frame_ms"]["median"]),
        "frame_ms_p95": ratio(new["frame_ms"]["p95"], old["frame_ms"]["p95"]),
        "event_to_frame_frames_p95": ratio(frames_waited(new, "p95"), frames_waited(old, "p95")),
    }


@contextlib.contextmanager
def baseline_tree(commit: str) -> Iterator[Path]:
    """A detached checkout of ``commit`` (with this tree's display/node_modules), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="nn-kiosk-baseline-"))
    tree = folder / "tree"
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(tree), commit], check=True, capture_output=True)
    try:
        (tree / "display" / "node_modules").symlink_to(ROOT / "display" / "node_modules")
        yield tree
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False, capture_output=True)
        subprocess.run([*git, "worktree", "prune"], check=False, capture_output=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def revision(tree: Path) -> str:
    """The commit a tree is at, with "+changes" when its tracked files differ from it."""
    git = ["git", "-C", str(tree)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
    dirty = subprocess.run([*git, "diff", "--quiet", "HEAD"], capture_output=True).returncode
    return head.strip() + ("+changes" if dirty else "")


BLANK_PAGE = """<!doctype html><body style="margin:0;background:#0b1020"><script>
  window.intervals = []; let last = null;
  const frame = (now) => { if (last !== null) window.intervals.push(now - last); last = now;
                           requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
</script></body>"""


async def measure_blank_page(frames: int, viewport: tuple[int, int] = SIZES["1080p"]) -> dict:
    """The same browser drawing nothing: the floor this machine puts under any page's frame times."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        await page.set_content(BLANK_PAGE)
        await asyncio.sleep(2)
        await page.evaluate("() => { window.intervals.length = 0; }")
        while await page.evaluate("() => window.intervals.length") < frames:
            await asyncio.sleep(1)
        intervals = sorted(await page.evaluate("() => window.intervals"))
        await browser.close()
    return {"frames": len(intervals), "frame_ms": {"median": _pct(intervals, 50), "p95": _pct(intervals, 95)}}


async def _keep_drawing(base: str, credential: str, strokes: list) -> None:
    """Draw digit after digit, one batch of points per frame, as a visitor's pen moves."""
    tablet = VirtualTablet()
    await tablet.connect(base, credential)
    stroke_id = 0
    try:
        while True:
            for drawing in strokes:
                for points in drawing:
                    stroke_id += 1
                    tablet.send(type="stroke_begin", stroke=stroke_id, points=points[:1])
                    for point in points[1:]:
                        await asyncio.sleep(FRAME_S)
                        tablet.send(type="points", stroke=stroke_id, points=[point])
                    tablet.send(type="stroke_end", stroke=stroke_id)
                tablet.send(type="clear")
    finally:
        await tablet.close()


def _summary(raw: dict, elapsed: float) -> dict:
    intervals = sorted(raw["intervals"])
    waits = sorted(ms for ms, _ in raw["events"])
    frames_waited = sorted(frames for _, frames in raw["events"])
    return {
        "frames": len(intervals),
        "frame_ms": {"median": _pct(intervals, 50), "p95": _pct(intervals, 95), "max": intervals[-1]},
        # Frames that missed their vsync: p95 stays at one frame only while this is under 5 %.
        "late_share": round(sum(ms > 20 for ms in intervals) / len(intervals), 3),
        "activation_events": len(waits),
        "activations_per_s": round(len(waits) / elapsed, 1),
        "event_to_frame_ms": {"median": _pct(waits, 50), "p95": _pct(waits, 95)} if waits else None,
        "event_to_frame_frames": (
            {"median": _pct(frames_waited, 50), "p95": _pct(frames_waited, 95), "max": frames_waited[-1]}
            if waits
            else None
        ),
        "pixel_ratio": raw["pixel_ratio"],
        "software_renderer": raw["software"],
        "connection_lines_drawn": raw["lines_drawn"],
    }


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else values[-1], 2)


def load_strokes(pen_file: Path | None, count: int = 40) -> list:
    """Drawings (lists of strokes) to replay: pendigits when present, else simple shapes."""
    if pen_file:
        lines = pen_file.read_text().splitlines()[:count]
        return [[[p[:2] for p in stroke] for stroke in json.loads(line)["strokes"]] for line in lines]
    return [[[[x, 10 * x] for x in range(30)]], [[[10 * x, x * x] for x in range(30)]]]
