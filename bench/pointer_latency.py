"""The figure a visitor feels: from a pointer event on the tablet page to the screen's frame that
shows the answer it led to.

One headless Chromium (SwiftShader) holds both pages, in two contexts: the exhibit screen (``/``,
1920×1080) and the tablet page (``/tablet``, 1024×768), paired for real with a one-time code and
connected over WebRTC to the real kiosk (``python -m kiosk``). Pendigits drawings (``$PEN_FILE``;
without it, synthetic strokes, and the result says so) are replayed as mouse drags on the tablet's
drawing surface (Playwright's mouse: CDP ``Input.dispatchMouseEvent``), each stroke at the pace of
its recorded ``t_ms``, 120 ms between strokes, the surface cleared between drawings.

Both pages share the browser's clock (``performance.timeOrigin + performance.now()``). Matching a
frame to the pointer events behind it needs no change to the server:

- Tablet page: each pointer event on the surface is logged with its ``event.timeStamp``; each
  message that changes the drawing gets the drawing's revision, counted as the exhibit counts it
  (tests/support/tablet_remote.py's watcher), so a pointer event belongs to the revision of the first
  such message sent after it; each answer (``prediction``) carries ``seq``, the revision it
  answers, and its probabilities.
- Screen: each ``activation`` event is logged as it arrives, with its probabilities, and the time
  the page finished the first frame after it (display/js/metrics.js ``frameRendered``: the
  frames the display benchmark counts).
- The exhibit sends the answer to the tablet and publishes the same result to the screen in one
  call, in the same order: a screen activation is the next tablet answer with the same digit and
  probabilities (within rounding).

Per answer shown: ``from_oldest_pointer_ms``, from the oldest pointer event it is the first to
show (the ink that waited longest for it; includes the exhibit answering at most 30 times a
second) to its frame, and ``from_newest_pointer_ms``, from the newest pointer event it covers;
``stages_ms`` splits the latter: pointer event → the page sends it (the surface sends once a
frame) → the screen's event arrives → the screen's frame. Goal: p95 of ``from_oldest_pointer_ms``
≤ 50 ms.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from playwright.async_api import Page, async_playwright

from bench.display_frames import BROWSER_ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
STROKE_GAP_S = 0.12
SETTLE_S = 0.4  # after a drawing, before clearing: its last answer reaches the screen
CLEAR_S = 0.2
GOAL_P95_MS = 50
SCREEN_HOOK = """(() => {
  window.__latency = [];
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (kind, listener, options) {
    if (kind !== "activation") return add.call(this, kind, listener, options);
    return add.call(this, kind, (message) => {
      const arrived = performance.timeOrigin + performance.now();
      listener(message);
      const { source, digit, probabilities } = JSON.parse(message.data);
      window.__latency.push({ arrived, source, digit, probabilities: probabilities ?? null, shown: null });
    }, options);
  };
})();"""
FRAME_HOOK = """() => {
  const m = window.__display.metrics, rendered = m.frameRendered.bind(m), log = window.__latency;
  m.frameRendered = (now) => {
    rendered(now);
    const t = performance.timeOrigin + performance.now();
    for (let i = log.length - 1; i >= 0 && log[i].shown === null; i--) log[i].shown = t;
  };
}"""
# Before the page's own handlers (window, capturing): pointer events that draw on the surface.
POINTER_HOOK = """() => {
  const w = window.__watch, log = (w.pointers = []);
  for (const kind of ["pointerdown", "pointermove"]) {
    window.addEventListener(kind, (e) => {
      if (e.target.id === "surface" && e.buttons) {
        const handled = performance.timeOrigin + performance.now();
        log.push({ t: performance.timeOrigin + e.timeStamp, handled, sends: w.sends.length });
      }
    }, { capture: true });
  }
  w.origin = performance.timeOrigin;
}"""


async def measure(base: str, pairing_code: str, drawings: list, source: str) -> dict:
    """Replay ``drawings`` ([[[x, y, t_ms], ...], ...] each) and match pointer events to frames."""
    sys.path.insert(0, str(ROOT / "tests"))  # the tablet page's watcher lives beside its tests
    from support.tablet_remote import WATCH

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            screen = await (await browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
            await screen.add_init_script(SCREEN_HOOK)
            await screen.goto(f"{base}/")
            await screen.wait_for_function("() => window.__display?.view", timeout=60_000)
            await screen.evaluate(FRAME_HOOK)
            tablet = await (
                await browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
            ).new_page()
            await tablet.goto(f"{base}/tablet#code={pairing_code}")
            await tablet.wait_for_function("() => window.__tablet", timeout=30_000)
            await tablet.evaluate(f"() => {{ {WATCH} }}")
            await tablet.evaluate(POINTER_HOOK)
            await tablet.wait_for_function(
                "() => document.getElementById('connection')?.dataset.state === 'connected'", timeout=60_000
            )
            started = time.monotonic()
            for drawing in drawings:
                await _draw(tablet, drawing)
                await asyncio.sleep(SETTLE_S)
                await tablet.click("#clear")
                await asyncio.sleep(CLEAR_S)
            elapsed = time.monotonic() - started
            watched = await tablet.evaluate("() => window.__watch")
            shown = await screen.evaluate("() => window.__latency")
            visible = [await page.evaluate("() => document.visibilityState") for page in (screen, tablet)]
        finally:
            await browser.close()
    result = match(watched, shown)
    strokes = sum(len(drawing) for drawing in drawings)
    return {"source": source, "drawings": len(drawings), "strokes": strokes, "seconds": round(elapsed, 1)} | {
        # Above 1: the replay fell behind the pen's own pace (a busy machine); the figures then suffer.
        "seconds_over_planned": round(elapsed / _planned_seconds(drawings), 2),
        "pages_visible": visible,
        **result,
    }


def _planned_seconds(drawings: list) -> float:
    """How long the replay takes at the pen's recorded pace, with the pauses this module adds."""
    pen = sum(
        (stroke[-1][2] - stroke[0][2]) / 1000 + STROKE_GAP_S for drawing in drawings for stroke in drawing
    )
    return pen + len(drawings) * (SETTLE_S + CLEAR_S)


async def _draw(page: Page, drawing: list) -> None:
    """Each stroke as one mouse drag, its points at their recorded times."""
    box = await page.locator("#surface").bounding_box()
    mouse = page.mouse
    for stroke in fit(drawing, box):
        t0, start = stroke[0][2], time.monotonic()
        await mouse.move(stroke[0][0], stroke[0][1])
        await mouse.down()
        for x, y, t in stroke[1:]:
            await asyncio.sleep(max(0.0, start + (t - t0) / 1000 - time.monotonic()))
            await mouse.move(x, y)
        await mouse.up()
        await asyncio.sleep(STROKE_GAP_S)


def fit(drawing: list, box: dict) -> list:
    """The drawing scaled to 60 % of the surface's shorter side and centred on it, times kept."""
    xs = [p[0] for stroke in drawing for p in stroke]
    ys = [p[1] for stroke in drawing for p in stroke]
    scale = 0.6 * min(box["width"], box["height"]) / max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    mx, my = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return [[(mx + (x - cx) * scale, my + (y - cy) * scale, t) for x, y, t in stroke] for stroke in drawing]


def match(watched: dict, shown: list[dict]) -> dict:
    """Latencies per answer shown on the screen; see the module's description."""
    sends, attempt = watched["sends"], watched["attempt"]  # revisions count on the last connection
    revision_of_send = _revision_of_each_send(sends)
    # In time order, and so in revision order; one after the last change sent led to no answer.
    pointers = [
        (p["t"], revision_of_send[p["sends"]])
        for p in watched["pointers"]
        if p["sends"] < len(sends) and sends[p["sends"]]["attempt"] == attempt
    ]
    revisions = [revision for _, revision in pointers]
    answers = [
        a | {"arrived": watched["origin"] + a["t"]} for a in watched["answers"] if a["attempt"] == attempt
    ]
    sent_at = {
        s["revision"]: watched["origin"] + s["t"] for s in sends if s["changes"] and s["attempt"] == attempt
    }
    oldest, newest, unmatched, previous_seq, j = [], [], 0, 0, 0
    stages = {"pointer_to_send": [], "send_to_screen_event": [], "screen_event_to_frame": []}
    for frame in (s for s in shown if s["source"] == "visitor" and s["shown"] is not None):
        k = next((k for k in range(j, len(answers)) if _same(answers[k], frame)), None)
        if k is None:
            unmatched += 1  # e.g. the screen showing the last answer again as it enters "live"
            continue
        j, seq = k + 1, answers[k]["seq"]
        first, last = bisect.bisect_right(revisions, previous_seq), bisect.bisect_right(revisions, seq)
        if first < last:  # pointer events this answer is the first to show
            oldest.append(frame["shown"] - pointers[first][0])
            newest.append(frame["shown"] - pointers[last - 1][0])
            stages["pointer_to_send"].append(sent_at[seq] - pointers[last - 1][0])
            stages["send_to_screen_event"].append(frame["arrived"] - sent_at[seq])
            stages["screen_event_to_frame"].append(frame["shown"] - frame["arrived"])
        previous_seq = seq
    handling = [p["handled"] - p["t"] for p in watched["pointers"]]
    return {
        "pointer_events": len(watched["pointers"]),
        "connections": len({s["attempt"] for s in sends}),
        "answers_on_tablet": len(answers),
        "answers_shown": len(oldest),
        "screen_activations_unmatched": unmatched,
        "from_oldest_pointer_ms": _stats(oldest),
        "from_newest_pointer_ms": _stats(newest),
        # Where the newest pointer event's time goes; and from an event's timeStamp to its handler.
        "stages_ms": {name: _stats(values) for name, values in stages.items()},
        "pointer_event_to_handler_ms": _stats(handling),
        "goal": {"from_oldest_pointer_p95_ms_at_most": GOAL_P95_MS},
        "met": bool(oldest) and _stats(oldest)["p95"] <= GOAL_P95_MS,
    }


def _revision_of_each_send(sends: list[dict]) -> list[int]:
    """For each message the page sent, the revision of the first change sent at or after it."""
    result, following = [0] * len(sends), None
    for i in range(len(sends) - 1, -1, -1):
        if sends[i]["changes"]:
            following = sends[i]["revision"]
        result[i] = following if following is not None else 10**9
    return result


def _same(answer: dict, frame: dict) -> bool:
    """The tablet's answer and the screen's activation for one result: sent within a second of each
    other, the same digit and probabilities (the tablet's rounded to 5 places, the screen's to 4)."""
    if answer["digit"] != frame["digit"] or frame["probabilities"] is None:
        return False
    if abs(answer["arrived"] - frame["arrived"]) > 1000:
        return False
    pairs = zip(answer["probabilities"], frame["probabilities"], strict=True)
    return max(abs(a - b) for a, b in pairs) <= 1.5e-4


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    pct = {f"p{q}": round(float(np.percentile(a, q)), 1) for q in (50, 95, 99)}
    return {"n": len(values), **pct, "max": round(float(a.max()), 1)}


def load_drawings(pen_file: Path | None, count: int) -> tuple[list, str]:
    """``count`` drawings from the pendigits file, or synthetic ones (then the source says so)."""
    if pen_file:
        with pen_file.open(encoding="utf-8") as f:
            lines = list(itertools.islice(f, count))
        return [json.loads(line)["strokes"] for line in lines], str(pen_file)
    one = [[[0, 10 * i, 12 * i] for i in range(30)]]
    seven = [[[10 * i, 0, 12 * i] for i in range(15)], [[150 - 5 * i, 10 * i, 12 * i] for i in range(30)]]
    return [one if i % 2 else seven for i in range(count)], "synthetic strokes (no pendigits file)"
