"""One presenter at a time holds the exhibit: the hold rule of docs/presenter-api.md.

A screen command from a presenter takes the exhibit if nobody holds it, counts as activity if
they hold it, and is refused (409, naming the holder) if someone else does; taking over is an
explicit ``POST /api/presenter/take``. Presenters are told apart by name: two sessions with the
same name (one guide, phone and laptop) share the hold.
"""

from __future__ import annotations

from aiohttp import web

from kiosk.attract.director import ExhibitDirector
from kiosk.http_errors import Rejected
from kiosk.keys import DIRECTOR


def hold_for(request: web.Request, name: str) -> None:
    """Let ``name`` command the screen now, or answer 409 naming who holds the exhibit."""
    director = request.app[DIRECTOR]
    holder = director.holder
    if holder is None:
        director.take(name)
    elif holder == name:
        director.presenter_activity()
    else:
        raise held_by(holder)


def take(request: web.Request, name: str) -> None:
    request.app[DIRECTOR].take(name)


def release(request: web.Request, name: str | None) -> None:
    """``name`` gives the exhibit back (None: the admin token, which may release anyone's hold)."""
    director: ExhibitDirector = request.app[DIRECTOR]
    holder = director.holder
    if holder is not None and name is not None and holder != name:
        raise held_by(holder, "only they can release it")
    director.release()


def holder(app: web.Application) -> str | None:
    return app[DIRECTOR].holder


def held_by(holder: str, advice: str = "take over first") -> Rejected:
    """The 409 the contract asks for: ``{"error", "holder"}``."""
    return Rejected("conflict", f"{holder} holds the exhibit; {advice}", 409, details={"holder": holder})
