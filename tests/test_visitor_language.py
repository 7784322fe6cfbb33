"""The visitor's language, round trip, in real browsers against the real server: a paired tablet
page picks "Français" from its language picker; its own texts turn French at once, and so do the
exhibit screen's (another page, fed by the server's events), and the presenter's status says which
language the screen speaks; after the visitor's idle time all are back in the staff's language
(English here). What is checked is rendered text (innerText of
visible elements), compared with the translation files, not hard-coded copies.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from support import REPO
from support.browsers import BROWSER_ARGS, CHROMIUM, browser_missing

from tools.exhibit_process import ExhibitProcess

pytestmark = [pytest.mark.browser, pytest.mark.process]

IDLE_S = 12  # the visitor's idle time: long enough for the checks, short enough to wait for
TABLET = {"width": 1024, "height": 768}
SCREEN = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
PASSPHRASE = "a long test passphrase"


def _texts(page: str, language: str) -> dict:
    return json.loads((REPO / page / "i18n" / f"{language}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory):
    from kiosk.presenter.passphrase import hash_passphrase

    kiosk = ExhibitProcess(
        tmp_path_factory.mktemp("visitor-language"),
        settings=f"display:\n  idle_seconds: {IDLE_S}\n"
        "attract:\n  playlist:\n    - scene: call_to_action\n      seconds: 3600\n"
        "language: en\n"
        f'presenter:\n  passphrase_hash: "{hash_passphrase(PASSPHRASE)}"\n',
    )
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()


def _pairing_code(kiosk: ExhibitProcess) -> str:
    headers = {"Authorization": f"Bearer {kiosk.admin_token}"}
    request = urllib.request.Request(f"{kiosk.base}/api/admin/pairing", data=b"{}", headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["code"]


def _draw_one(page) -> None:
    box = page.locator("#surface").bounding_box()
    x, top, height = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2, box["height"] * 0.6
    page.mouse.move(x, top)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x, top + height * i / 20, steps=2)
        page.wait_for_timeout(16)
    page.mouse.up()


@pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")
def test_a_visitors_language_reaches_the_screen_and_idle_brings_the_staffs_back(
    kiosk: ExhibitProcess,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    english, french = _texts("tablet_client", "en"), _texts("tablet_client", "fr")
    screen_en, screen_fr = _texts("display", "en"), _texts("display", "fr")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            screen = browser.new_context(viewport=SCREEN).new_page()
            tablet = browser.new_context(viewport=TABLET, has_touch=True).new_page()
            for page in (screen, tablet):
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            screen.goto(f"{kiosk.base}/")
            expect(screen.locator("#call-to-action")).to_have_text(screen_en["drawPrompt"], timeout=30_000)

            presenter = browser.new_context(viewport=PHONE).new_page()
            presenter.on("pageerror", lambda e: errors.append(str(e)))
            presenter.goto(f"{kiosk.base}/presenter")
            presenter.fill("#login-name", "Ana")
            presenter.fill("#login-passphrase", PASSPHRASE)
            presenter.click("#login-submit")
            expect(presenter.locator("#link")).to_have_attribute("data-state", "live", timeout=30_000)
            in_french = _texts("presenter_client", "en")["stateLanguage"].format(language="French")

            tablet.goto(f"{kiosk.base}/tablet#code={_pairing_code(kiosk)}")
            expect(tablet.locator("#connection")).to_have_attribute("data-state", "connected", timeout=30_000)
            expect(tablet.locator("h1")).to_have_text(english["title"])

            # The picker names the current language and offers every one by its own name.
            button = tablet.locator("#language-button")
            expect(button).to_have_text(english["languageName"])
            button.click()
            options = tablet.locator(".language-option")
            names = [_texts("tablet_client", code)["languageName"] for code in ("en", "de", "fr", "es", "nl")]
            assert set(names) <= {text.strip() for text in options.all_inner_texts()}
            tablet.locator(".language-option", has_text="Français").click()
            expect(tablet.locator(".language-list")).to_be_hidden()

            # The tablet speaks French at once, ...
            expect(tablet.locator("h1")).to_have_text(french["title"], timeout=10_000)
            expect(tablet.locator("#connection-text")).to_have_text(french["connected"])
            expect(button).to_have_text(french["languageName"])
            assert tablet.evaluate("document.documentElement.lang") == "fr"
            _draw_one(tablet)
            expect(tablet.locator("#prediction-probability")).to_contain_text("sûr à", timeout=15_000)

            # ... and so does the screen: the visitor's drawing, with the answer's words in French.
            screen.wait_for_function("document.documentElement.lang === 'fr'", timeout=15_000)
            lead = screen.locator(".answer-lead")
            expect(lead).to_be_visible(timeout=15_000)
            french_leads = _variants(screen_fr["predicted"])
            assert lead.inner_text().strip() in french_leads, lead.inner_text()
            assert lead.inner_text().strip() not in _variants(screen_en["predicted"])
            # The layer captions too (they are made once per network, so they are written again).
            captions = screen.locator("#layer-labels span")
            expect(captions.last).to_have_text(screen_fr["outputs"], timeout=10_000)
            # The presenter's page stays in the staff's English and says what the screen speaks.
            expect(presenter.locator("#st-exhibit")).to_contain_text(in_french, timeout=15_000)
            assert presenter.evaluate("document.documentElement.lang") == "en"

            # The visitor leaves: after the idle time the playlist and the staff's English are back.
            expect(screen.locator("#call-to-action")).to_have_text(
                screen_en["drawPrompt"], timeout=(IDLE_S + 30) * 1000
            )
            assert screen.evaluate("document.documentElement.lang") == "en"
            expect(tablet.locator("h1")).to_have_text(english["title"], timeout=15_000)
            expect(button).to_have_text(english["languageName"])
            expect(tablet.locator("#connection-text")).to_have_text(english["connected"])
            expect(presenter.locator("#st-exhibit")).not_to_contain_text(in_french, timeout=15_000)

            # A language the exhibit does not speak is refused and counted, and changes nothing.
            tablet.evaluate("window.__tablet.connection.send({type: 'language', language: 'xx'})")
            tablet.wait_for_timeout(500)
            assert tablet.evaluate("document.documentElement.lang") == "en"
        finally:
            browser.close()
    assert errors == []


def _variants(text: str | dict) -> set[str]:
    return {text} if isinstance(text, str) else {v for k, v in text.items() if k != "by"}
