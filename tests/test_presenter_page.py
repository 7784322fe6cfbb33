"""The presenter page (/presenter): served safely from presenter_client/, and in a real browser
against the real server.

The central check: a presenter logs in on a phone-sized page, switches the scene, and the exhibit
screen (a second page in the same browser) shows it. Around it: a wrong passphrase is told, a
second presenter sees who holds the exhibit and can command nothing until taking over, and the
remote drawing panel gets the tablet page drawing with the presenter's own credential.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aiohttp import web
from support import REPO, layers
from support.browsers import browser_missing

from kiosk.pages import setup_pages
from tools.exhibit_process import ExhibitProcess

CLIENT = REPO / "presenter_client"
JS_TYPES = {"application/javascript", "text/javascript"}
PASSPHRASE = "a long test passphrase"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
TABLET_KEY = "nn-kiosk.tablet"  # tablet_client/js/pairing.js


# ---- the files, from a bare app ---------------------------------------------------------------


@pytest.fixture
async def client(aiohttp_client):
    app = web.Application()
    setup_pages(app)
    return await aiohttp_client(app)


async def test_page_is_html_that_loads_nothing_from_elsewhere(client) -> None:
    for path in ("/presenter", "/presenter/"):
        response = await client.get(path)
        assert response.status == 200
        assert response.content_type == "text/html"
        assert response.headers["Cache-Control"] == "no-cache"
    html = await response.text()
    assert '<script type="module" src="js/main.js">' in html
    assert not re.search(r"(?:https?:)?//", html), "the page must not name any other host"


async def test_page_may_not_be_framed_by_another_site(client) -> None:
    """It holds a session that drives the exhibit: no clickjacking (it frames the tablet page itself)."""
    response = await client.get("/presenter")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


async def test_modules_and_styles_are_served_with_their_types(client) -> None:
    modules = sorted(p.name for p in (CLIENT / "js").glob("*.js"))
    expected = {"main.js", "events.js", "login.js", "status.js", "drawing.js", "i18n.js"}  # api.js: /common/
    assert expected <= set(modules)
    for name in modules:
        response = await client.get(f"/presenter/js/{name}")
        assert response.status == 200, name
        assert response.content_type in JS_TYPES, (name, response.content_type)
        source = await response.text()
        assert "http://" not in source and "https://" not in source, f"{name} reaches outside the exhibit"
        for imported in re.findall(r'from "\./([\w-]+\.js)"', source):
            assert imported in modules, f"{name} imports a missing {imported}"
    response = await client.get("/presenter/presenter.css")
    assert response.status == 200 and response.content_type == "text/css"


@pytest.mark.parametrize(
    "path",
    [
        "/presenter/../kiosk/app.py",
        "/presenter/%2e%2e/kiosk/app.py",
        "/presenter/js/..%2f..%2fkiosk%2fapp.py",
        "/presenter/js/%2e%2e/index.html",
        "/presenter/js/%252e%252e/%252e%252e/kiosk/app.py",
        "/presenter/js/..\\..\\kiosk\\app.py",
        "/presenter/index.html",  # only through /presenter
        "/presenter//etc/passwd",
    ],
)
async def test_nothing_outside_the_client_folder_is_served(client, path: str) -> None:
    from yarl import URL

    response = await client.get(URL(path, encoded=True), allow_redirects=False)
    body = await response.read()
    assert response.status in (403, 404), (path, response.status)
    assert b"create_app" not in body and b"root:" not in body


async def test_no_directory_listing(client) -> None:
    response = await client.get("/presenter/js/")
    assert response.status in (403, 404)


def test_every_text_exists_in_every_language() -> None:
    # Same keys in every language, and every key the page uses: tests/test_i18n_files.py.
    english = json.loads((CLIENT / "i18n" / "en.json").read_text(encoding="utf-8"))
    assert {"title", "loginTitle", "connected", "notConnected"} <= english.keys()


# ---- a real browser against the real server ---------------------------------------------------

# Chromium against the real exhibit: the browser and process layers (tests/support/layers.py).
browser_only = layers.marks(
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
)


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory, export_dir: Path):
    from kiosk.presenter.passphrase import hash_passphrase

    settings = (
        f'presenter:\n  passphrase_hash: "{hash_passphrase(PASSPHRASE)}"\n'
        # a quiet attract loop: the training history only, no playground training beside the tests
        "attract:\n  playlist:\n    - scene: timeline\n      seconds: 3600\n"
    )
    kiosk = ExhibitProcess(tmp_path_factory.mktemp("presenter"), export_dir, settings=settings)
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()
        assert kiosk.tracebacks() == []


class PresenterPage:
    """The presenter page in its own browser context (its own cookie: another presenter)."""

    def __init__(self, browser, base: str, viewport: dict = PHONE) -> None:
        self.base = base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.context = browser.new_context(viewport=viewport, has_touch=True)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "request", lambda r: r.url.startswith((f"{base}/", "data:")) or self.foreign.append(r.url)
        )
        self.page.goto(f"{base}/presenter")
        self.page.wait_for_selector("#login-form", state="visible")

    def log_in(self, name: str, passphrase: str = PASSPHRASE) -> None:
        self.page.fill("#login-name", name)
        self.page.fill("#login-passphrase", passphrase)
        self.page.click("#login-submit")

    def logged_in(self, name: str) -> None:
        from playwright.sync_api import expect

        self.log_in(name)
        expect(self.page.locator("#console")).to_be_visible()
        expect(self.page.locator("#link")).to_have_attribute("data-state", "live")
        expect(self.page.locator("#hold-text")).not_to_have_text(re.compile("Waiting"))

    def section(self, name: str) -> None:
        """Open a collapsible section (a phone shows few at first)."""
        details = self.page.locator(f"details[data-section={name}]")
        if not details.evaluate("(d) => d.open"):
            details.locator("summary").click()

    def release_if_held(self) -> None:
        from playwright.sync_api import expect

        if self.page.locator("#hold-release").is_visible():
            self.page.click("#hold-release")
            expect(self.page.locator("#hold-release")).to_be_hidden()
            expect(self.page.locator("#hold-text")).not_to_have_text("You hold the exhibit")

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors
        assert self.foreign == [], self.foreign


@browser_only
def test_a_wrong_passphrase_is_told_and_nothing_opens(browser, kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect

    presenter = PresenterPage(browser, kiosk.base)
    try:
        presenter.log_in("Anna", "not the passphrase at all")
        expect(presenter.page.locator("#login-message")).to_have_text(re.compile("Wrong passphrase"))
        expect(presenter.page.locator("#console")).to_be_hidden()
        assert presenter.context.cookies() == []
        # Without a name the page asks for one before bothering the exhibit.
        presenter.page.fill("#login-name", "  ")
        presenter.page.click("#login-submit")
        expect(presenter.page.locator("#login-message")).to_have_text(re.compile("Enter your name"))
    finally:
        presenter.close()


@browser_only
def test_a_lost_session_brings_back_the_log_in(browser, kiosk: ExhibitProcess) -> None:
    """Logged out elsewhere, or expired: the next command's 401 shows the log-in card again."""
    from playwright.sync_api import expect

    presenter = PresenterPage(browser, kiosk.base)
    try:
        presenter.logged_in("Dora")
        presenter.context.clear_cookies()
        presenter.page.click("button[data-scene=timeline]")
        expect(presenter.page.locator("#login-form")).to_be_visible()
        expect(presenter.page.locator("#login-message")).to_have_text(re.compile("session has ended"))
        expect(presenter.page.locator("#console")).to_be_hidden()
    finally:
        presenter.close()


@browser_only
def test_throttled_and_switched_off_log_ins_say_what_to_do(browser, kiosk: ExhibitProcess) -> None:
    """The exhibit's 429 and 503 as the page shows them (answered here: real throttling would lock
    this module's other log-ins out for a minute)."""
    from playwright.sync_api import expect

    presenter = PresenterPage(browser, kiosk.base)
    page = presenter.page
    answers = iter(
        [
            {"status": 429, "headers": {"Retry-After": "42"}, "json": {"error": "too many wrong attempts"}},
            {"status": 503, "json": {"error": "presenter log-in is off"}},
        ]
    )
    page.route("**/api/presenter/login", lambda route: route.fulfill(**next(answers)))
    try:
        presenter.log_in("Anna")
        expect(page.locator("#login-message")).to_have_text(re.compile(r"Try again in 4[12] s"))
        expect(page.locator("#login-submit")).to_be_disabled()
        page.evaluate("document.querySelector('#login-submit').disabled = false")
        presenter.log_in("Anna")
        expect(page.locator("#login-message")).to_have_text(re.compile("passphrase_hash"))
    finally:
        presenter.close()


@browser_only
def test_a_presenter_switches_the_scene_and_the_screen_shows_it(browser, kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect

    screen = browser.new_page(viewport={"width": 640, "height": 360})
    screen.goto(f"{kiosk.base}/")
    screen.wait_for_function("document.body.dataset.scene === 'timeline'", timeout=30_000)
    presenter = PresenterPage(browser, kiosk.base)
    page = presenter.page
    try:
        presenter.logged_in("Anna")
        expect(page.locator("#hold-text")).to_have_text("Attract mode is running")
        expect(page.locator("#hold-take")).to_have_text("Take the exhibit")
        expect(page.locator("button[data-scene=timeline]")).to_have_attribute("aria-pressed", "true")
        # the status panel: this page's presenter, and the screen above
        expect(page.locator("#st-presenters")).to_contain_text("Anna")
        expect(page.locator("#st-screens")).to_have_text("1 connected")

        page.click("button[data-scene=call_to_action]")
        screen.wait_for_function("document.body.dataset.scene === 'call_to_action'", timeout=10_000)
        expect(page.locator("button[data-scene=call_to_action]")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("button[data-scene=timeline]")).to_have_attribute("aria-pressed", "false")
        expect(page.locator("#hold-text")).to_have_text("You hold the exhibit")  # the command took it

        page.click("button[data-scene=samples]")
        screen.wait_for_function("document.body.dataset.scene === 'samples'", timeout=10_000)

        presenter.release_if_held()
        expect(page.locator("#hold-text")).to_have_text("Attract mode is running")
        page.click("#logout")
        expect(page.locator("#login-form")).to_be_visible()
        assert not any(cookie["name"] == "kiosk_presenter" for cookie in presenter.context.cookies())
    finally:
        screen.close()
        presenter.close()


@browser_only
def test_a_second_presenter_sees_who_holds_the_exhibit_and_must_take_over(
    browser, kiosk: ExhibitProcess
) -> None:
    from playwright.sync_api import expect

    anna = PresenterPage(browser, kiosk.base)
    ben = PresenterPage(browser, kiosk.base, LAPTOP)
    try:
        anna.logged_in("Anna")
        anna.page.click("button[data-scene=timeline]")
        expect(anna.page.locator("#hold-text")).to_have_text("You hold the exhibit")

        ben.logged_in("Ben")
        expect(ben.page.locator("#hold-text")).to_have_text("Anna holds the exhibit")
        expect(ben.page.locator("#hold-take")).to_have_text("Take over")
        expect(ben.page.locator("#hold-release")).to_be_hidden()
        for control in ("button[data-scene=live]", "#tl-play", "#neuron-show", "#caption-show", "#pg-start"):
            expect(ben.page.locator(control)).to_be_disabled()
        locked = ben.page.locator("#section-scene fieldset")
        expect(locked).to_have_attribute("data-locked", re.compile("Anna"))

        ben.page.click("#hold-take")
        expect(ben.page.locator("#hold-text")).to_have_text("You hold the exhibit")
        expect(ben.page.locator("button[data-scene=live]")).to_be_enabled()
        expect(anna.page.locator("#hold-text")).to_have_text("Ben holds the exhibit")
        expect(anna.page.locator("button[data-scene=live]")).to_be_disabled()

        # Should Anna's tap beat the news (the controls still on), the exhibit's 409 names the holder.
        anna.page.evaluate("document.querySelector('#section-scene fieldset').disabled = false")
        anna.page.click("button[data-scene=live]")
        expect(anna.page.locator("#notice")).to_have_text("Ben holds the exhibit. Take over first.")
        expect(ben.page.locator("button[data-scene=timeline]")).to_have_attribute("aria-pressed", "true")

        ben.release_if_held()
        expect(anna.page.locator("#hold-text")).to_have_text("Attract mode is running")
        expect(anna.page.locator("button[data-scene=live]")).to_be_enabled()
    finally:
        anna.close()
        ben.close()


def _draw_a_one(page, surface) -> None:
    """A "1" with the mouse on the (possibly scaled) surface inside the frame."""
    page.evaluate("document.querySelector('#drawing-frame-wrap').scrollIntoView({block: 'end'})")
    box = surface.bounding_box()
    x, top, height = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2, box["height"] * 0.6
    page.mouse.move(x - 12, top + 18)
    page.mouse.down()
    page.mouse.move(x, top, steps=4)
    for i in range(1, 21):
        page.mouse.move(x, top + height * i / 20, steps=2)
        page.wait_for_timeout(16)
    page.mouse.up()


@browser_only
def test_remote_drawing_runs_the_tablet_page_with_the_presenters_credential(
    browser, kiosk: ExhibitProcess
) -> None:
    from playwright.sync_api import expect

    presenter = PresenterPage(browser, kiosk.base, LAPTOP)
    page = presenter.page
    try:
        # This browser is also a paired tablet: its own pairing must survive the presenter's drawing.
        page.evaluate(f"localStorage.setItem('{TABLET_KEY}', JSON.stringify({{credential: 'own-tablet'}}))")
        presenter.logged_in("Cleo")
        presenter.section("drawing")
        page.click("#drawing-toggle")
        frame = page.frame_locator("#drawing-frame-wrap iframe")
        expect(frame.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
        expect(frame.locator("#pairing")).to_be_hidden()
        assert "presenter" in page.evaluate(f"localStorage.getItem('{TABLET_KEY}')")
        # The exhibit lists the drawing seat as connected.
        expect(page.locator("#st-tablets")).to_contain_text("presenter: Cleo")
        # Starting to draw brought the screen to its drawing scene; a stroke there reaches the network.
        page.wait_for_function("window.__presenter.state('scene')?.scene === 'live'")
        _draw_a_one(page, frame.locator("#surface"))
        page.wait_for_function(
            "(() => { const a = window.__presenter.state('activation');"
            " return a?.source === 'visitor' && a.digit !== null; })()"
        )
        expect(frame.locator("#prediction-digit")).to_have_text(re.compile(r"^\d$"))
        presenter.release_if_held()

        page.click("#drawing-toggle")
        expect(page.locator("#drawing-frame-wrap iframe")).to_have_count(0)
        assert "own-tablet" in page.evaluate(f"localStorage.getItem('{TABLET_KEY}')")
    finally:
        presenter.close()
