"""The playground on the exhibit screen, in a real Chromium against the real server process: a run
started over the API takes over the screen, and the decision boundary visibly moves on screenshots
while it trains and holds still once it is paused. Its signage is for passers-by: no jargon, figures
that mean what they say, every text large enough to read from a few metres."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.api import post_json
from support.browsers import browser_missing

from kiosk.playground.datasets import make_dataset, split
from tools.exhibit_process import ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

VIEWPORT = {"width": 1280, "height": 720}
PLAYGROUND = "window.__display.playground"


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory, export_dir: Path):
    settings = "playground:\n  frames_per_second: 20\n  tablet_steps_per_second: 30\n"
    kiosk = ExhibitProcess(tmp_path_factory.mktemp("playground-screen"), export_dir, settings=settings)
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()
        assert kiosk.tracebacks() == []


def train(kiosk: ExhibitProcess, body: dict) -> dict:
    status, answer = post_json(f"{kiosk.base}/api/train", body, kiosk.admin_token)
    assert status == 200, answer
    return answer


def test_the_boundary_moves_on_screen_while_a_run_trains_and_holds_when_paused(kiosk, browser) -> None:
    errors: list[str] = []
    foreign: list[str] = []
    page = browser.new_page(viewport=VIEWPORT)
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith((f"{kiosk.base}/", "data:")) or foreign.append(r.url))
    page.goto(f"{kiosk.base}/")
    page.wait_for_function("() => window.__display?.state.scene?.scene === 'timeline'", timeout=20_000)
    assert page.evaluate(f"() => {PLAYGROUND}") is None  # made when the scene first shows

    run = train(kiosk, {"action": "start", "config": {"dataset": "spiral", "noise": 0.2}})["run"]
    page.wait_for_function(
        f"""() => window.__display.state.scene?.scene === 'playground' && {PLAYGROUND}?.run === {run}
            && {PLAYGROUND}.plane.hasBoundary && {PLAYGROUND}.state === 'running'
            && {PLAYGROUND}.history.latest.step > 0""",
        timeout=40_000,  # the training process may still be loading PyTorch
    )
    assert page.locator("#playground-scene").is_visible()
    assert "Two spirals" in page.locator(".pg-dataset").inner_text()
    assert "20 % noise" in page.locator(".pg-dataset").inner_text()
    assert page.locator(".pg-state-text").inner_text() == "learning"

    heat = page.locator(".pg-heat")
    box = heat.bounding_box()
    assert box["width"] > 300 and box["height"] > 300, box  # the large picture on the left

    def boundary_area() -> np.ndarray:
        image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
        left, top = round(box["x"]), round(box["y"])
        crop = image.crop((left, top, left + round(box["width"]), top + round(box["height"])))
        return np.asarray(crop).astype(float)

    def version() -> int:
        return page.evaluate(f"() => {PLAYGROUND}.plane.version")

    first, first_version = boundary_area(), version()
    time.sleep(2.5)
    second, second_version = boundary_area(), version()
    moved = np.abs(first - second).mean()
    assert second_version > first_version + 10, "the boundary was not repainted at the frame rate"
    assert moved > 3, f"the boundary hardly changed while training (mean difference {moved:.2f})"
    assert heat.bounding_box() == box

    train(kiosk, {"action": "pause"})
    page.wait_for_function(f"() => {PLAYGROUND}.state === 'paused'", timeout=5_000)
    assert page.locator(".pg-state-text").inner_text() == "paused"
    time.sleep(0.6)  # the last frame's glide ends
    still, still_version = boundary_area(), version()
    time.sleep(1.0)
    later = boundary_area()
    assert version() == still_version, "the boundary was repainted while paused"
    assert np.abs(still - later).mean() < 0.2, "the boundary kept moving while paused"

    page.close()
    assert errors == []
    assert foreign == [], "the screen must not reach beyond the exhibit"


# Words a passer-by should not have to know (the presenter console may show them).
JARGON = (
    "tanh",
    "relu",
    "sigmoid",
    "adam",
    "sgd",
    "learning rate",
    "loss",
    "epoch",
    "times through the data",
)
MIN_TEXT_PX = 32  # at 1080p: 3vh, read from 2-3 m


def test_the_signage_has_no_jargon_whole_figures_and_large_text(kiosk, browser) -> None:
    spec = {"dataset": "moons", "noise": 0.1, "points": 300, "test_fraction": 0.2}
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{kiosk.base}/")
    page.wait_for_function("() => window.__display?.state.scene?.scene", timeout=20_000)
    run = train(kiosk, {"action": "start", "config": spec})["run"]
    page.wait_for_function(
        f"() => {PLAYGROUND}?.run === {run} && {PLAYGROUND}.history.latest.step > 3", timeout=40_000
    )
    train(kiosk, {"action": "pause"})
    page.wait_for_function(f"() => {PLAYGROUND}.state === 'paused'", timeout=5_000)
    time.sleep(0.3)

    scene = page.locator("#playground-scene")
    text = scene.inner_text()
    assert not [word for word in JARGON if word in text.lower()], text

    # One figure for practice rounds, a whole number, the steps the server reports; the sentence
    # says what a round is, with the number of points it learns from (full batch by default).
    steps = page.evaluate(f"() => {PLAYGROUND}.history.latest.step")
    assert page.locator(".pg-figure-rounds .pg-value").inner_text() == f"{steps:,}"
    assert page.locator(".pg-figure-rounds .pg-caption").inner_text() == "practice rounds"
    X, y = make_dataset(spec["dataset"], spec["points"], spec["noise"], 0)
    learning_points = len(split(X, y, spec["test_fraction"], 0)[0])
    assert page.locator(".pg-round").inner_text() == (
        f"Each round, it looks at all {learning_points:,} points and adjusts itself a little."
    )
    accuracy = page.evaluate(f"() => {PLAYGROUND}.history.latest.test_accuracy")
    assert page.locator(".pg-figure-accuracy .pg-value").inner_text() == f"{round(accuracy * 100)} %"

    # Every text on the scene, and the text drawn on its canvases, is at least 32 px.
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('#playground-scene *')]
            .filter((e) => e.offsetParent !== null && [...e.childNodes].some(
                (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
            .map((e) => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])"""
    )
    assert len(sizes) >= 10, sizes
    small = [(text, px) for text, px in sizes if px < MIN_TEXT_PX - 0.5]
    assert small == [], small
    fonts = page.evaluate(
        f"""() => [{PLAYGROUND}.lossChart.font, {PLAYGROUND}.accuracyChart.font,
                   {PLAYGROUND}.diagram.labelFont, {PLAYGROUND}.diagram.captionFont]"""
    )
    assert all(int(re.search(r"(\d+)px", font)[1]) >= MIN_TEXT_PX for font in fonts), fonts

    # A plain 0, not Atkinson Hyperlegible's slashed one: in the figures' text and on the canvases,
    # checked on the rendered glyph (a 0 in the canvas font draws as Public Sans' 0, not Atkinson's).
    assert page.evaluate("""() => document.fonts.check('700 60px "Plain Digits"', '0')""")
    assert font_family_of(page, ".pg-figure-rounds .pg-value").startswith('"Plain Digits"')
    same_as = page.evaluate(
        f"""() => {{
            const zero = (font) => {{
                const c = document.createElement('canvas'); c.width = c.height = 80;
                const g = c.getContext('2d'); g.font = font; g.fillStyle = '#fff'; g.fillText('0', 10, 60);
                return Array.from(g.getImageData(0, 0, 80, 80).data).join();
            }};
            const size = {PLAYGROUND}.lossChart.font.match(/(\\d+)px/)[1];
            const drawn = zero({PLAYGROUND}.lossChart.font);
            return {{plain: drawn === zero(`400 ${{size}}px "Plain Digits"`),
                     slashed: drawn === zero(`400 ${{size}}px "Atkinson Hyperlegible"`)}};
        }}"""
    )
    assert same_as == {"plain": True, "slashed": False}, same_as
    page.close()


def font_family_of(page, selector: str) -> str:
    return page.locator(selector).evaluate("(e) => getComputedStyle(e).fontFamily")
