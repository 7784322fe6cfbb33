"""The presenter's page: ``/presenter`` and its files from ``presenter_client/``.

- ``GET /presenter`` (and ``/presenter/``) → ``index.html``
- ``GET /presenter/presenter.css``, ``/presenter/js/<module>.js`` and ``/presenter/i18n/<lang>.json``
  (its texts, read by ``/common/i18n.js``) → straight from the folder; nothing outside
  ``presenter_client/`` (and nothing but these) is served

The page asks ``/tablet/config.json`` for the exhibit's language, and everything else of
``/api/presenter/…`` and ``/api/admin/…`` (docs/presenter-api.md). It may not be framed by other
sites: it holds a logged-in session that can drive the exhibit.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

CLIENT_DIR = Path(__file__).resolve().parent.parent.parent / "presenter_client"

# no-cache: after an update a presenter's phone must not keep running yesterday's page.
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def setup_presenter_page(app: web.Application, folder: Path = CLIENT_DIR) -> None:
    """Serve the presenter page from ``folder`` under ``/presenter``."""
    index = folder / "index.html"
    stylesheet = folder / "presenter.css"

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(index, headers=PAGE_HEADERS)

    async def styles(request: web.Request) -> web.FileResponse:
        return web.FileResponse(stylesheet, headers={"Cache-Control": "no-cache"})

    app.router.add_get("/presenter", page)
    app.router.add_get("/presenter/", page)
    app.router.add_get("/presenter/presenter.css", styles)
    app.router.add_static("/presenter/js/", folder / "js", follow_symlinks=False, show_index=False)
    app.router.add_static("/presenter/i18n/", folder / "i18n", follow_symlinks=False, show_index=False)
