"""One presenter at a time holds the exhibit: the hold rule of docs/presenter-api.md.

A screen command from a presenter takes the exhibit if nobody holds it, counts as activity if
they hold it, and is refused (409, naming the holder) if someone else does; taking over is an
explicit ``POST /api/presenter/take``. Presenters are told apart by name: two sessions with the
same name (one guide, phone and laptop) share the hold.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from kiosk.attract.director import DIRECTOR, ExhibitDirector
from kiosk.http_errors import REJECTED

log = logging.getLogger("kiosk.app")  # where kiosk/http_errors.py logs the other refusals


def hold_for(request: web.Request, name: str) -> None:
    """Let ``name`` command the screen now, or answer 409 naming who holds the exhibit."""
    director = request.app[DIRECTOR]
    holder = director.holder
    if holder is None:
        director.take(name)
    elif holder == name:
        director.presenter_activity()
    else:
        raise held_by(request, holder)


def take(request: web.Request, name: str) -> None:
    request.app[DIRECTOR].take(name)


def release(request: web.Request, name: str | None) -> None:
    """``name`` gives the exhibit back (None: the admin token, which may release anyone's hold)."""
    director: ExhibitDirector = request.app[DIRECTOR]
    holder = director.holder
    if holder is not None and name is not None and holder != name:
        raise held_by(request, holder, "only they can release it")
    director.release()


def holder(app: web.Application) -> str | None:
    return app[DIRECTOR].holder


def held_by(request: web.Request, holder: str, advice: str = "take over first") -> web.HTTPConflict:
    """The 409 the contract asks for: ``{"error", "holder"}``, counted and logged like a Rejected.

    ``Rejected`` carries only a message, and the page needs the holder's name as data.
    """
    message = f"{holder} holds the exhibit; {advice}"
    request.app[REJECTED]["conflict"] += 1
    log.info("rejected %s %s from %s: conflict: %s", request.method, request.path, request.remote, message)
    body = json.dumps({"error": message, "holder": holder})
    return web.HTTPConflict(text=body, content_type="application/json")
