"""The presenter's "Teach it" and the visitors' verdicts in its status panel (presenter_client/js/
lesson.js, verdicts.js), in Chromium against the real exhibit.

- A visitor's "Yes" on the tablet is counted: the status panel shows today's right answers, in the
  column of the digit meant.
- The presenter shows a test digit and taps "Teach: it was …" another digit: the screen learns it,
  and the section says what the taught network says now; "Forget the lesson" brings the shipped
  network back.
- Odd or missing verdict counts show as none and break nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import pen_digits
from support.browsers import browser_missing
from support.lessons import lessons_ready

from tools.exhibit_process import QUIET_PLAYLIST, ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

PASSPHRASE = "a long test passphrase"
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory, export_dir: Path):
    from kiosk.presenter.passphrase import hash_passphrase

    settings = f'presenter:\n  passphrase_hash: "{hash_passphrase(PASSPHRASE)}"\n' + QUIET_PLAYLIST
    folder = tmp_path_factory.mktemp("lesson")
    kiosk = ExhibitProcess(folder, export_dir, tablet={"when_busy": "take_over"}, settings=settings)
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()
        assert kiosk.tracebacks() == []


@pytest.fixture
def presenter(browser, kiosk: ExhibitProcess):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{kiosk.base}/presenter")
    page.fill("#login-name", "Anna")
    page.fill("#login-passphrase", PASSPHRASE)
    page.click("#login-submit")
    expect(page.locator("#link")).to_have_attribute("data-state", "live")
    for section in ("status", "samples", "lesson"):
        details = page.locator(f"details[data-section={section}]")
        if not details.evaluate("(d) => d.open"):
            details.locator("summary").click()
    yield page
    context.close()
    assert errors == []


def _tablet_says_yes(browser, kiosk: ExhibitProcess) -> int:
    """A visitor draws on the tablet page and answers "Yes"; the digit the network said."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{kiosk.base}/tablet#code={kiosk.pairing_code()}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
        for stroke in pen_digits.fit(pen_digits.load(2)[1].strokes, page.locator("#surface").bounding_box()):
            page.mouse.move(*stroke[0])
            page.mouse.down()
            for point in stroke[1:]:
                page.mouse.move(*point)
                page.wait_for_timeout(8)
            page.mouse.up()
        expect(page.locator("#verdict")).to_have_attribute("data-state", "ask", timeout=5_000)
        digit = int(page.locator("#prediction-digit").text_content())
        page.locator("#verdict-yes").click()
        expect(page.locator("#verdict-message")).to_have_text("Thanks!")
        page.locator("#clear").click()  # the visitor leaves the drawing empty
        return digit
    finally:
        context.close()


def test_a_visitors_verdict_reaches_the_status_panel(browser, kiosk: ExhibitProcess, presenter) -> None:
    from playwright.sync_api import expect

    verdicts = presenter.locator("#st-verdicts")
    expect(verdicts).to_have_attribute("data-right", re.compile(r"^\d+$"))  # the first status came
    right_before = int(verdicts.get_attribute("data-right"))
    digit = _tablet_says_yes(browser, kiosk)
    expect(verdicts).to_have_attribute("data-right", str(right_before + 1), timeout=10_000)
    expect(verdicts.locator(".verdicts-today")).to_have_text(
        re.compile(rf"^Today: {right_before + 1} right, 0 wrong")
    )
    right_row = verdicts.locator("tr[data-kind=right] td")
    assert right_row.nth(digit).inner_text() == str(right_before + 1)
    presenter.locator("#section-status").screenshot(path="/tmp/presenter-verdicts.png")


def test_the_presenter_teaches_the_digit_on_screen_and_forgets_the_lesson(
    kiosk: ExhibitProcess, presenter
) -> None:
    from playwright.sync_api import expect

    if not lessons_ready(kiosk):
        pytest.skip("this export carries no teaching data")

    # A test digit on the screen, shown by the presenter (which takes the exhibit).
    thumb = presenter.locator("#samples-list .thumb").first
    expect(thumb).to_be_visible(timeout=10_000)
    thumb.click()
    expect(presenter.locator("#hold-text")).to_have_text("You hold the exhibit", timeout=5_000)
    label = int(thumb.locator(".thumb-label").inner_text())
    meant = (label + 1) % 10  # teach it something else than what it is: visible on the screen

    state = presenter.locator("#lesson-state")
    expect(state).to_have_text("Not taught: the shipped network reads", timeout=5_000)
    presenter.locator(f"#lesson-digits [data-meant='{meant}']").click()
    notice = presenter.locator("#notice")
    expect(notice).to_have_text(re.compile(rf"Lesson started: \d → {meant}\."), timeout=5_000)
    expect(state).to_have_text(re.compile(rf"(Learning|Taught) \d → {meant}"), timeout=10_000)
    expect(state).to_have_text(re.compile(rf"Taught \d → {meant}"), timeout=15_000)
    assert presenter.locator(f"#lesson-digits [data-meant='{meant}']").get_attribute("aria-pressed") == "true"
    presenter.locator("#section-lesson").screenshot(path="/tmp/presenter-lesson.png")

    presenter.locator("#lesson-forget").click()
    expect(notice).to_have_text("Back to the shipped network.")
    expect(state).to_have_text("Not taught: the shipped network reads", timeout=10_000)


def test_odd_verdict_counts_show_as_none(presenter) -> None:
    from playwright.sync_api import expect

    set_status = """(patch) => import("/presenter/js/store.js")
        .then((store) => store.set("status", { ...store.value("status"), ...patch }))"""
    verdicts = presenter.locator("#st-verdicts")
    for odd in (None, "many", {"today": {"right": -3, "wrong": "x", "digits": []}, "days": "none"}):
        presenter.evaluate(set_status, {"verdicts": odd})
        expect(verdicts.locator(".verdicts-today")).to_have_text("No verdicts yet today")
        assert verdicts.locator("table").count() == 0
    good = {
        "today": {"date": "2026-12-06", "right": 2, "wrong": 1, "digits": {"7": {"right": 2, "wrong": 1}}},
        "days": [
            {"date": "2026-12-06", "right": 2, "wrong": 1},
            {"date": "2026-12-05", "right": 9, "wrong": 1},
        ],
    }
    presenter.evaluate(set_status, {"verdicts": good})
    expect(verdicts.locator(".verdicts-today")).to_have_text("Today: 2 right, 1 wrong (67 % right)")
    assert verdicts.locator("tr[data-kind=wrong] td").all_inner_texts() == ["0"] * 7 + ["1", "0", "0"]
    # Today is not repeated among the last days.
    days = verdicts.locator(".verdicts-days li").all_inner_texts()
    assert len(days) == 1 and days[0].endswith(": 9 right, 1 wrong (90 % right)"), days
