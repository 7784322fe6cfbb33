"""Who may send the exhibit a command: a script with the admin token, or a logged-in presenter.

``authorise_command`` is what every command route calls. The admin token (``Authorization:
Bearer``, kiosk/admin.py) wins when present and is checked exactly as before. Otherwise the
``kiosk_presenter`` cookie must name a live session, and a POST must come from this exhibit's
own page (kiosk/presenter/origin.py); screen commands then follow the hold rule (holding.py).
Log-in itself (the passphrase, sessions, the cookie) is login.py.
A request with neither credential gets the admin check's 401, as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from kiosk.admin import bearer_token
from kiosk.http_errors import Rejected
from kiosk.keys import ADMIN, PRESENTER
from kiosk.presenter import holding
from kiosk.presenter.login import COOKIE
from kiosk.presenter.origin import check_origin
from kiosk.presenter.sessions import Session

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Commander:
    """Who sent a command: a presenter (``name``, ``session``) or a script with the admin token."""

    name: str | None = None
    session: Session | None = None

    @property
    def is_admin(self) -> bool:
        return self.session is None

    @property
    def who(self) -> str:
        """For the log: "presenter 'Anna'", or "staff (admin token)"."""
        return "staff (admin token)" if self.is_admin else f"presenter {self.name!r}"


ADMIN_COMMANDER = Commander()


def authorise_command(request: web.Request, *, screen: bool) -> Commander:
    """The admin token, or a presenter session (+ Origin on a POST; + the hold rule if ``screen``)."""
    auth = request.app.get(PRESENTER)
    if auth is None or bearer_token(request) or COOKIE not in request.cookies:
        request.app[ADMIN].check(request)  # 429 / 401 "a valid admin token is needed", as before
        return ADMIN_COMMANDER
    session = require_session(request)
    if screen:
        holding.hold_for(request, session.name)
    return Commander(session.name, session)


def require_session(request: web.Request) -> Session:
    """The request's live presenter session (401 otherwise); a POST must come from our own page."""
    auth = request.app[PRESENTER]
    session = auth.session_of(request)
    if session is None:
        raise Rejected("unauthorized", "not logged in as a presenter (or the session ended); log in", 401)
    if request.method not in SAFE_METHODS:
        check_origin(request, auth.allowed_origins)
    return session


def has_presenter_cookie(request: web.Request) -> bool:
    return COOKIE in request.cookies and PRESENTER in request.app
