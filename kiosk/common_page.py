"""Front-end modules every page shares: ``common_client/`` under ``/common/``.

- ``GET /common/<name>.js`` → ``common_client/<name>.js`` (e.g. ``i18n.js``, the one translation
  mechanism of the screen, the tablet and the presenter), with ``Cache-Control: no-cache`` like the
  pages themselves, so an update reaches a page on its next load.
Only plain ``.js`` files directly in that folder are served; any other name is 404.
"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

COMMON_DIR = Path(__file__).resolve().parent.parent / "common_client"
MODULE_NAME = re.compile(r"[a-z0-9_-]+\.js")


def setup_common_page(app: web.Application, folder: Path = COMMON_DIR) -> None:
    """Serve the shared modules in ``folder`` under ``/common/``."""

    async def module(request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        path = folder / name
        if not MODULE_NAME.fullmatch(name) or not path.is_file():
            raise web.HTTPNotFound(text=f"no shared module {name!r}")
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    app.router.add_get("/common/{name}", module)
