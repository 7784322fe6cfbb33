"""The live and timeline scenes as a visitor sees them, measured on screenshots of real Chromium.

The network fills the screen (bounding box of the 3D canvas's non-background pixels, texts hidden)
at 1080p and 4K; every visitor text is at least 32 px at 1080p; zeros are plain in the big answer
and on the 3D output labels (the middle of a "0" glyph is empty, where a slashed zero has ink);
the big answer and the 3D ring agree in every frame; a test digit answered wrong is marked; the
closed scene shows no ghost of the last ring; the neuron panel covers no sample verdict; and
``stage.focusOn`` frames what it is given. Events are injected with ``window.__display.dispatch``
into a page that loaded against a real kiosk, as they would arrive from its event stream.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from support.api import post_json
from support.browsers import browser_missing

from tools.exhibit_process import ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
SETTLED = "() => window.__display?.view && !window.__display.view.moving && window.__display.view.lines.sets"
BACKGROUND = np.array([11, 16, 32])  # --bg in display.css
YELLOW = np.array([255, 210, 63])  # --answer
LILAC = np.array([199, 166, 255])  # --wrong
HIDE_TEXTS = "body > :not(#stage) { visibility: hidden !important; }"


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory):
    settings = (
        "display:\n  idle_seconds: 3600\nlanguage: en\n"
        "attract:\n  playlist:\n    - {scene: timeline, seconds: 3600}\n"
    )
    kiosk = ExhibitProcess(tmp_path_factory.mktemp("layout"), settings=settings)
    kiosk.start()
    # The timeline stands still: no activation from the server overwrites the ones a test shows.
    status, answer = post_json(f"{kiosk.base}/api/admin/timeline", {"action": "pause"}, kiosk.admin_token)
    assert status == 200, answer
    try:
        yield kiosk
    finally:
        kiosk.stop()


class Screen:
    def __init__(self, browser, base: str, viewport: dict = HD) -> None:
        self.errors: list[str] = []
        self.page = browser.new_page(viewport=viewport)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{base}/")
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_function(SETTLED, timeout=60_000)

    def dispatch(self, kind: str, data: dict) -> None:
        self.page.evaluate("([kind, data]) => window.__display.dispatch(kind, data)", [kind, data])

    def show(self, scene: str, **frame) -> dict:
        """The scene, and the server's current activation changed by ``frame``; waits until it is drawn."""
        activation = {**self.page.evaluate("() => window.__display.state.activation"), **frame}
        if "digit" in frame and frame["digit"] is not None:
            probabilities = [0.01] * 10
            probabilities[frame["digit"]] = 0.91
            activation["probabilities"] = probabilities
        self.dispatch("scene", {"scene": scene})
        self.dispatch("activation", activation)
        self.page.wait_for_timeout(300)
        self.settle()
        return activation

    def still(self) -> None:
        """Hold the camera at home (no attract drift), so a projection matches the screenshot."""
        self.page.evaluate("() => window.__display.stage.setDrifting(false)")
        self.page.wait_for_function("() => window.__display.stage.drift < 0.001", timeout=30_000)

    def pixels(self) -> np.ndarray:
        self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return np.asarray(Image.open(io.BytesIO(self.page.screenshot())).convert("RGB")).astype(int)

    def close(self) -> list[str]:
        self.page.close()
        return self.errors


def near(image: np.ndarray, colour: np.ndarray, tolerance: int = 60) -> np.ndarray:
    return np.abs(image - colour).max(axis=-1) < tolerance


def hollow_middle(ink: np.ndarray) -> float:
    """Share of ink in the middle tenth (each way) of the glyph's own ink box: ~0 for a plain 0."""
    ys, xs = np.nonzero(ink)
    assert len(ys) > 50, "no glyph found"
    cy, cx = (ys.min() + ys.max()) / 2, (xs.min() + xs.max()) / 2
    hy, hx = max(2, (ys.max() - ys.min()) // 20), max(2, (xs.max() - xs.min()) // 20)
    return float(ink[int(cy - hy) : int(cy + hy) + 1, int(cx - hx) : int(cx + hx) + 1].mean())


def crop(image: np.ndarray, box: dict) -> np.ndarray:
    return image[int(box["y"]) : int(box["y"] + box["height"]), int(box["x"]) : int(box["x"] + box["width"])]


# ---- the network fills the screen --------------------------------------------------------------


@pytest.mark.parametrize("viewport", [HD, UHD], ids=["1080p", "4K"])
def test_the_network_spans_most_of_the_screen(kiosk, browser, viewport) -> None:
    screen = Screen(browser, kiosk.base, viewport)
    screen.page.add_style_tag(content=HIDE_TEXTS)
    for scene in ("live", "timeline"):
        screen.show(scene, source="visitor" if scene == "live" else "sample")
        image = screen.pixels()
        ink = np.abs(image - BACKGROUND).sum(axis=2) > 30
        ys, xs = np.nonzero(ink)
        assert len(xs) > 0, f"{scene}: nothing drawn"
        width = (xs.max() - xs.min()) / viewport["width"]
        height = (ys.max() - ys.min()) / viewport["height"]
        assert width >= 0.8 and height >= 0.6, f"{scene}: the network spans {width:.0%} × {height:.0%}"
    assert screen.close() == []


# ---- texts -------------------------------------------------------------------------------------


VISIBLE_TEXT_SIZES = """() => [...document.querySelectorAll('body *')]
  .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .filter((e) => e.checkVisibility({visibilityProperty: true}))
  .map((e) => [e.id || e.className || e.tagName, e.textContent.trim(),
               parseFloat(getComputedStyle(e).fontSize)])"""


@pytest.mark.parametrize("scene", ["live", "timeline"])
def test_every_text_a_visitor_reads_is_at_least_32_px(kiosk, browser, scene) -> None:
    screen = Screen(browser, kiosk.base)
    screen.show(scene, source="sample", label=3, digit=5)
    texts = screen.page.evaluate(VISIBLE_TEXT_SIZES)
    assert len(texts) >= 6, texts  # answer, captions, …: something was measured
    small = [t for t in texts if t[2] < 32]
    assert small == [], small
    captions = screen.page.locator("#layer-labels span").all_inner_texts()
    assert captions[0] == "A handwritten 3: 784 numbers" and captions[1] == "128 neurons"
    assert screen.close() == []


def test_the_lead_is_grammatical_for_every_digit(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    for digit, lead in ((8, "I think it is an"), (3, "I think it is a")):
        screen.show("live", source="visitor", digit=digit)
        assert screen.page.locator("#answer-lead").inner_text() == lead
    assert screen.close() == []


# ---- plain zeros -------------------------------------------------------------------------------


def test_the_answer_and_the_output_labels_show_a_plain_zero(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    screen.show("live", source="visitor", digit=0)
    screen.still()
    assert screen.page.locator("#answer-digit").inner_text() == "0"
    # A control in the text font alone: the detector does see Atkinson Hyperlegible's slashed zero.
    screen.page.evaluate(
        """() => { const c = document.getElementById('answer-digit').cloneNode(true);
        c.id = 'slashed'; Object.assign(c.style, {position: 'fixed', left: '30vw', top: '30vh',
        fontFamily: '"Atkinson Hyperlegible"', background: '#0b1020'});
        document.body.append(c); return document.fonts.ready; }"""
    )
    image = screen.pixels()
    answer = near(crop(image, screen.page.locator("#answer-digit").bounding_box()), YELLOW)
    slashed = near(crop(image, screen.page.locator("#slashed").bounding_box()), YELLOW)
    assert hollow_middle(slashed) > 0.3, "the control is not a slashed zero: the check proves nothing"
    assert hollow_middle(answer) < 0.05, "the answer's 0 has ink in its middle (a slashed zero?)"

    # The 3D label "0", found where the camera projects it.
    label = screen.page.evaluate(
        """() => { const d = window.__display, m = d.view.outputs.labels[0], r = d.view.outputs.radius;
        const p = m.position, a = d.stage.project({x: p.x - r, y: p.y + r, z: p.z}),
              b = d.stage.project({x: p.x + r, y: p.y - r, z: p.z});
        return {x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y}; }"""
    )
    ink = crop(image, label).sum(axis=2) > 600  # the labels are near-white
    assert hollow_middle(ink) < 0.05, "the output label 0 has ink in its middle"
    assert screen.close() == []


# ---- the answer: one truth in texts and 3D -----------------------------------------------------

AGREEMENT = """async ([first, second]) => {
  const d = window.__display, seen = [];
  d.dispatch('activation', first);
  await new Promise((r) => setTimeout(r, 600));
  d.dispatch('activation', second);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => requestAnimationFrame(r)); // after main.js's frame: what this frame shows
    const text = document.getElementById('answer-digit').textContent;
    seen.push([text, d.view.shownAnswer, d.view.outputs.ring.position.y]);
  }
  return seen;
}"""


def test_the_big_answer_and_the_ring_agree_in_every_frame(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    base = screen.page.evaluate("() => window.__display.state.activation")
    screen.dispatch("scene", {"scene": "live"})
    frames = []
    for digit in (2, 7):
        probabilities = [0.01] * 10
        probabilities[digit] = 0.91
        frames.append(
            {**base, "source": "visitor", "digit": digit, "probabilities": probabilities, "seq": digit}
        )
    seen = screen.page.evaluate(AGREEMENT, frames)
    outputs_y = screen.page.evaluate("() => window.__display.view.layout.at(-1).positions.map((p) => p.y)")
    assert {text for text, _, _ in seen} == {"2", "7"}, "the answer did not change within 40 frames"
    for text, shown, ring_y in seen:
        assert text == str(shown), f"the texts say {text}, the 3D view shows {shown}"
        assert ring_y == pytest.approx(outputs_y[shown]), "the ring is not around the answer"
    assert screen.close() == []


def test_a_wrong_answer_in_the_timeline_is_marked_not_celebrated(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    screen.show("timeline", source="sample", label=3, digit=5)
    screen.still()
    # The training texts end above the network (their last line once touched the input image).
    training = screen.page.locator("#training").bounding_box()
    top = screen.page.evaluate(
        "() => Math.min(...window.__display.view.bounds().map((p) => window.__display.stage.project(p).y))"
    )
    assert training["y"] + training["height"] < top, (training, top)
    assert screen.page.locator("#answer").get_attribute("data-wrong") is not None
    assert screen.page.locator("#answer-verdict").inner_text() == "Wrong: it is a 3"
    image = screen.pixels()
    digit = crop(image, screen.page.locator("#answer-digit").bounding_box())
    assert near(digit, LILAC).mean() > 0.05 and near(digit, YELLOW).mean() < 0.005
    ring = screen.page.evaluate("() => window.__display.outputOnScreen(5)")
    x, y = round(ring["x"]), round(ring["y"])
    disc = image[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).mean(axis=0)
    assert np.abs(disc - LILAC).max() < 60, f"the answer's output is {disc}, not lilac"

    # Right: yellow again, no verdict.
    screen.show("timeline", source="sample", label=5, digit=5)
    assert screen.page.locator("#answer").get_attribute("data-wrong") is None
    assert not screen.page.locator("#answer-verdict").is_visible()
    assert screen.close() == []


def test_the_closed_scene_shows_no_ghost_of_the_last_ring(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    screen.show("live", source="visitor", digit=4)
    assert near(screen.pixels(), YELLOW).sum() > 500  # the ring and the answer are there before
    screen.dispatch("scene", {"scene": "closed", "opens_at": None})
    screen.page.wait_for_timeout(300)
    image = screen.pixels()
    moon = screen.page.locator(".closed-moon").bounding_box()
    image[
        int(moon["y"]) : int(moon["y"] + moon["height"]) + 1,
        int(moon["x"]) : int(moon["x"] + moon["width"]) + 1,
    ] = 0
    assert near(image, YELLOW, 90).sum() == 0, "answer-coloured pixels behind 'Closed'"
    assert near(image, np.array([42, 58, 92]), 12).sum() < 100, "resting neurons still show"
    screen.dispatch("scene", {"scene": "timeline"})
    assert screen.close() == []


# ---- overlays ----------------------------------------------------------------------------------


def test_the_neuron_panel_covers_neither_the_verdict_nor_the_network(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    screen.show("samples", source="sample", label=3, digit=5)
    weights = [((i % 28) - 14) / 14 for i in range(784)]
    screen.dispatch("neuron", {"index": 5, "weights": weights})
    screen.page.wait_for_timeout(2500)  # the camera eases the network up, clear of the panel
    panel = screen.page.locator("#neuron").bounding_box()
    verdict = screen.page.locator("#sample-verdict").bounding_box()
    assert screen.page.locator("#sample-verdict").is_visible()
    assert panel["y"] > verdict["y"] + verdict["height"] or panel["x"] > verdict["x"] + verdict["width"]
    # The network's lowest neuron is above the panel.
    lowest = screen.page.evaluate(
        """() => Math.max(...window.__display.view.layout.flatMap((l) => l.positions)
              .map((p) => window.__display.stage.project(p).y))"""
    )
    assert lowest < panel["y"], (lowest, panel)
    sizes = screen.page.evaluate(
        "() => [...document.querySelectorAll('#neuron p span')]"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) == 2 and min(sizes) >= 32, sizes
    screen.dispatch("neuron", {"index": None})
    assert screen.close() == []


# ---- the camera API for the explanation ---------------------------------------------------------


def test_focus_on_frames_the_given_points_and_returns(kiosk, browser) -> None:
    screen = Screen(browser, kiosk.base)
    screen.show("live", source="visitor")
    screen.still()
    extent = """(k) => { const d = window.__display;
      const ps = d.view.layout[k].positions.map((p) => d.stage.project(p));
      const xs = ps.map((p) => p.x / innerWidth), ys = ps.map((p) => p.y / innerHeight);
      return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]; }"""
    before = screen.page.evaluate(extent, 2)
    screen.page.evaluate(
        "() => window.__display.stage.focusOn(window.__display.view.layout[2].positions, 0.6)"
    )
    screen.page.wait_for_timeout(2500)
    x0, x1, y0, y1 = screen.page.evaluate(extent, 2)
    # 60 % of the binding side (here the height), centred on the screen.
    assert max(x1 - x0, y1 - y0) == pytest.approx(0.6, abs=0.05), (x0, x1, y0, y1)
    assert (x0 + x1) / 2 == pytest.approx(0.5, abs=0.05) and (y0 + y1) / 2 == pytest.approx(0.5, abs=0.05)
    screen.page.evaluate("() => window.__display.stage.focusOn(null)")
    screen.page.wait_for_timeout(2500)
    after = screen.page.evaluate(extent, 2)
    assert after == pytest.approx(before, abs=0.01)
    assert screen.close() == []
