"""The tablet page: served safely from tablet_client/, and working in a real browser end to end."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from support import REPO
from support.browsers import BROWSER_ARGS, CHROMIUM, browser_missing

from kiosk.app import create_app
from kiosk.config import Config, ModelConfig, TabletConfig
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from tools.exhibit_process import ExhibitProcess

pytestmark = [pytest.mark.browser, pytest.mark.process]

JS_TYPES = {"application/javascript", "text/javascript"}


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, tmp_path: Path):
    config = Config(
        language="de", model=ModelConfig(export=export_dir), tablet=TabletConfig(state_dir=tmp_path / "state")
    )
    return await aiohttp_client(create_app(config, Engine(load_timeline(export_dir))))


async def test_page_is_html_that_loads_nothing_from_elsewhere(client) -> None:
    for path in ("/tablet", "/tablet/"):
        response = await client.get(path)
        assert response.status == 200
        assert response.content_type == "text/html"
    html = await response.text()
    assert '<script type="module" src="js/main.js">' in html
    assert not re.search(r"(?:https?:)?//", html), "the page must not name any other host"
    for url in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert url.startswith(("/tablet/", "/common/", "data:")) or not re.match(r"[a-z]+:", url), url


async def test_modules_and_styles_are_served_with_their_types(client) -> None:
    modules = sorted(p.name for p in (REPO / "tablet_client" / "js").glob("*.js"))
    assert {"main.js", "surface.js", "connection.js", "pairing.js", "i18n.js", "status.js"} <= set(modules)
    for name in modules:
        response = await client.get(f"/tablet/js/{name}")
        assert response.status == 200, name
        assert response.content_type in JS_TYPES, (name, response.content_type)
        source = await response.text()
        assert "http://" not in source and "https://" not in source, f"{name} reaches outside the exhibit"
    response = await client.get("/tablet/tablet.css")
    assert response.status == 200 and response.content_type == "text/css"


async def test_config_names_the_language(client) -> None:
    response = await client.get("/tablet/config.json")
    assert response.status == 200
    settings = await response.json()
    assert (settings["language"], settings["playground"]) == ("de", False)
    # The visitor's choices, each by its own name (its files' languageName).
    assert settings["languages"]["de"] == "Deutsch" and settings["languages"]["fr"] == "Français"


@pytest.mark.parametrize(
    "path",
    [
        "/tablet/../kiosk/app.py",
        "/tablet/%2e%2e/kiosk/app.py",
        "/tablet/%2E%2E%2Fkiosk%2Fapp.py",
        "/tablet/..%2fkiosk%2fapp.py",
        "/tablet/js/..%2f..%2fkiosk%2fapp.py",
        "/tablet/%252e%252e/kiosk/app.py",
        "/tablet/..\\kiosk\\app.py",
        "/tablet//etc/passwd",
    ],
)
async def test_nothing_outside_the_client_folder_is_served(client, path: str) -> None:
    from yarl import URL

    response = await client.get(URL(path, encoded=True), allow_redirects=False)
    body = await response.read()
    assert response.status in (403, 404), (path, response.status)
    assert b"create_app" not in body and b"root:" not in body


async def test_no_directory_listing(client) -> None:
    response = await client.get("/tablet/js/")
    assert response.status in (403, 404)


# ---- a real browser against the real server -------------------------------------------------


def _post(url: str, token: str) -> dict:
    request = urllib.request.Request(url, data=b"{}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _is_local(url: str, base: str) -> bool:
    return url.startswith((f"{base}/", "data:"))


def _draw_one(page, x: float = 0.5) -> None:
    """A "1" with the mouse: a short flag up to the top, then straight down, a frame between moves;
    ``x``: where across the surface (0 to 1)."""
    box = page.locator("#surface").bounding_box()
    x, top, height = box["x"] + box["width"] * x, box["y"] + box["height"] * 0.2, box["height"] * 0.6
    path = [(x - 40 + 10 * i, top + 60 - 15 * i) for i in range(5)]
    path += [(x, top + height * i / 20) for i in range(1, 21)]
    page.mouse.move(*path[0])
    page.mouse.down()
    for point in path[1:]:
        page.mouse.move(*point, steps=2)
        page.wait_for_timeout(16)
    page.mouse.up()


@pytest.fixture
def kiosk(tmp_path: Path, export_dir: Path):
    kiosk = ExhibitProcess(tmp_path, export_dir)
    try:
        kiosk.start()
        yield kiosk
    finally:
        kiosk.stop()
    assert kiosk.tracebacks() == []


@pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")
def test_tablet_pairs_draws_and_reconnects_in_chromium(kiosk: ExhibitProcess) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = kiosk.base
    code = _post(f"{base}/api/admin/pairing", kiosk.admin_token)["code"]
    console_errors: list[str] = []
    foreign: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
            page.on("pageerror", lambda e: console_errors.append(str(e)))
            page.on("request", lambda r: _is_local(r.url, base) or foreign.append(r.url))

            # Pairs with the code from the QR link, then connects.
            page.goto(f"{base}/tablet#code={code}")
            expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
            assert page.locator("#pairing").is_hidden()
            assert "code=" not in page.url  # the spent code is gone from the address

            # Draws a "1" on the surface: the exhibit answers with a digit.
            _draw_one(page)
            expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
            expect(page.locator("#prediction-probability")).to_have_text(re.compile(r"\d+ %"))
            assert page.locator("#surface-hint").is_hidden()
            page.screenshot(path="/tmp/tablet.png")
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                assert json.loads(response.read())["status"] == "ok"

            # Clear: an empty drawing shows no prediction.
            page.locator("#clear").click()
            expect(page.locator("#prediction")).to_have_attribute("data-empty", "true")
            expect(page.locator("#surface-hint")).to_be_visible()

            # A reload reconnects with the stored credential, no code needed.
            page.reload()
            expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
            assert page.locator("#pairing").is_hidden()

            # The exhibit restarts: the tablet says plainly it lost the link, the pen rests, the
            # drawing stays; then it comes back by itself.
            _draw_one(page)
            expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
            kiosk.stop()
            expect(page.locator("#connection")).to_have_attribute("data-state", re.compile("lost|connecting"))
            expect(page.locator("#link-notice")).to_be_visible(timeout=5_000)
            expect(page.locator("#link-title")).to_have_text("Lost the connection to the exhibit")
            assert page.evaluate("window.__tablet.surface.locked") is True
            _draw_one(page, x=0.7)  # the pen rests: no ink taken while nobody can answer it
            assert page.evaluate("window.__tablet.surface.strokes.length") == 1
            kiosk.start()
            expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
            expect(page.locator("#link-notice")).to_be_hidden()
            # The kept drawing is sent again and answered.
            expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
            page.locator("#clear").click()
            _draw_one(page)
            expect(page.locator("#prediction-digit")).to_have_text(re.compile(r"^[0-9]$"), timeout=10_000)
            # While it was down, the browser reported the refused connections; nothing else may appear.
            console_errors[:] = [e for e in console_errors if "ERR_CONNECTION_REFUSED" not in e]

            # A tablet that was never paired is asked for a code.
            fresh = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
            unpaired = fresh.new_page()
            unpaired.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
            unpaired.on("request", lambda r: _is_local(r.url, base) or foreign.append(r.url))
            unpaired.goto(f"{base}/tablet")
            expect(unpaired.locator("#pairing")).to_be_visible(timeout=10_000)
            expect(unpaired.locator("#pairing-code")).to_be_visible()
            expect(unpaired.locator("#connection")).to_have_attribute("data-state", "offline")
            unpaired.screenshot(path="/tmp/tablet-pairing.png")
        finally:
            browser.close()

    assert console_errors == []
    assert foreign == [], "the page must not reach beyond the exhibit"
