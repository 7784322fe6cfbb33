"""The tablet while the exhibit is closed, in a real browser paired with and connected to the real server.

The exhibit tells the tablet with a `scene` message on the data channel (docs/protocol.md). Here
the message is handed to the page's own data-channel handler (``window.__tablet.connection``),
which parses it as it would one from the exhibit; drawing is then tried with the mouse as a
visitor would, and the real server's predictions show whether a stroke got through.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from support import REPO
from support.api import post_json
from support.browsers import browser_missing

from tools.exhibit_process import ExhibitProcess

VIEWPORT = {"width": 1024, "height": 768}
EXHIBIT_ZONE = timezone(timedelta(hours=1))


def test_the_tablet_tells_opening_times_with_the_screens_code() -> None:
    # One copy, shared by the screen and the tablet (common_client/), not one each.
    for page in ("tablet_client", "display"):
        closed = (REPO / page / "js" / "closed.js").read_text(encoding="utf-8")
        assert 'from "/common/opening.js"' in closed
        assert not (REPO / page / "js" / "opening.js").exists()
    assert (REPO / "common_client" / "opening.js").exists()


def test_the_tablet_says_when_it_opens() -> None:
    # The same keys in every language: tests/test_i18n_files.py.
    english = json.loads((REPO / "tablet_client" / "i18n" / "en.json").read_text(encoding="utf-8"))
    assert {"closedTitle", "opensRelative", "opensOn", "closedSoon"} <= english.keys()


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory):
    kiosk = ExhibitProcess(
        tmp_path_factory.mktemp("tablet-closed"),
        tablet={"when_busy": "take_over"},  # each test's tablet in turn
        settings="language: de\n",
    )
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()
        assert kiosk.tracebacks() == []


def _tomorrow_at_ten() -> str:
    day = datetime.now(EXHIBIT_ZONE).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=EXHIBIT_ZONE).isoformat()


class Tablet:
    """A paired tablet page, connected to the exhibit, counting the messages it sends."""

    def __init__(self, browser, kiosk: ExhibitProcess) -> None:
        status, window = post_json(f"{kiosk.base}/api/admin/pairing", {}, kiosk.admin_token)
        assert status == 200, window
        self.errors: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT, has_touch=True)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{kiosk.base}/tablet#code={window['code']}")
        self.page.wait_for_function(
            "() => document.getElementById('connection').dataset.state === 'connected'", timeout=20_000
        )
        # The exhibit greets each channel with its own `scene` message, which may land just after
        # "connected" shows (later on a busy PC): it must not come after a notice a test fakes.
        self.page.wait_for_timeout(1500)
        # Every stroke message the page sends, counted where it leaves the page.
        self.page.evaluate(
            """() => {
              const connection = window.__tablet.connection, send = connection.send.bind(connection);
              window.__sent = [];
              connection.send = (message) => (window.__sent.push(message.type), send(message));
            }"""
        )

    def close(self) -> list[str]:
        self.page.evaluate("() => window.__tablet.connection.stop()")
        self.context.close()
        return self.errors

    def receive(self, message: dict) -> None:
        """As if the exhibit had sent it on the data channel."""
        text = json.dumps({"v": 1, **message})
        self.page.evaluate("(data) => window.__tablet.connection.channel.onmessage({data})", text)

    def draw_one(self) -> None:
        """A "1" with the mouse, a frame between moves, as a visitor's finger would."""
        box = self.page.locator("#surface").bounding_box()
        x, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2
        self.page.mouse.move(x - 30, top + 40)
        self.page.mouse.down()
        for i in range(1, 21):
            self.page.mouse.move(x, top + box["height"] * 0.6 * i / 20, steps=2)
            self.page.wait_for_timeout(16)
        self.page.mouse.up()

    def strokes_sent(self) -> list[str]:
        return [t for t in self.page.evaluate("() => window.__sent") if t.startswith(("stroke", "points"))]


pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]


def test_a_closed_exhibit_shows_when_it_opens_and_takes_no_drawing(kiosk, browser) -> None:
    from playwright.sync_api import expect

    tablet = Tablet(browser, kiosk)
    page = tablet.page
    closed = page.locator("#closed")
    assert closed.is_hidden()

    # A visitor is drawing when the exhibit closes: the drawing goes, the notice comes.
    tablet.draw_one()
    expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
    tablet.receive({"type": "scene", "scene": "closed", "opens_at": _tomorrow_at_ten()})
    expect(closed).to_be_visible()
    assert page.locator("#closed h2").inner_text() == "Die Ausstellung ist geschlossen"
    assert page.locator("#closed-opens").inner_text() == "Sie öffnet morgen um 10:00 Uhr."
    assert page.evaluate("() => window.__tablet.surface.isEmpty")
    assert page.locator("#prediction").get_attribute("data-empty") == "true"
    # It covers the whole page, the tabs and buttons included.
    box = closed.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, VIEWPORT["width"], VIEWPORT["height"])

    # Drawing does nothing: not through the notice, and not on the surface itself either.
    tablet.page.evaluate("() => (window.__sent.length = 0)")
    tablet.draw_one()
    page.evaluate(
        """() => {
          const surface = document.getElementById('surface'), box = surface.getBoundingClientRect();
          const at = {clientX: box.x + 50, clientY: box.y + 50, pointerId: 7, pointerType: 'touch'};
          surface.dispatchEvent(new PointerEvent('pointerdown', at));
          surface.dispatchEvent(new PointerEvent('pointermove', {...at, clientY: box.y + 150}));
          surface.dispatchEvent(new PointerEvent('pointerup', at));
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__tablet.surface.isEmpty")
    assert tablet.strokes_sent() == []
    # The notice is on top: a tap on the buttons lands on it.
    on_top = """() => ['surface', 'clear', 'undo'].every((id) => {
      const box = document.getElementById(id).getBoundingClientRect();
      return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2).closest('#closed');
    })"""
    assert page.evaluate(on_top)

    # The exhibit opens again: the notice goes and drawing works.
    tablet.receive({"type": "scene", "scene": "timeline"})
    expect(closed).to_be_hidden()
    tablet.draw_one()
    expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
    assert tablet.strokes_sent()
    assert tablet.close() == []


def test_a_reconnected_tablet_opens_unless_the_exhibit_says_it_is_still_closed(kiosk, browser) -> None:
    from playwright.sync_api import expect

    tablet = Tablet(browser, kiosk)
    page = tablet.page
    tablet.receive({"type": "scene", "scene": "closed", "opens_at": None})
    expect(page.locator("#closed")).to_be_visible()
    assert page.locator("#closed-opens").inner_text() == ""  # no opening time known: none is made up

    # After a new connection the exhibit repeats "closed" at once while it is closed ...
    page.evaluate("() => window.__tablet.closedNotice.connected()")
    tablet.receive({"type": "scene", "scene": "closed", "opens_at": _tomorrow_at_ten()})
    page.wait_for_timeout(6_000)
    expect(page.locator("#closed")).to_be_visible()
    # ... and says nothing if it opened while the tablet was away: the tablet opens by itself.
    page.evaluate("() => window.__tablet.closedNotice.connected()")
    expect(page.locator("#closed")).to_be_hidden(timeout=8_000)
    assert not page.evaluate("() => window.__tablet.surface.locked")
    assert tablet.close() == []
