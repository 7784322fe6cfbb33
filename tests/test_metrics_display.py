"""The real exhibit screen (Chromium, software WebGL) reports its frame times, and /metrics shows them."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.browsers import browser_missing

from tools.exhibit_process import ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]


def scrape(base: str) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_the_screen_reports_its_frame_times_and_they_reach_the_metrics(browser, tmp_path: Path) -> None:
    kiosk = ExhibitProcess(
        tmp_path, settings="attract:\n  playlist:\n    - {scene: timeline, seconds: 3600}\n"
    )
    kiosk.start()
    page = None
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        answers: list[int] = []
        page.on("response", lambda r: r.url.endswith("/api/display/frame_times") and answers.append(r.status))
        page.goto(f"{kiosk.base}/")
        deadline = time.monotonic() + 60  # the page reports every 5 s; the machine may be busy
        while not (m := scrape(kiosk.base)).get(("nn_kiosk_screens_reporting", ())):
            assert time.monotonic() < deadline, "no frame-time report reached the exhibit"
            page.wait_for_timeout(500)
        p50 = m["nn_kiosk_screen_frame_seconds", (("quantile", "0.5"),)]
        p95 = m["nn_kiosk_screen_frame_seconds", (("quantile", "0.95"),)]
        assert 0 < p50 <= p95 < 60  # seconds between frames, as the page measured them
        assert m["nn_kiosk_screen_frame_reports_total", ()] >= 1
        while not answers:  # the page hears the answer a moment after the exhibit counted the report
            assert time.monotonic() < deadline, "the page saw no answer to its report"
            page.wait_for_timeout(100)
        assert set(answers) == {204}, answers  # the exhibit took every report
        screen = page.evaluate("() => window.__display.frameReport.screen")
        assert 1 <= len(screen) <= 32 and screen.isalnum()
        assert errors == []
    finally:
        if page is not None:
            page.close()
        kiosk.stop()
