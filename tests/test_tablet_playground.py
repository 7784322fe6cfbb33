"""The tablet's playground tab: a visitor picks a pattern and a network, presses Play, and the big
screen trains it — against the real server in a real Chromium. Without ``tablet_controls`` the
page shows no tabs at all."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from support.api import post_json
from support.browsers import BROWSER_ARGS, CHROMIUM, browser_missing

from tools.exhibit_process import ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

VIEWPORT = {"width": 1024, "height": 768}


def _start_kiosk(tmp_path: Path, export_dir: Path, *, tablet_controls: bool) -> ExhibitProcess:
    settings = "playground:\n  tablet_controls: true\n" if tablet_controls else ""
    kiosk = ExhibitProcess(tmp_path, export_dir, settings=settings)
    kiosk.start()
    return kiosk


@pytest.fixture
def open_kiosk(tmp_path: Path, export_dir: Path):
    kiosk = _start_kiosk(tmp_path, export_dir, tablet_controls=True)
    try:
        yield kiosk
    finally:
        kiosk.stop()
    assert kiosk.tracebacks() == []


@pytest.fixture
def closed_kiosk(tmp_path: Path, export_dir: Path):
    kiosk = _start_kiosk(tmp_path, export_dir, tablet_controls=False)
    try:
        yield kiosk
    finally:
        kiosk.stop()
    assert kiosk.tracebacks() == []


def _sse_events(url: str, seconds: float = 15):
    """(kind, decoded data) of each event of an SSE stream, until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    with urllib.request.urlopen(url, timeout=seconds) as response:
        kind, data = None, []
        for raw in response:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line == "" and kind is not None:
                yield kind, json.loads("\n".join(data))
                kind, data = None, []
            assert time.monotonic() < deadline, f"{url}: no matching event within {seconds} s"


def _first(url: str, kind: str, matches=lambda data: True) -> dict:
    for event_kind, data in _sse_events(url):
        if event_kind == kind and matches(data):
            return data
    raise AssertionError(f"{url} ended without a {kind} event")


def _paired_page(browser, kiosk: ExhibitProcess, errors: list[str]):
    from playwright.sync_api import expect

    status, answer = post_json(f"{kiosk.base}/api/admin/pairing", {}, kiosk.admin_token)
    assert status == 200, answer
    context = browser.new_context(viewport=VIEWPORT, has_touch=True)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{kiosk.base}/tablet#code={answer['code']}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
    return page


def test_a_visitor_trains_a_network_on_the_big_screen(open_kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = open_kiosk.base
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = _paired_page(browser, open_kiosk, errors)

            # Two tabs; drawing comes first and works as without them.
            expect(page.locator("#tabs")).to_be_visible()
            expect(page.locator("#tab-draw")).to_have_attribute("aria-selected", "true")
            expect(page.locator("#surface")).to_be_visible()
            assert page.locator("#playground").is_hidden()

            page.locator("#tab-play").tap()
            expect(page.locator("#playground")).to_be_visible()
            assert page.locator("#surface").is_hidden()
            expect(page.locator(".pg-dataset")).to_have_count(6)

            # Circles, a third layer, one more neuron in the first layer, a little noise.
            circles = page.locator('.pg-dataset[data-dataset="circles"]')
            circles.tap()
            expect(circles).to_have_attribute("aria-checked", "true")
            diagram = page.locator("#pg-diagram")
            before = [int(n) for n in diagram.get_attribute("data-hidden").split(",") if n]
            page.locator("#pg-layer-add").tap()
            page.locator(".pg-column-hidden").first.locator(".pg-round").first.tap()  # its "+"
            hidden = [before[0] + 1, *before[1:], before[-1]]
            expect(diagram).to_have_attribute("data-hidden", ",".join(map(str, hidden)))
            expect(page.locator("#pg-layer-count")).to_have_text(str(len(hidden)))
            expect(page.locator(".pg-column-hidden")).to_have_count(len(hidden))
            page.locator("#pg-noise").fill("10")
            expect(page.locator("#pg-noise-value")).to_have_text("10 %")

            page.locator("#pg-play").tap()
            expect(page.locator("#pg-message")).to_contain_text("big screen")
            expect(page.locator("#pg-pause")).to_be_enabled()

            # The exhibit trains exactly that, and the big screen shows the playground.
            config = _first(
                f"{base}/api/train_stream",
                "config",
                lambda data: data["spec"]["dataset"] == "circles" and data["spec"]["hidden"] == hidden,
            )
            assert config["spec"]["noise"] == pytest.approx(0.1)
            assert config["spec"]["activation"] == "tanh"
            assert _first(f"{base}/api/display/events", "scene")["scene"] == "playground"
            page.screenshot(path="/tmp/tablet-playground.png")

            # Pause, resume, reset.
            page.locator("#pg-pause").tap()
            expect(page.locator("#pg-pause")).to_have_text("Resume")
            page.locator("#pg-pause").tap()
            expect(page.locator("#pg-pause")).to_have_text("Pause")
            page.locator("#pg-reset").tap()
            expect(page.locator("#pg-pause")).to_be_disabled()
            _first(f"{base}/api/train_stream", "status", lambda data: data["state"] == "idle")

            # A refusal is shown calmly, with the exhibit's own words.
            page.route(
                "**/api/train",
                lambda route: route.fulfill(
                    status=403,
                    content_type="application/json",
                    body=json.dumps({"error": "the playground is not open to tablets"}),
                ),
            )
            page.locator("#pg-play").tap()
            message = page.locator("#pg-message")
            expect(message).to_have_attribute("data-tone", "problem")
            expect(message).to_contain_text("not taking playground requests")
            refusal = "the playground is not open to tablets"
            expect(message.locator(".pg-message-detail")).to_have_text(refusal)
            expect(page.locator("#pg-pause")).to_be_disabled()  # nothing runs

            errors[:] = [e for e in errors if "status of 403" not in e]  # the browser logs the refusal

            # Back to drawing.
            page.locator("#tab-draw").tap()
            expect(page.locator("#surface")).to_be_visible()
            assert page.locator("#playground").is_hidden()
        finally:
            browser.close()
    assert errors == []


def test_without_tablet_controls_there_are_no_tabs(closed_kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = _paired_page(browser, closed_kiosk, errors)
            expect(page.locator("h1")).to_be_visible()
            assert page.locator("#tabs").is_hidden()
            assert page.locator("#playground").is_hidden()
            expect(page.locator("#surface")).to_be_visible()
            assert page.evaluate("document.body.dataset.tabs") is None
        finally:
            browser.close()
    assert errors == []
