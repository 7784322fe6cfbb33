"""HTTP routes of the playground: its event stream and its controls.

- ``GET /api/train_stream`` → Server-Sent Events: config, status, points, metrics history, then
  live metrics, boundary, neuron maps and weights (docs/playground.md)
- ``POST /api/train`` ``{"action": "start", "config": {...}}`` | ``{"action": "pause" | "resume" |
  "reset"}`` | ``{"action": "step", "steps": 1..1000}``
Only the admin token (the attract scheduler, staff tools), a presenter's session (holding the
exhibit: docs/presenter-api.md) and a paired tablet's credential if ``playground.tablet_controls``
is on may drive it. Anonymous requests get 401.
"""

from __future__ import annotations

import hmac
import time

from aiohttp import web

from kiosk.admin import bearer_token, refuse_if_throttled
from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import ADMIN, CONFIG, PLAYGROUND, PLAYGROUND_HUB, SCREEN, STREAMS, TABLETS
from kiosk.playground.spec import SpecError, parse_spec
from kiosk.presenter.auth import authorise_command, has_presenter_cookie
from kiosk.streams import serve_stream
from kiosk.tablet.devices import DeviceStoreError

ACTIONS = ("start", "pause", "resume", "step", "reset")
COMMAND_KEYS = ("action", "config", "steps")
MAX_STEPS = 1000


def add_routes(app: web.Application) -> None:
    """The playground's stream and controls (the training session itself: kiosk/exhibit.py)."""
    app.router.add_get("/api/train_stream", train_stream)
    app.router.add_post("/api/train", train_command)


async def train_stream(request: web.Request) -> web.StreamResponse:
    app = request.app
    rate = app[CONFIG].current.playground.frames_per_second
    hub, initial = app[PLAYGROUND_HUB], app[PLAYGROUND].initial_events
    return await serve_stream(request, app[STREAMS], "playground", hub, initial, max_rate_hz=rate)


async def train_command(request: web.Request) -> web.Response:
    _authorise(request)
    body = await read_json_object(request)
    unknown = sorted(body.keys() - set(COMMAND_KEYS))
    if unknown:
        allowed = ", ".join(COMMAND_KEYS)
        raise Rejected("bad_request", f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    session = request.app[PLAYGROUND]
    action = body.get("action")
    if action == "start":
        try:
            spec = parse_spec(body.get("config", {}))
        except SpecError as e:
            raise Rejected("bad_request", f"config: {e}") from None
        # Someone is watching and waiting for it: a livelier pace than the screen's own runs.
        session.start(spec, request.app[CONFIG].current.playground.tablet_steps_per_second)
        request.app[SCREEN].show_playground()  # the screen shows the run someone started
    elif action == "step":
        steps = body.get("steps", 1)
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise Rejected("bad_request", f'"steps" must be a whole number from 1 to {MAX_STEPS}')
        session.step(steps)
    elif action in ("pause", "resume", "reset"):
        getattr(session, action)()
    else:
        raise Rejected("bad_request", f'"action" must be one of {", ".join(ACTIONS)}')
    return web.json_response({"run": session.run, "state": session.state})


def _authorise(request: web.Request) -> None:
    """The admin token, a presenter holding the exhibit, or a paired tablet's credential where staff
    allowed tablets to play."""
    admin = request.app[ADMIN]
    token = bearer_token(request)
    if not token and has_presenter_cookie(request):
        authorise_command(request, screen=True)
        return
    if token and hmac.compare_digest(token.encode(), admin.token.encode()):
        return
    needed = "the admin token or a paired tablet's credential is needed"
    if not token:  # no guess at all: refused, but not counted against the address
        raise Rejected("unauthorized", needed, status=401)
    refuse_if_throttled(request, admin.guesses)
    try:
        device = request.app[TABLETS].devices.verify(token, time.time())
    except DeviceStoreError as e:
        raise Rejected("unavailable", f"paired tablets cannot be read: {e}", status=503) from None
    if device is None:
        admin.guesses.failure(request.remote)
        raise Rejected("unauthorized", needed, status=401)
    if not request.app[CONFIG].current.playground.tablet_controls:
        raise Rejected("forbidden", "the playground is not open to tablets (playground.tablet_controls)", 403)
