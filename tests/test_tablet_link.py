"""The tablet page and its link to the exhibit, in Chromium: what a visitor sees when it fails.

- a browser without WebRTC says so plainly and staff learn it (log, /api/admin/tablets);
- a connection that keeps failing says so and is reported;
- after ``kill -9`` and a restart the tablet draws again within 2 s of the exhibit answering.
Firefox with its default settings, and a real network between two namespaces, are in
test_tablet_firefox.py and test_tablet_network.py.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from support.browsers import browser_missing

from tools.exhibit_process import ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

# The browser's connection reports "failed" shortly after each answer: ICE failing again and again.
FAILING_ICE = """
const Real = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Real {
  async setRemoteDescription(description) {
    setTimeout(() => {
      Object.defineProperty(this, "connectionState", { value: "failed" });
      this.onconnectionstatechange?.();
    }, 100);
  }
};
"""


def _post(url: str, token: str) -> dict:
    request = urllib.request.Request(
        url, data=b"{}", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _get(url: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def kiosk(tmp_path: Path, export_dir: Path):
    kiosk = ExhibitProcess(tmp_path, export_dir)
    try:
        kiosk.start()
        yield kiosk
    finally:
        kiosk.stop()
    assert kiosk.tracebacks() == []


@pytest.fixture
def page_for(browser, kiosk: ExhibitProcess):
    """A fresh tablet page, paired with a new code; ``init_script`` runs before the page's own."""
    contexts = []

    def open_page(init_script: str = ""):
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
        contexts.append(context)
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        code = _post(f"{kiosk.base}/api/admin/pairing", kiosk.admin_token)["code"]
        page.goto(f"{kiosk.base}/tablet#code={code}")
        return page

    yield open_page
    for context in contexts:
        context.close()


def _problems(kiosk: ExhibitProcess) -> list[dict | None]:
    return [t["problem"] for t in _get(f"{kiosk.base}/api/admin/tablets", kiosk.admin_token)["tablets"]]


def test_a_browser_without_webrtc_says_so_and_staff_are_told(page_for, kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect

    page = page_for("delete window.RTCPeerConnection;")
    expect(page.locator("#connection")).to_have_attribute("data-state", "unsupported", timeout=10_000)
    expect(page.locator("#link-title")).to_have_text("This browser cannot connect to the exhibit")
    expect(page.locator("#link-detail")).to_contain_text("Safari, Chrome or Firefox")
    page.screenshot(path="/tmp/tablet-unsupported.png")
    deadline = time.monotonic() + 5
    while _problems(kiosk) != [{"code": "no_webrtc", "detail": _problems(kiosk)[0]["detail"]}]:
        assert time.monotonic() < deadline, _problems(kiosk)
        time.sleep(0.1)
    assert "HeadlessChrome" in _problems(kiosk)[0]["detail"]  # which browser, for staff
    assert "has no WebRTC (RTCPeerConnection)" in kiosk.log.read_text()


def test_a_connection_that_keeps_failing_says_so_and_is_reported(page_for, kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect

    page = page_for(FAILING_ICE)
    expect(page.locator("#connection")).to_have_attribute("data-state", "blocked", timeout=15_000)
    expect(page.locator("#link-title")).to_have_text("This tablet cannot reach the exhibit")
    expect(page.locator("#link-detail")).to_contain_text("UDP")
    page.screenshot(path="/tmp/tablet-blocked.png")
    deadline = time.monotonic() + 5
    while [p and p["code"] for p in _problems(kiosk)] != ["ice_failed"]:
        assert time.monotonic() < deadline, _problems(kiosk)
        time.sleep(0.1)


def test_after_kill_9_the_tablet_draws_again_within_2_s_of_the_exhibit_answering(
    page_for, kiosk: ExhibitProcess
) -> None:
    from playwright.sync_api import expect

    page = page_for()
    connected = page.locator("#connection")
    expect(connected).to_have_attribute("data-state", "connected", timeout=20_000)
    kiosk.kill()
    kiosk.start()  # returns once /healthz answers
    answered = time.monotonic()
    expect(connected).to_have_attribute("data-state", "connected", timeout=10_000)
    expect(page.locator("#link-notice")).to_be_hidden()
    back_after = time.monotonic() - answered
    assert back_after <= 2.0, f"drawing again {back_after:.2f} s after the exhibit answered"
    assert page.evaluate("window.__tablet.surface.locked") is False  # the pen draws again
    box = page.locator("#surface").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)
    page.mouse.down()
    for i in range(1, 20):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100 + 20 * i, steps=2)
    page.mouse.up()
    expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
