"""HTTP routes of the presenter mode: log-in, holding the exhibit, and the live event stream.

- ``POST /api/presenter/login`` ``{"passphrase", "name"}`` → ``{"name"}`` and the session cookie
- ``POST /api/presenter/logout`` → ``{}``; ``GET /api/presenter/session`` → ``{"name"}`` or 401
- ``POST /api/presenter/take`` → ``{"holder"}``; ``POST /api/presenter/release`` → ``{"holder": null}``
- ``GET /api/presenter/events`` → Server-Sent Events: the screen's events and ``status``
The commands (captions, samples, tablets, remote drawing) are in commands.py; the contract with
the page is docs/presenter-api.md.
"""

from __future__ import annotations

import logging
import unicodedata

from aiohttp import web

from kiosk.admin import refuse_if_throttled
from kiosk.http_errors import Rejected, read_json_object
from kiosk.hub import make_event
from kiosk.keys import DIRECTOR, FEED, PRESENTER, SCREEN, STREAMS
from kiosk.presenter import commands, holding
from kiosk.presenter.auth import authorise_command, require_session
from kiosk.presenter.login import COOKIE
from kiosk.presenter.origin import check_origin, client_address
from kiosk.presenter.sessions import Session
from kiosk.presenter.status import publish_status, status
from kiosk.streams import serve_stream

MAX_NAME = 40
MAX_SESSIONS = 32
EVENTS_PER_SECOND = 10
STATUS_EVERY_S = 2.0

log = logging.getLogger(__name__)


def add_routes(app: web.Application) -> None:
    """The presenter's log-in, hold and stream routes, and its commands (commands.py)."""
    app.router.add_post("/api/presenter/login", login)
    app.router.add_post("/api/presenter/logout", logout)
    app.router.add_get("/api/presenter/session", session_info)
    app.router.add_post("/api/presenter/take", take)
    app.router.add_post("/api/presenter/release", release)
    app.router.add_get("/api/presenter/events", events)
    commands.add_routes(app)


def refresh_status(app: web.Application) -> None:
    """Every STATUS_EVERY_S (kiosk/exhibit.py): end idle sessions, and tell watching presenters."""
    ended = app[PRESENTER].sessions.sweep()
    if ended or app[FEED].streams:
        publish_status(app)


async def login(request: web.Request) -> web.Response:
    auth = request.app[PRESENTER]
    auth.require_log_in_on()
    check_origin(request, auth.allowed_origins, required=False)  # no page of another site may guess
    client = auth.as_client(request)
    refuse_if_throttled(client, auth.guesses)  # before reading anything
    body = await read_json_object(request)
    passphrase, name = body.get("passphrase"), _presenter_name(body.get("name"))
    if not isinstance(passphrase, str) or not passphrase:
        raise Rejected("bad_request", '"passphrase" must be text')
    await auth.check_passphrase(client, passphrase)
    token, session = auth.sessions.create(name)
    log.info("presenter %s logged in from %s", name, request.remote)
    response = web.json_response({"name": session.name})
    auth.set_cookie(request, response, token)
    publish_status(request.app)
    return response


async def logout(request: web.Request) -> web.Response:
    auth = request.app[PRESENTER]
    session = auth.session_of(request)
    if session is not None:
        check_origin(request, auth.allowed_origins)  # another site must not log presenters out
        auth.sessions.end(request.cookies[COOKIE])
        _release_if_last(request, session)
        publish_status(request.app)
    response = web.json_response({})
    auth.clear_cookie(request, response)
    return response


async def session_info(request: web.Request) -> web.Response:
    return web.json_response({"name": require_session(request).name})


async def take(request: web.Request) -> web.Response:
    session = require_session(request)  # holding needs a name: the admin token cannot take
    holding.take(request, session.name)
    return web.json_response({"holder": session.name})


async def release(request: web.Request) -> web.Response:
    commander = authorise_command(request, screen=False)
    holding.release(request, commander.name)
    return web.json_response({"holder": None})


async def events(request: web.Request) -> web.StreamResponse:
    commander = authorise_command(request, screen=False)
    app = request.app
    session = commander.session
    hubs = app[FEED].for_stream(lambda: session is None or not session.ended)

    def initial() -> list:
        screen = app[SCREEN].initial_events()
        if not any(event.kind == "exhibit" for event in screen):
            screen.append(make_event("exhibit", app[DIRECTOR].status()))
        return [*screen, make_event("status", status(app))]

    address = client_address(request, app[PRESENTER].options.behind_https_proxy)  # not the proxy's
    rate = EVENTS_PER_SECOND
    seats = app[STREAMS]
    return await serve_stream(request, seats, "presenter", hubs, initial, max_rate_hz=rate, address=address)


def _release_if_last(request: web.Request, session: Session) -> None:
    """A presenter who logs out gives the exhibit back, unless they are still logged in elsewhere."""
    still_in = session.name in request.app[PRESENTER].sessions.names()
    if holding.holder(request.app) == session.name and not still_in:
        holding.release(request, session.name)


def _presenter_name(value: object) -> str:
    """1-40 printable characters, spaces collapsed; shown to other presenters."""
    if not isinstance(value, str):
        raise Rejected("bad_request", f'"name" must be text: who you are, 1 to {MAX_NAME} characters')
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise Rejected("bad_request", '"name" must not hold control characters')
    name = " ".join(value.split())
    if not 1 <= len(name) <= MAX_NAME:
        raise Rejected("bad_request", f'"name" must have 1 to {MAX_NAME} characters')
    return name
