"""The tablet's drawing page: ``/tablet`` and its files from ``tablet_client/``, plus its language.

- ``GET /tablet`` (and ``/tablet/``) → ``index.html``
- ``GET /tablet/config.json`` → ``{"language": "en", "languages": {"en": "English", "de": "Deutsch",
  …}, "playground": false}``: the staff's language, the languages a visitor may pick, each by its own
  name (``languageName`` in ``tablet_client/i18n/<lang>.json``), and whether the page offers its
  playground tab (``playground.tablet_controls``)
- ``GET /tablet/i18n/<lang>.json`` → the page's texts (read by ``/common/i18n.js``)
- ``GET /tablet/<file>`` → CSS and ES modules, straight from the folder; nothing outside it is served
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from kiosk.config import Config, languages
from kiosk.settings import CONFIG

CLIENT_DIR = Path(__file__).resolve().parent.parent.parent / "tablet_client"


def setup_tablet_page(app: web.Application, config: Config, folder: Path = CLIENT_DIR) -> None:
    """Serve the tablet page from ``folder`` under ``/tablet``."""
    index = folder / "index.html"

    async def page(request: web.Request) -> web.FileResponse:
        # no-cache: after an update the mounted tablet must not keep running yesterday's page.
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    async def client_config(request: web.Request) -> web.Response:
        current = request.app[CONFIG].current  # read per request: a reload may have changed it
        settings = {
            "language": current.language,
            "languages": language_names(folder),
            "playground": current.playground.tablet_controls,
        }
        return web.json_response(settings, headers={"Cache-Control": "no-cache"})

    # Explicit routes first: the static resource below would otherwise claim /tablet/config.json.
    app.router.add_get("/tablet", page)
    app.router.add_get("/tablet/", page)
    app.router.add_get("/tablet/config.json", client_config)
    app.router.add_static("/tablet/", folder, follow_symlinks=False, show_index=False)


def language_names(folder: Path = CLIENT_DIR) -> dict[str, str]:
    """Each language the exhibit speaks, by its own name: ``{"en": "English", "fr": "Français", …}``."""
    names = {}
    for language in languages():
        texts = json.loads((folder / "i18n" / f"{language}.json").read_text(encoding="utf-8"))
        names[language] = texts.get("languageName") or language
    return names
