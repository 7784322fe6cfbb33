"""The attract mode's scenes on the exhibit screen, in a real browser against the real server.

call_to_action, closed and samples, the presenter's caption and badge. The events are injected
with ``window.__display.dispatch`` into a page that loaded against a real kiosk (speaking German),
which is how they arrive from the event stream too; what is checked is what a visitor would see:
sizes, texts, colours, and whether the 3D scene is still being drawn.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PIL import Image
from support import REPO, layers
from support.api import post_json
from support.browsers import browser_missing

from tools.exhibit_process import ExhibitProcess

SHIPPED_EXPORT = REPO / "exports" / "mnist-mlp"
I18N = REPO / "display" / "i18n"
VIEWPORT = {"width": 1280, "height": 720}
SETTLED = "() => window.__display?.view && !window.__display.view.moving && window.__display.view.lines.sets"
EXHIBIT_ZONE = timezone(timedelta(hours=1))

# Chromium against the real exhibit: the browser and process layers (tests/support/layers.py).
browser_needed = layers.marks(
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
)


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory):
    settings = "display:\n  idle_seconds: 3600\nlanguage: de\n"
    kiosk = ExhibitProcess(tmp_path_factory.mktemp("scenes"), SHIPPED_EXPORT, settings=settings)
    kiosk.start()
    # The timeline stands still: no activation from the server overwrites the ones a test shows.
    status, answer = post_json(f"{kiosk.base}/api/admin/timeline", {"action": "pause"}, kiosk.admin_token)
    assert status == 200, answer
    try:
        yield kiosk
    finally:
        kiosk.stop()
        assert kiosk.tracebacks() == []


class Screen:
    def __init__(self, browser, base: str, **context) -> None:
        self.errors: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT, **context)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{base}/")
        self.page.wait_for_function(SETTLED, timeout=30_000)

    def dispatch(self, kind: str, data: dict) -> None:
        self.page.evaluate("([kind, data]) => window.__display.dispatch(kind, data)", [kind, data])

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def visible(self, selector: str) -> bool:
        return self.page.locator(selector).is_visible()

    def style(self, selector: str, prop: str) -> str:
        return self.page.evaluate(
            "([s, p]) => getComputedStyle(document.querySelector(s)).getPropertyValue(p)", [selector, prop]
        )

    def shown(self) -> None:
        """Wait for the frame that shows the newest activation's answer (texts change with the 3D ring)."""
        self.page.wait_for_function(
            "() => window.__display.view.shownFrame === window.__display.state.activation", timeout=10_000
        )

    def frames(self) -> int:
        return self.page.evaluate("() => window.__display.metrics.frames")

    def pixels(self) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(self.page.screenshot())).convert("RGB")).astype(int)

    def close(self) -> list[str]:
        self.context.close()
        return self.errors


@pytest.fixture
def screen(kiosk, browser):
    screen = Screen(browser, kiosk.base)
    yield screen
    assert screen.close() == []


def _rgb(css: str) -> np.ndarray:
    return np.array([int(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]])


# ---- texts ------------------------------------------------------------------------------------


def test_the_scenes_texts_are_translated() -> None:
    # Same keys, placeholders and grammar in every language: tests/test_i18n_files.py.
    keys = set(json.loads((I18N / "en.json").read_text(encoding="utf-8")))
    for key in ("drawPromptMore", "closedTitle", "opensRelative", "opensOn", "samplesWrong", "guidedBy"):
        assert key in keys


# ---- call to action ---------------------------------------------------------------------------


@browser_needed
def test_the_call_to_action_is_large_legible_and_moving(screen) -> None:
    screen.dispatch("scene", {"scene": "call_to_action", "text": ""})
    prompt = screen.page.locator("#call-to-action")
    assert prompt.is_visible()
    assert screen.text("#call-to-action") == "Zeichne eine Ziffer auf dem Tablet"
    assert screen.text(".invitation-more") == "… und sieh zu, wie das Netz sie liest"
    # Signage: at least a tenth of the screen's height per line, light on dark, readable from metres.
    size = float(screen.style("#call-to-action", "font-size").removesuffix("px"))
    assert size >= 0.1 * VIEWPORT["height"], size
    assert _rgb(screen.style("#call-to-action", "color")).min() > 200
    assert screen.style("#call-to-action", "animation-name") == "swell"
    # The pen on the tablet draws (SVG animation), and the network drifts on behind it.
    assert screen.visible(".invitation-glyph")
    paused = screen.page.evaluate("() => document.querySelector('.invitation-glyph').animationsPaused()")
    assert paused is False
    assert not screen.visible("#training") and not screen.visible("#answer")
    frames = screen.frames()
    screen.page.wait_for_function(f"() => window.__display.metrics.frames > {frames + 3}", timeout=10_000)
    box = prompt.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] < VIEWPORT["height"] / 2, "not above the network"
    # Once the camera has eased the network down, the second line and the tablet are above it all.
    screen.page.wait_for_timeout(2500)
    top = screen.page.evaluate(
        "() => Math.min(...window.__display.view.bounds().map((p) => window.__display.stage.project(p).y))"
    )
    for part in (".invitation-more", ".invitation-glyph"):
        above = screen.page.locator(part).bounding_box()
        assert above["y"] + above["height"] < top, (part, above, top)

    # A playlist's or presenter's own sentence is shown as written, without the exhibit's second line.
    screen.dispatch("scene", {"scene": "call_to_action", "text": "Kannst du das Netz reinlegen?"})
    assert screen.text("#call-to-action") == "Kannst du das Netz reinlegen?"
    assert not screen.visible(".invitation-more")
    # Back in the timeline the invitation is one modest line again, in the exhibit's words.
    screen.dispatch("scene", {"scene": "timeline"})
    assert screen.text("#call-to-action") == "Zeichne eine Ziffer auf dem Tablet"
    assert float(screen.style("#call-to-action", "font-size").removesuffix("px")) < size / 2
    assert screen.visible("#training") and not screen.visible(".invitation-glyph")


# ---- closed -----------------------------------------------------------------------------------


@browser_needed
def test_the_closed_screen_says_when_it_opens_and_stops_drawing(screen) -> None:
    tomorrow = datetime.now(EXHIBIT_ZONE).date() + timedelta(days=1)
    opens_at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=EXHIBIT_ZONE).isoformat()
    screen.dispatch("scene", {"scene": "closed", "opens_at": opens_at})
    assert screen.visible("#closed")
    assert screen.text("#closed h1") == "Geschlossen"
    assert screen.text("#closed-opens") == "Öffnet morgen um 10:00 Uhr"
    for part in ("#answer", "#training", "#layer-labels", "#call-to-action", "#samples"):
        assert not screen.visible(part), part

    # No frames while closed: the 3D scene is not rendered and nothing on the page animates.
    assert screen.page.evaluate("() => window.__display.drawing") is False
    frames = screen.frames()
    screen.page.wait_for_timeout(1500)
    assert screen.frames() == frames, "the 3D scene is still being rendered while closed"
    animations = "() => document.getAnimations().filter((a) => a.playState === 'running').length"
    assert screen.page.evaluate(animations) == 0
    assert screen.page.evaluate("() => document.querySelector('.invitation-glyph').animationsPaused()")
    # Dark: the screen as a whole is dim, the text on it bright.
    image = screen.pixels()
    assert image.mean() < 25, image.mean()
    box = screen.page.locator("#closed h1").bounding_box()
    title = image[int(box["y"]) : int(box["y"] + box["height"]), int(box["x"]) : int(box["x"] + box["width"])]
    assert title.max() > 230

    # Without an opening time ahead, it only says closed.
    screen.dispatch("scene", {"scene": "closed", "opens_at": None})
    assert screen.text("#closed-opens") == "" and screen.text("#closed h1") == "Geschlossen"

    # The kiosk out of reach while closed: "Closed" stays alone and calm, no notice over it.
    screen.page.evaluate("() => window.__display.overlays.setOffline(true)")
    assert screen.visible("#closed h1") and not screen.visible("#connection")
    assert screen.page.evaluate(animations) == 0
    screen.page.evaluate("() => window.__display.overlays.setOffline(false)")

    # Opening again: the network is drawn again.
    screen.dispatch("scene", {"scene": "timeline"})
    assert not screen.visible("#closed")
    assert screen.page.evaluate("() => window.__display.drawing") is True
    screen.page.wait_for_function(f"() => window.__display.metrics.frames > {frames + 3}", timeout=10_000)


@browser_needed
def test_opening_times_are_told_at_the_exhibit_in_its_language(kiosk, browser) -> None:
    # The browser in another time zone than the exhibit: the exhibit's wall clock still wins.
    screen = Screen(browser, kiosk.base, timezone_id="Asia/Tokyo")
    describe = """([iso, language, now]) => import('/common/opening.js')
        .then((m) => m.describeOpening(iso, language, Date.parse(now)))"""

    def told(iso, language, now="2025-03-03T20:00:00+01:00"):  # a Monday evening
        return screen.page.evaluate(describe, [iso, language, now])

    tomorrow = {"day": "tomorrow", "time": "10:00 AM", "relative": True}
    assert told("2025-03-04T10:00:00+01:00", "en") == tomorrow
    assert told("2025-03-04T10:00:00+01:00", "de") == {"day": "morgen", "time": "10:00", "relative": True}
    assert told("2025-03-04T10:00:00+01:00", "de", now="2025-03-04T08:30:00+01:00")["day"] == "heute"
    assert told("2025-03-06T09:30:00+01:00", "de") == {"day": "Donnerstag", "time": "9:30", "relative": False}
    assert told("2025-03-20T10:00:00+01:00", "en")["day"] == "Thursday, March 20"
    assert told("2025-03-20T10:00:00+01:00", "de")["day"] == "Donnerstag, 20. März"
    # Just before midnight at the exhibit (already the next day in UTC) it is still "tomorrow".
    assert told("2025-03-05T10:00:00-05:00", "en", now="2025-03-04T23:30:00-05:00")["day"] == "tomorrow"
    for nothing in (None, "", "soon", "2025-03-04T10:00:00"):  # no offset: whose 10 o'clock?
        assert told(nothing, "en") is None
    assert screen.close() == []


# ---- samples ----------------------------------------------------------------------------------


@browser_needed
def test_a_wrong_sample_shows_both_digits_kindly(screen) -> None:
    manifest = json.loads((SHIPPED_EXPORT / "manifest.json").read_text())
    accuracy = manifest["snapshots"][-1]["test_accuracy"]  # the live snapshot: the trained network
    frame = screen.page.evaluate("() => window.__display.state.activation")
    screen.dispatch("scene", {"scene": "samples", "which": "wrong"})
    assert screen.text("#samples h1") == "Ziffern, die es falsch liest"
    assert f"etwa {round((1 - accuracy) * 100)} falsch" in screen.text("#samples-about")

    probabilities = [0.02] * 10
    probabilities[9], probabilities[4] = 0.7, 0.14
    sample = frame | {"source": "sample", "probabilities": probabilities}
    screen.dispatch("activation", sample | {"label": 4, "digit": 9})
    screen.shown()
    assert screen.visible("#sample-line")
    assert screen.text("#sample-label") == "4" and screen.text("#sample-answer") == "9"
    assert screen.text("#sample-verdict") == "diesmal falsch"
    line = screen.text("#sample-line")
    assert "Ein Mensch schrieb" in line and "das Netz sagt" in line
    assert screen.text("#answer-digit") == "9"  # the network's answer, as in every scene
    # Marked in a calm colour: not the label's white, and no alarm red.
    wrong = _rgb(screen.style("#sample-answer", "color"))
    assert np.abs(wrong - _rgb(screen.style("#sample-label", "color"))).max() > 40
    assert not (wrong[0] > 180 and wrong[1] < 100 and wrong[2] < 100), f"{wrong} reads as an alarm"
    assert float(screen.style("#sample-answer", "font-size").removesuffix("px")) >= 0.08 * VIEWPORT["height"]

    # A right one: the same colours for both, and it says so.
    screen.dispatch("scene", {"scene": "samples", "which": "any"})
    screen.dispatch("activation", sample | {"label": 9, "digit": 9})
    screen.shown()
    german = json.loads((I18N / "de.json").read_text(encoding="utf-8"))
    assert screen.text("#samples h1") == german["samplesAny"]
    assert screen.text("#sample-verdict") == "richtig"
    assert screen.page.locator("#sample-line").get_attribute("data-wrong") is None
    assert screen.style("#sample-answer", "color") == screen.style("#sample-label", "color")

    screen.dispatch("scene", {"scene": "samples", "which": 7})
    assert screen.text("#samples h1") == "Viele Arten, eine 7 zu schreiben"
    # The network is drawn and drifts as in the other attract scenes.
    frames = screen.frames()
    screen.page.wait_for_function(f"() => window.__display.metrics.frames > {frames + 3}", timeout=10_000)
    assert screen.page.evaluate("() => window.__display.stage.drifting") is True


# ---- the presenter's caption and badge --------------------------------------------------------


@browser_needed
def test_a_presenters_caption_and_badge_come_and_go(screen) -> None:
    screen.dispatch("scene", {"scene": "timeline"})
    assert not screen.visible("#caption") and not screen.visible("#presenter-badge")
    text = "So sah das Netz nach einem Tag Training aus."
    screen.dispatch("caption", {"text": text})
    assert screen.visible("#caption") and screen.text("#caption") == text
    assert float(screen.style("#caption", "font-size").removesuffix("px")) >= 0.03 * VIEWPORT["height"]
    assert not screen.visible("#call-to-action"), "the caption takes the bottom line"
    screen.dispatch("caption", {"text": None})
    assert not screen.visible("#caption") and screen.visible("#call-to-action")

    screen.dispatch("exhibit", {"state": "presenter", "presenter": "Anna"})
    badge = screen.page.locator("#presenter-badge")
    assert badge.is_visible() and badge.inner_text() == "Führung: Anna"
    box = badge.bounding_box()  # discreet: small, in a corner
    assert box["x"] > VIEWPORT["width"] / 2 and box["y"] > VIEWPORT["height"] * 0.9
    assert box["height"] < 0.06 * VIEWPORT["height"]
    screen.dispatch("exhibit", {"state": "attract", "presenter": None})
    assert not badge.is_visible()

    # In the playground scene both stay clear of the playground: it makes room below.
    screen.dispatch("exhibit", {"state": "presenter", "presenter": "Anna"})
    screen.dispatch("caption", {"text": text})
    screen.dispatch("scene", {"scene": "playground"})
    screen.page.wait_for_function("() => document.querySelector('.playground')?.offsetHeight > 0")
    playground = screen.page.locator("#playground-scene").bounding_box()
    caption = screen.page.locator("#caption").bounding_box()
    assert playground["y"] + playground["height"] <= caption["y"] + 1, (playground, caption)


# ---- from the real event stream ---------------------------------------------------------------


def _command(kiosk: ExhibitProcess, what: str, body: dict) -> None:
    status, answer = post_json(f"{kiosk.base}/api/admin/{what}", body, kiosk.admin_token)
    assert status == 200, answer


@browser_needed
def test_the_screen_follows_the_servers_scenes_and_new_events(kiosk, screen) -> None:
    # The page subscribes to the new kinds: the stream's opening state reached it.
    has = "() => ['caption', 'exhibit'].every((kind) => kind in window.__display.state)"
    screen.page.wait_for_function(has, timeout=10_000)
    try:
        _command(kiosk, "scene", {"scene": "call_to_action"})
        screen.page.wait_for_function("() => window.__display.scene === 'call_to_action'", timeout=10_000)
        assert screen.text("#call-to-action") == "Zeichne eine Ziffer auf dem Tablet"

        # Test digits: the line beside the network says what the server's sample is and what it answered.
        _command(kiosk, "scene", {"scene": "samples"})
        screen.page.wait_for_function(
            "() => window.__display.scene === 'samples'"
            " && window.__display.state.activation?.source === 'sample'",
            timeout=10_000,
        )
        screen.shown()
        frame = screen.page.evaluate("() => window.__display.state.activation")
        assert screen.text("#sample-label") == str(frame["label"])
        assert screen.text("#sample-answer") == str(frame["digit"])
    finally:
        _command(kiosk, "scene", {"scene": "timeline"})
        _command(kiosk, "timeline", {"action": "pause"})
