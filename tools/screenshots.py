"""Screenshots of every scene of the exhibit screen, the tablet page and the presenter page, for docs/.

    python -m tools.screenshots [--out docs/screenshots] [--only-explain]   (make screenshots)

Starts a real kiosk (``python -m kiosk``) with the shipped export and a playlist whose only
entry is the samples the network gets wrong (so nothing moves on by itself), opens the screen
(``/``) in headless Chromium (SwiftShader) at 1920×1080 and 3840×2160 side by side, drives it
with real commands (the admin API with the admin token, a virtual tablet drawing a pendigits
digit over WebRTC, the real tablet page paired with a code, the presenter page logged in) and
writes ``<name>-1080p.png`` and ``<name>-4k.jpg`` (JPEG: a 4K PNG is 1-3 MB) for:

samples-wrong, samples, call_to_action, lesson-learning, lesson-learned and lesson-badge (a
visitor's "no, it was a …" on a pen digit the network misreads), live (a visitor's 0), neuron
(neuron 17's overlay),
timeline-early (the second snapshot), timeline (the last), pairing, explain-<n>-<step> (each
beat of the "How does it work?" tour on a test 0, shot once the screen shows it: the kiosk is
restarted at the end with the tour at 20 s a step as its playlist), playground (after 20 s of
learning), every other scene the server has (``kiosk.display.screen.SCENES``; a scene this tool
knows but the server does not is skipped with a message), live-de (after the visitor picked
German on the tablet), closed, and disconnected (the kiosk stopped while a sample's answer was
shown).

Beside them: ``tablet-en.png`` and ``tablet-de.png`` (the tablet page at 1024×768 with a digit
drawn; German picked in the page's language picker, or, where the page has none, from the
kiosk's ``language:``), ``presenter-laptop.png`` (1280×800) and ``presenter-phone.png``
(390×844 at 2×).

For live and the timeline it prints the network's on-screen extent: the bounding box of the
pixels of the 3D canvas (the page's text hidden) that differ from the background (its most
common colour), as a share of the screen's width and height.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

from bench.display_frames import BROWSER_ARGS, CHROMIUM
from bench.lesson import drawings, wait_for_lessons
from bench.pointer_latency import fit
from kiosk.display.screen import SCENES
from kiosk.presenter.passphrase import hash_passphrase
from kiosk.replay import DEFAULT_EXPORT
from kiosk.tablet.virtual import VirtualTablet
from tools.exhibit_process import ExhibitProcess

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1080p": (1920, 1080), "4k": (3840, 2160)}
PASSPHRASE = "screenshots of the exhibit"
PEN_FILE = Path(os.environ.get("PEN_FILE") or ROOT.parent / "shared/data/pen/pendigits-train.jsonl")
HIDE_TEXT = "body > :not(#stage) { visibility: hidden !important; }"
CONNECTED = "() => document.getElementById('connection')?.dataset.state === 'connected'"
# The playlist's only entry: nothing moves on by itself (the samples it gets wrong, for an hour).
QUIET = "{scene: samples, seconds: 3600, which: wrong}"
# The explain tour at its slowest (20 s a step) on a test 0, so that every beat can be shot.
EXPLAIN = "{scene: explain, seconds: 3600, digit: 0, seconds_per_step: 20}"


def kiosk_settings(language: str = "en", playlist: str = QUIET) -> str:
    """The config for the shots (tools/exhibit_process.py writes the rest): a presenter log-in,
    ``playlist`` the only entry, and a visitor's turn that does not end between shots."""
    return (
        f"language: {language}\n"
        f'presenter:\n  passphrase_hash: "{hash_passphrase(PASSPHRASE)}"\n'
        f"attract:\n  playlist:\n    - {playlist}\n"
        "display:\n  idle_seconds: 3600\n"
    )


def restart(kiosk: ExhibitProcess, language: str = "en", playlist: str = QUIET) -> None:
    """The kiosk again, on the same port and state, with another language or playlist."""
    kiosk.stop()
    kiosk.write_config(settings=kiosk_settings(language, playlist))
    kiosk.start()


class Shooter:
    """The screen open at each size; ``shoot(name)`` writes one picture per size."""

    def __init__(self, browser: Browser, kiosk: ExhibitProcess, out: Path) -> None:
        self.browser, self.kiosk, self.out = browser, kiosk, out
        self.pages: dict[str, Page] = {}
        self.extents: dict[str, dict[str, list[float]]] = {}

    async def open(self) -> None:
        for size, (width, height) in SIZES.items():
            page = await self.browser.new_page(viewport={"width": width, "height": height})
            page.on(
                "pageerror", lambda error, size=size: print(f"screen {size}: page error: {error}", flush=True)
            )
            await page.goto(f"{self.kiosk.base}/")
            await page.wait_for_function("() => window.__display?.view", timeout=120_000)
            self.pages[size] = page

    async def reload(self) -> None:
        """Open the screens afresh (after a restart, instead of waiting for their back-off)."""
        for page in self.pages.values():
            await page.reload()
            await page.wait_for_function("() => window.__display?.view", timeout=120_000)

    async def shoot(self, name: str, settle_s: float = 3, extent: bool = False) -> None:
        await asyncio.sleep(settle_s)
        for size, page in self.pages.items():
            # 4K as JPEG (quality 90): a PNG is 1-3 MB and every `make screenshots` lands in git.
            kind = "jpeg" if size == "4k" else "png"
            path = self.out / f"{name}-{size}.{'jpg' if kind == 'jpeg' else 'png'}"
            await page.screenshot(path=str(path), type=kind, **({"quality": 90} if kind == "jpeg" else {}))
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)
            if extent:
                self.extents.setdefault(name, {})[size] = await network_extent(page)


async def network_extent(page: Page) -> list[float]:
    """[width %, height %] of the screen covered by the 3D canvas's non-background pixels."""
    style = await page.add_style_tag(content=HIDE_TEXT)
    await asyncio.sleep(0.3)
    picture = np.asarray(Image.open(io.BytesIO(await page.screenshot())).convert("RGB"))
    await style.evaluate("(element) => element.remove()")
    return extent_of(picture)


def extent_of(picture: np.ndarray) -> list[float]:
    """[width %, height %] of the bounding box of the pixels that differ from the commonest colour."""
    picture = picture.astype(np.int32)
    colours, counts = np.unique(picture.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[counts.argmax()]
    ys, xs = np.nonzero(np.abs(picture - background).sum(axis=2) > 48)
    if len(xs) == 0:
        return [0.0, 0.0]
    height, width = picture.shape[:2]
    return [
        round(100 * (xs.max() - xs.min() + 1) / width, 1),
        round(100 * (ys.max() - ys.min() + 1) / height, 1),
    ]


def pen_digit(label: int) -> list:
    """The first pendigits drawing of ``label`` ([[x, y, t_ms], ...] strokes), or a made-up one."""
    if PEN_FILE.is_file():
        with PEN_FILE.open(encoding="utf-8") as f:
            for line in f:
                sample = json.loads(line)
                if sample["label"] == label:
                    return sample["strokes"]
    print(f"no pendigits file at {PEN_FILE}: drawing a made-up digit", flush=True)
    return [[[40 * np.cos(a), 60 * np.sin(a), 10 * i] for i, a in enumerate(np.linspace(0, 6.3, 40))]]


async def lesson_shots(kiosk: ExhibitProcess, credential: str, shooter: Shooter) -> VirtualTablet:
    """A visitor's lesson: a pen digit the network misreads (else a scribble taught as another digit),
    "no, it was a …" from a virtual tablet; shot while it learns, once it has learned, and as the
    badge. The lesson is then forgotten and the drawing cleared; the tablet stays connected."""
    strokes, meant, _ = drawings(DEFAULT_EXPORT, PEN_FILE if PEN_FILE.is_file() else None, 1)[0]
    wait_for_lessons(kiosk)
    tablet = VirtualTablet()
    await tablet.connect(kiosk.base, credential)
    prediction, _ = await tablet.draw(strokes, clear=False)
    tablet.send(type="verdict", seq=prediction["seq"], correct=False, meant=meant)
    await shooter.shoot("lesson-learning", settle_s=0.6)
    await shooter.shoot("lesson-learned", settle_s=2.5)
    await shooter.shoot("lesson-badge", settle_s=11)
    kiosk.admin("/api/admin/lesson/forget")
    tablet.clear()
    return tablet


async def tablet_page(
    browser: Browser,
    kiosk: ExhibitProcess,
    path: Path,
    strokes: list,
    language: str | None = None,
    shooter: Shooter | None = None,
) -> bool:
    """The real tablet page at 1024×768, paired with a code, a digit drawn and answered. With
    ``language``, the visitor picks it first in the page's picker (False: the page has none), the
    screen is shot too (``live-<language>``), and English is picked again afterwards."""
    code = kiosk.admin("/api/admin/pairing")["code"]
    context = await browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    try:
        page = await context.new_page()
        await page.goto(f"{kiosk.base}/tablet#code={code}")
        await page.wait_for_function(CONNECTED, timeout=60_000)
        if language and not await pick_language(page, language):
            return False
        box = await page.locator("#surface").bounding_box()
        for stroke in fit(strokes, box):
            await page.mouse.move(*stroke[0][:2])
            await page.mouse.down()
            for x, y, _ in stroke[1::2]:
                await page.mouse.move(x, y)
            await page.mouse.up()
        await page.wait_for_function(
            "() => /[0-9]/.test(document.getElementById('prediction-digit').textContent)", timeout=30_000
        )
        await asyncio.sleep(1.5)
        await page.screenshot(path=str(path))
        print(f"wrote {path}", flush=True)
        if language and shooter:
            # The visitor's turn never ended (idle_seconds: 3600), so a touch changed no scene: call it.
            kiosk.admin("/api/admin/scene", {"scene": "live"})
            await shooter.shoot(f"live-{language}")
            await pick_language(page, "en")
            await asyncio.sleep(1)
        return True
    finally:
        await context.close()


async def pick_language(page: Page, language: str) -> bool:
    """As a visitor: open the language picker and choose ``language`` (False: no picker shown)."""
    if not await page.locator("#language-button").is_visible():
        return False
    await page.click("#language-button")
    await page.click(f"#language-list [lang={language}]")
    await asyncio.sleep(1.5)  # the page's texts, and the screen's, in the new language
    return True


async def presenter_pages(browser: Browser, kiosk: ExhibitProcess, out: Path) -> None:
    """The presenter page logged in, on a laptop and on a phone."""
    for name, viewport, scale in (("laptop", (1280, 800), 1), ("phone", (390, 844), 2)):
        context = await browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=scale, has_touch=True
        )
        try:
            page = await context.new_page()
            await page.goto(f"{kiosk.base}/presenter")
            await page.fill("#login-name", "Anna")
            await page.fill("#login-passphrase", PASSPHRASE)
            await page.click("#login-submit")
            await page.wait_for_selector("#console", state="visible", timeout=30_000)
            await asyncio.sleep(3)
            await page.screenshot(path=str(out / f"presenter-{name}.png"))
            print(f"wrote {out / f'presenter-{name}.png'}", flush=True)
        finally:
            await context.close()


async def explain_tour(kiosk: ExhibitProcess, shooter: Shooter) -> None:
    """Each beat of the tour, 2 s after both screens show it: the kiosk restarted with the tour as
    its playlist, at its slowest pace (kiosk/display/tour.py), so that no beat passes unshot."""
    from kiosk.display.tour import BEATS, STEPS

    restart(kiosk, playlist=EXPLAIN)
    await shooter.reload()
    for step, phase, _ in BEATS:
        name = f"explain-{step + 1}-{STEPS[step]}"
        name += f"-{phase + 1}" if sum(s == step for s, _, _ in BEATS) > 1 else ""
        shows = "([step, phase]) => { const e = window.__display.state.explain;"
        shows += " return e?.active && e.step === step && e.phase === phase; }"
        try:
            for page in shooter.pages.values():
                await page.wait_for_function(shows, arg=[step, phase], timeout=60_000)
        except Exception as error:  # noqa: BLE001 - say which beat and go on with the others
            print(f"skipped {name}: the screen did not show it ({error})", flush=True)
            continue
        await shooter.shoot(name, settle_s=2)


async def run(out: Path, only_explain: bool = False) -> dict:
    known = {"live", "timeline", "playground", "samples", "call_to_action", "explain", "closed"}
    for scene in sorted(known - set(SCENES)):
        print(f"skipped scene {scene}: this server does not have it", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        kiosk = ExhibitProcess(Path(tmp), DEFAULT_EXPORT, settings=kiosk_settings())
        kiosk.start()
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
                shooter = Shooter(browser, kiosk, out)
                await shooter.open()
                if only_explain:
                    await explain_tour(kiosk, shooter)
                    return shooter.extents
                german = await scenes(kiosk, shooter, browser, out)
                kiosk.stop()  # the screen loses the exhibit
                await shooter.shoot("disconnected", settle_s=6)
                if not german:  # no language picker on the tablet page: the staff's language then
                    print("the tablet page has no language picker: German from the kiosk's language: de")
                    kiosk.write_config(settings=kiosk_settings(language="de"))
                    kiosk.start()
                    await tablet_page(browser, kiosk, out / "tablet-de.png", pen_digit(4))
                if "explain" in SCENES:
                    await explain_tour(kiosk, shooter)
                await browser.close()
        finally:
            kiosk.stop()
    return shooter.extents


async def scenes(kiosk: ExhibitProcess, shooter: Shooter, browser: Browser, out: Path) -> bool:
    """Every scene and overlay while the kiosk runs; whether the tablet page could pick German."""
    credential = kiosk.pair("screenshots")["credential"]  # now: "Tablet paired" is gone before the shots
    await shooter.shoot("samples-wrong", settle_s=8)  # the playlist's only entry
    kiosk.admin("/api/admin/scene", {"scene": "samples"})
    await shooter.shoot("samples", settle_s=5)
    kiosk.admin("/api/admin/scene", {"scene": "call_to_action"})
    await shooter.shoot("call_to_action", settle_s=4)
    visitor = await lesson_shots(kiosk, credential, shooter)
    await visitor.draw(pen_digit(0), clear=False)
    await shooter.shoot("live", extent=True)
    kiosk.admin("/api/admin/neuron", {"index": 17})
    await shooter.shoot("neuron")
    kiosk.admin("/api/admin/neuron", {"index": None})
    kiosk.admin("/api/admin/scene", {"scene": "timeline"})
    player = kiosk.admin("/api/admin/timeline", {"action": "pause"})
    kiosk.admin("/api/admin/timeline", {"action": "seek", "index": 1})
    await shooter.shoot("timeline-early", extent=True)
    kiosk.admin("/api/admin/timeline", {"action": "seek", "index": player["count"] - 1})
    await shooter.shoot("timeline", extent=True)
    await visitor.close()
    kiosk.admin("/api/admin/pairing")
    await shooter.shoot("pairing")
    await tablet_page(browser, kiosk, out / "tablet-en.png", pen_digit(7))  # pairs: the overlay goes
    kiosk.admin("/api/train", {"action": "start", "config": {}})
    await shooter.shoot("playground", settle_s=20)
    for scene in (s for s in SCENES if s not in {"live", "timeline", "playground", "explain", "closed"}):
        if scene not in {"samples", "call_to_action"}:  # a scene this tool does not know yet
            kiosk.admin("/api/admin/scene", {"scene": scene})
            await shooter.shoot(scene, settle_s=5)
    await presenter_pages(browser, kiosk, out)
    german = await tablet_page(browser, kiosk, out / "tablet-de.png", pen_digit(4), "de", shooter)
    kiosk.admin("/api/admin/scene", {"scene": "closed"})
    await shooter.shoot("closed")
    kiosk.admin("/api/admin/scene", {"scene": "samples"})  # an answer on screen when the kiosk stops
    await asyncio.sleep(5)
    return german


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only-explain", action="store_true", help="only the explain tour's beats")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    extents = asyncio.run(run(args.out.resolve(), args.only_explain))
    if extents:
        print("The network's on-screen extent (width %, height % of the screen):")
    for name, sizes in extents.items():
        for size, (width, height) in sizes.items():
            print(f"  {name:15} {size:6} {width:5.1f} % x {height:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
