"""The exhibit's three pages and the front-end files they share, all served from this PC.

- the screen: ``/`` (and ``/display``) → ``display/index.html``; ``display/{js,css,i18n}/`` under
  ``/display/``; Three.js and the fonts from ``display/node_modules`` (npm, pinned in
  ``display/package-lock.json``) under ``/display/vendor/``: exhibit PCs are offline, so nothing
  comes from a CDN. Nothing else of ``display/`` is served.
- the tablet: ``/tablet`` → ``tablet_client/index.html``; ``/tablet/<file>`` (CSS, ES modules, its
  texts); ``GET /tablet/config.json`` → ``{"language": "en", "languages": {"en": "English", "de":
  "Deutsch", …}, "playground": false}``: the staff's language, the languages a visitor may pick,
  each by its own name (``languageName`` in ``tablet_client/i18n/<lang>.json``), and whether the
  page offers its playground tab (``playground.tablet_controls``). The presenter asks it too.
- the presenter: ``/presenter`` → ``presenter_client/index.html``; ``/presenter/presenter.css``,
  ``/presenter/js/``, ``/presenter/i18n/``.
- what all three share: ``/common/<name>.js`` and ``/common/<name>.css`` → ``common_client/``
  (the event stream, API calls, opening hours, translations, the design tokens), and
  ``/common/facts.json`` (kiosk/client_facts.py).

Every page gets the same headers (``PAGE_HEADERS``): ``no-cache``, so after an update no screen,
tablet or phone keeps running yesterday's page, and no framing by other sites (a presenter's page
holds a session that can drive the exhibit; the presenter frames the tablet page itself, so
same-origin framing is allowed). Nothing outside a page's folder is served.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from kiosk.client_facts import setup_client_facts
from kiosk.keys import CONFIG
from kiosk.languages import languages

ROOT = Path(__file__).resolve().parent.parent
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}
FILE_HEADERS = {"Cache-Control": "no-cache"}
VENDOR = {  # URL folder under /display/vendor/ → folder in display/node_modules
    "three": "three/build",
    "fonts": "@fontsource/atkinson-hyperlegible/files",
    "digits": "@fontsource/public-sans/files",  # plain zeros: Atkinson's only 0 is slashed
}
COMMON_NAME = re.compile(r"[a-z0-9_-]+\.(?:js|css)")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Folders:
    """Where each page's files are (tests point them elsewhere)."""

    display: Path = ROOT / "display"
    tablet: Path = ROOT / "tablet_client"
    presenter: Path = ROOT / "presenter_client"
    common: Path = ROOT / "common_client"


def setup_pages(app: web.Application, folders: Folders = Folders()) -> None:
    """Serve the screen, the tablet and the presenter pages and their shared files."""
    # Explicit routes first: the tablet's static folder would otherwise claim /tablet/config.json.
    add_page(app, folders.display / "index.html", "/", "/display", "/display/")
    add_page(app, folders.tablet / "index.html", "/tablet", "/tablet/")
    add_page(app, folders.presenter / "index.html", "/presenter", "/presenter/")
    app.router.add_get("/tablet/config.json", tablet_config(folders.tablet))
    add_file(app, "/presenter/presenter.css", folders.presenter / "presenter.css")
    setup_client_facts(app)
    app.router.add_get("/common/{name}", common_file(folders.common))

    static = [(f"/display/{name}/", folders.display / name) for name in ("js", "css", "i18n")]
    static += [("/presenter/js/", folders.presenter / "js"), ("/presenter/i18n/", folders.presenter / "i18n")]
    static += [("/tablet/", folders.tablet)]
    for url, folder in static:
        app.router.add_static(url, folder, follow_symlinks=False, show_index=False)
    add_vendor(app, folders.display / "node_modules")


def add_page(app: web.Application, index: Path, *paths: str) -> None:
    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(index, headers=PAGE_HEADERS)

    for path in paths:
        app.router.add_get(path, page)


def add_file(app: web.Application, path: str, file: Path) -> None:
    async def serve(request: web.Request) -> web.FileResponse:
        return web.FileResponse(file, headers=FILE_HEADERS)

    app.router.add_get(path, serve)


def common_file(folder: Path) -> Handler:
    """``/common/<name>``: a plain ``.js`` or ``.css`` file directly in ``folder``, else 404."""

    async def serve(request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        path = folder / name
        if not COMMON_NAME.fullmatch(name) or not path.is_file():
            raise web.HTTPNotFound(text=f"no shared file {name!r}")
        return web.FileResponse(path, headers=FILE_HEADERS)

    return serve


def add_vendor(app: web.Application, node_modules: Path) -> None:
    for name, package_folder in VENDOR.items():
        vendor = node_modules / package_folder
        if not vendor.is_dir():
            log.warning("%s is missing: the screen cannot start; run `make` (npm ci) in the project", vendor)
            continue
        app.router.add_static(f"/display/vendor/{name}/", vendor, follow_symlinks=False)


def tablet_config(folder: Path) -> Handler:
    """``/tablet/config.json``, read per request: a reload may have changed the config."""

    async def serve(request: web.Request) -> web.Response:
        current = request.app[CONFIG].current
        settings = {
            "language": current.language,
            "languages": language_names(folder),
            "playground": current.playground.tablet_controls,
        }
        return web.json_response(settings, headers=FILE_HEADERS)

    return serve


def language_names(folder: Path = Folders.tablet) -> dict[str, str]:
    """Each language the exhibit speaks, by its own name: ``{"en": "English", "fr": "Français", …}``."""
    names = {}
    for language in languages():
        texts = json.loads((folder / "i18n" / f"{language}.json").read_text(encoding="utf-8"))
        names[language] = texts.get("languageName") or language
    return names
