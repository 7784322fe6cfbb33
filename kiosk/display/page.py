"""The exhibit screen's page: ``/`` (and ``/display``) and its files, all served from this PC.

- ``display/index.html`` at ``/`` and ``/display``; ``display/{js,css,i18n}/`` under ``/display/``
- Three.js and the font from ``display/node_modules`` (npm, pinned in ``display/package-lock.json``)
  under ``/display/vendor/``: exhibit PCs are offline, so nothing comes from a CDN.
Only these folders are served, never the rest of ``display/``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

DISPLAY_DIR = Path(__file__).resolve().parent.parent.parent / "display"
VENDOR = {  # URL folder under /display/vendor/ → folder in display/node_modules
    "three": "three/build",
    "fonts": "@fontsource/atkinson-hyperlegible/files",
    "digits": "@fontsource/public-sans/files",  # plain zeros: Atkinson's only 0 is slashed
}

log = logging.getLogger(__name__)


def setup_display_page(app: web.Application, folder: Path = DISPLAY_DIR) -> None:
    index = folder / "index.html"

    async def page(request: web.Request) -> web.FileResponse:
        # no-cache: after an update the screen must not keep running yesterday's page.
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    for path in ("/", "/display", "/display/"):
        app.router.add_get(path, page)
    for name in ("js", "css", "i18n"):
        app.router.add_static(f"/display/{name}/", folder / name, follow_symlinks=False)
    for name, package_folder in VENDOR.items():
        vendor = folder / "node_modules" / package_folder
        if not vendor.is_dir():
            log.warning("%s is missing: the screen cannot start; run `make` (npm ci) in the project", vendor)
            continue
        app.router.add_static(f"/display/vendor/{name}/", vendor, follow_symlinks=False)
