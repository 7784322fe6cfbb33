"""HTTP routes of the presenter mode: log-in, holding the exhibit, and the live event stream.

- ``POST /api/presenter/login`` ``{"passphrase", "name"}`` → ``{"name"}`` and the session cookie
- ``POST /api/presenter/logout`` → ``{}``; ``GET /api/presenter/session`` → ``{"name"}`` or 401
- ``POST /api/presenter/take`` → ``{"holder"}``; ``POST /api/presenter/release`` → ``{"holder": null}``
- ``GET /api/presenter/events`` → Server-Sent Events: the screen's events and ``status``
The commands (captions, samples, tablets, remote drawing) are in commands.py; the contract with
the page is docs/presenter-api.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import unicodedata
from collections.abc import AsyncIterator

from aiohttp import web

from kiosk.admin import refuse_if_throttled
from kiosk.attract.director import DIRECTOR
from kiosk.config import Config, PresenterConfig
from kiosk.display.routes import SCREEN, SCREEN_HUB
from kiosk.http_errors import Rejected, read_json_object
from kiosk.hub import make_event
from kiosk.presenter import commands, holding
from kiosk.presenter.auth import COOKIE, PRESENTER, PresenterAuth, authorise_command, require_session
from kiosk.presenter.drawing import SEATS, DrawingSeats
from kiosk.presenter.feed import PresenterFeed
from kiosk.presenter.origin import check_origin, client_address
from kiosk.presenter.recent_log import RecentProblems
from kiosk.presenter.sessions import Session, SessionStore
from kiosk.presenter.status import FEED, PROBLEMS, publish_status, status
from kiosk.settings import CONFIG
from kiosk.streams import serve_stream
from kiosk.tablet.routes import TABLETS

MAX_NAME = 40
MAX_SESSIONS = 32
EVENTS_PER_SECOND = 10
STATUS_EVERY_S = 2.0

log = logging.getLogger(__name__)


def setup_presenter(app: web.Application, config: Config) -> None:
    """Add the presenter's routes; needs the screen, tablets and director set up first."""
    seats = DrawingSeats(app[TABLETS])
    auth = PresenterAuth(
        settings=lambda: _settings(app, config),
        sessions=SessionStore(
            time.monotonic,
            idle_s=lambda: _settings(app, config).session_hours * 3600,
            max_sessions=MAX_SESSIONS,
            on_end=seats.give_back,
        ),
    )
    app[PRESENTER], app[SEATS] = auth, seats
    app[FEED], app[PROBLEMS] = PresenterFeed(app[SCREEN_HUB]), RecentProblems()
    app.router.add_post("/api/presenter/login", login)
    app.router.add_post("/api/presenter/logout", logout)
    app.router.add_get("/api/presenter/session", session_info)
    app.router.add_post("/api/presenter/take", take)
    app.router.add_post("/api/presenter/release", release)
    app.router.add_get("/api/presenter/events", events)
    commands.add_routes(app)
    app.cleanup_ctx.append(_run_presenter)
    app.on_shutdown.append(_end_streams)


def _settings(app: web.Application, built_with: Config) -> PresenterConfig:
    running = app.get(CONFIG)  # the reloaded config once there is one (kiosk/settings.py)
    return (running.current if running is not None else built_with).presenter


async def _run_presenter(app: web.Application) -> AsyncIterator[None]:
    """Catch the log's problems and keep the status fresh (sessions expire here, too)."""
    logger = logging.getLogger("kiosk")
    logger.addHandler(app[PROBLEMS])
    app[SEATS].revoke_leftovers()
    task = asyncio.ensure_future(_keep_status(app))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    for session in app[PRESENTER].sessions.sessions():
        app[SEATS].give_back(session)
    logger.removeHandler(app[PROBLEMS])


async def _keep_status(app: web.Application) -> None:
    while True:
        await asyncio.sleep(STATUS_EVERY_S)
        try:
            ended = app[PRESENTER].sessions.sweep()
            if ended or app[FEED].streams:
                publish_status(app)
        except Exception:  # a bug here must not end the status for good: log it, go on
            log.exception("presenter status update failed")


async def _end_streams(app: web.Application) -> None:
    app[FEED].close()


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
    return await serve_stream(request, "presenter", hubs, initial, max_rate_hz=rate, address=address)


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
