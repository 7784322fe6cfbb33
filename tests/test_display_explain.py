"""The "How does it work?" tour on the real screen page, in Chromium against the real server.

The server starts the tour (the presenter's scene command; the tablet's button in the second
test) and sends its first step with every number; the test then stops listening to the server (an
init script lets it mute the page's event stream) and shows each step on the page with that same
event, as the server would send it later (so no test waits 40 s for the clock, nor races it), and
checks what a visitor sees: each step's text, its size (at least 32 px at 1080p), that its callout
sits beside the part of the network it names with the pointer on the exact spot, and that step 2
shows the neuron's sum with the numbers the server computed.
"""

from __future__ import annotations

import json
import re
import urllib.request
from decimal import ROUND_HALF_UP, Decimal

import pytest
from support import REPO
from support.api import post_json
from support.browsers import browser_missing

from tools.exhibit_process import ExhibitProcess

EN = json.loads((REPO / "display" / "i18n" / "en.json").read_text(encoding="utf-8"))
TABLET_EN = json.loads((REPO / "tablet_client" / "i18n" / "en.json").read_text(encoding="utf-8"))
VIEWPORT = {"width": 1920, "height": 1080}
BEATS = [("pixels", 0), ("neuron", 0), ("layers", 0), ("answer", 0), ("learned", 0), ("learned", 1)]
TITLES = {
    "pixels": EN["explainPixelsTitle"]["other"],
    "neuron": EN["explainNeuronTitle"],
    "layers": EN["explainLayersTitle"],
    "answer": EN["explainAnswerTitle"],
    "learned": EN["explainLearnedTitle"],
}
MIN_TEXT_PX = 32

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory):
    kiosk = ExhibitProcess(
        tmp_path_factory.mktemp("explain"), settings="display:\n  idle_seconds: 3600\nlanguage: en\n"
    )
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()


# Test instrumentation only: while window.__mute is true, the page's event streams deliver nothing.
MUTE = """
window.__mute = false;
window.EventSource = class extends window.EventSource {
  addEventListener(type, listener, ...rest) {
    super.addEventListener(type, (event) => window.__mute || listener(event), ...rest);
  }
};
"""


def open_screen(browser, base: str):
    errors: list[str] = []
    page = browser.new_page(viewport=VIEWPORT)
    page.add_init_script(MUTE)
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/")
    page.wait_for_function("() => window.__display?.view", timeout=60_000)
    return page, errors


def show_step(page, event: dict, name: str, phase: int) -> None:
    step = [n for n, _ in BEATS].index(name)
    beat = {**event, "step": step, "name": name, "phase": phase, "seconds": 8, "ends_in": 8}
    page.evaluate("([k, d]) => window.__display.dispatch(k, d)", ["explain", beat])
    page.wait_for_function(
        "(title) => document.querySelector('#explain-callout .explain-step-title')?.textContent === title",
        arg=TITLES[name],
        timeout=10_000,
    )
    # Placed by the frame loop; the camera eases to the part over about a second: wait until the
    # part's box on screen holds still (a slow software renderer takes longer).
    page.wait_for_function(
        """() => {
            const box = window.__display.explain.placed?.box;
            if (!box) return false;
            const last = window.__lastBox;
            window.__lastBox = box;
            return last && ["left", "right", "top", "bottom"].every((k) => Math.abs(box[k] - last[k]) < 1);
        }""",
        polling=400,
        timeout=30_000,
    )


def text_sizes(page) -> list[tuple[str, float]]:
    """Every visible text in the tour's callout and heading, with its font size in px."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#explain *')]
            .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
            .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
            .map((e) => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])"""
    )


def placement(page, name: str, event: dict) -> dict:
    """Where the page put the callout and pointer, and where the named part really is on screen."""
    return page.evaluate(
        """([name, event]) => {
            const d = window.__display, layout = d.view.layout, project = (p) => d.stage.project(p);
            const last = layout.length - 1;
            const spots = {
                neuron: layout[1].positions[event.neuron.index],
                answer: layout[last].positions[event.answer.digit],
            };
            const box = d.explain.callout.getBoundingClientRect();
            return {
                placed: d.explain.placed,
                callout: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
                spot: spots[name] ? project(spots[name]) : null,
            };
        }""",
        [name, event],
    )


SHOWN_CAPTIONS = """() => [...document.querySelectorAll('#layer-labels span')]
    .filter((e) => e.checkVisibility({visibilityProperty: true}))
    .map((e) => { const r = e.getBoundingClientRect();
        return [e.textContent, {left: r.left, right: r.right, top: r.top, bottom: r.bottom}]; })"""


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def number(value: float) -> str:
    """As the page's Intl.NumberFormat writes it: the shortest decimal that reads back as ``value``,
    rounded half away from zero (18.485 → 18.49, where Python's own format gives 18.48)."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{rounded:,.2f}"


def test_each_step_is_large_beside_its_part_and_step_2_shows_the_servers_sum(kiosk, browser) -> None:
    page, errors = open_screen(browser, kiosk.base)
    status, answer = post_json(f"{kiosk.base}/api/admin/scene", {"scene": "explain"}, kiosk.admin_token)
    assert status == 200, answer
    page.wait_for_function("() => window.__display.state.explain?.active", timeout=30_000)
    page.evaluate("() => { window.__mute = true; }")  # the server's clock moves on; the test leads now
    event = page.evaluate("() => window.__display.state.explain")
    assert page.evaluate("() => document.body.dataset.scene") == "explain"
    assert event["step"] == 0 and event["total"] == 5
    width, height = VIEWPORT["width"], VIEWPORT["height"]

    for name, phase in BEATS:
        show_step(page, event, name, phase)
        assert page.locator("#explain-callout").is_visible()
        assert page.locator("#answer").is_hidden()  # the tour says it all
        sizes = text_sizes(page)
        assert sizes, name
        small = [(text, size) for text, size in sizes if size < MIN_TEXT_PX]
        assert not small, (name, small)
        where = placement(page, name, event)
        placed, callout = where["placed"], where["callout"]
        # On screen, and beside the part (its box), not on top of it; the pointer's spot is in it.
        assert callout["left"] >= 0 and callout["right"] <= width and callout["top"] >= 0, (name, callout)
        assert callout["bottom"] <= height, (name, callout)
        box = placed["box"]
        gap = max(box["left"] - callout["right"], callout["left"] - box["right"])
        assert -2 <= gap <= 0.08 * width, (name, gap, box, callout)
        assert callout["top"] < box["bottom"] and callout["bottom"] > box["top"], (name, box, callout)
        spot = placed["spot"]
        assert (
            box["left"] - 2 <= spot["x"] <= box["right"] + 2
            and box["top"] - 2 <= spot["y"] <= box["bottom"] + 2
        )
        if where["spot"]:  # the pointer touches the very neuron / output the step names
            assert abs(spot["x"] - where["spot"]["x"]) < 3 and abs(spot["y"] - where["spot"]["y"]) < 3, name
        # The part is below the heading; every layer caption shown is whole, on screen, and clear of
        # the callout and the heading (a caption that would not be is hidden).
        head = page.locator(".explain-head").bounding_box()
        head = {
            "left": head["x"],
            "right": head["x"] + head["width"],
            "top": head["y"],
            "bottom": head["y"] + head["height"],
        }
        assert box["top"] >= head["bottom"], (name, box, head)
        captions = page.evaluate(SHOWN_CAPTIONS)
        assert captions, name  # some are shown: the checks below are not vacuous
        for text, caption in captions:
            assert caption["left"] >= 0 and caption["right"] <= width, (name, text, caption)
            assert caption["top"] >= 0 and caption["bottom"] <= height, (name, text, caption)
            assert not overlaps(caption, callout) and not overlaps(caption, head), (name, text, caption)
        text = page.locator("#explain-callout").inner_text()
        if name == "pixels":
            values = [v for row in event["pixels"]["values"] for v in row]
            cells = page.locator(".explain-cell").all_inner_texts()
            assert cells == [number(v) for v in values]
        if name == "neuron":
            neuron = event["neuron"]
            for term in neuron["terms"]:
                assert f"{number(term['value'])} × {number(term['weight'])}" in text
            assert f"+ {neuron['more']} more squares: {number(neuron['rest'])}" in text
            assert f"{EN['explainBias']}: {number(neuron['bias'])}" in text
            assert f"= {number(neuron['total'])}" in text
            assert EN["explainLit"].replace("{output}", number(neuron["output"])) in text  # what comes out
            assert page.evaluate("() => window.__display.view.selection.visible")  # the neuron is ringed
        if name == "answer":
            assert page.locator(".explain-digit").inner_text() == str(event["answer"]["digit"])
        if name == "learned":
            before = EN["explainBefore"].replace("{digit}", str(event["learned"]["before"]["digit"]))
            assert before in text
            assert ("60,000 handwritten digits" in text) == (phase == 1)
        page.screenshot(path=f"/tmp/explain-test-{name}-{phase}.png")

    # Another scene: the tour and its marks go, the camera frames the whole network again.
    page.evaluate("() => { window.__mute = false; }")
    post_json(f"{kiosk.base}/api/admin/scene", {"scene": "live"}, kiosk.admin_token)
    page.wait_for_function("() => window.__display.scene === 'live'", timeout=10_000)
    assert page.locator("#explain").is_hidden()
    assert page.evaluate("() => window.__display.stage.focus") is None
    page.close()
    assert errors == []


def test_the_tablets_button_starts_the_tour_on_the_screen(kiosk, browser) -> None:
    from playwright.sync_api import expect

    screen, errors = open_screen(browser, kiosk.base)
    request = urllib.request.Request(
        f"{kiosk.base}/api/admin/pairing",
        data=b"{}",
        headers={"Authorization": f"Bearer {kiosk.admin_token}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        code = json.loads(response.read())["code"]
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    tablet = context.new_page()
    tablet.on("pageerror", lambda e: errors.append(str(e)))
    tablet.goto(f"{kiosk.base}/tablet#code={code}")
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
    button = tablet.locator("#explain")
    expect(button).to_have_text(TABLET_EN["explainButton"])
    expect(button).to_be_enabled()
    button.click()
    expect(tablet.locator("#explain-message")).to_have_text(TABLET_EN["explainStarted"], timeout=10_000)
    screen.wait_for_function("() => window.__display.scene === 'explain'", timeout=10_000)
    event = screen.evaluate("() => window.__display.state.explain")
    assert event["active"] and event["step"] == 0
    assert re.search(r"\d", screen.locator("#explain-callout").inner_text())
    # A screen that connects now shows the step that is on (the server's whole state comes first).
    late, late_errors = open_screen(browser, kiosk.base)
    late.wait_for_function("() => window.__display.state.explain?.active", timeout=30_000)
    step = late.evaluate("() => window.__display.state.explain.name")
    late.wait_for_function(
        "(title) => document.querySelector('#explain-callout .explain-step-title')?.textContent === title",
        arg=TITLES[step],
        timeout=10_000,
    )
    assert late.locator("#explain-callout").is_visible()
    late.close()
    errors += late_errors
    tablet.screenshot(path="/tmp/explain-tablet.png")
    context.close()
    screen.close()
    assert errors == []
