"""HTTP routes of the exhibit screen: its event stream, connection sets, and commands.

- ``GET /api/display/events`` → Server-Sent Events: the whole state first, then live changes
- ``GET /api/display/connections/<snapshot>`` → each neuron's strongest incoming connections
- ``POST /api/admin/timeline`` ``{"action": "play" | "pause" | "seek" | "speed", ...}``
- ``POST /api/admin/scene`` ``{"scene": "live" | "timeline" | ...}`` (presenters: any but "closed")
- ``POST /api/admin/neuron`` ``{"index": 0..127 | null}``: show what a first-layer neuron looks for
Commands need the admin token (kiosk/admin.py) or a presenter session holding the exhibit
(kiosk/presenter/auth.py, docs/presenter-api.md).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TypeGuard

from aiohttp import web

from kiosk.display.player import SPEEDS
from kiosk.display.screen import SCENES, ExhibitScreen
from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import CONFIG, CONNECTIONS, SCREEN, SCREEN_HUB, STREAMS
from kiosk.presenter.auth import authorise_command
from kiosk.streams import serve_stream

log = logging.getLogger(__name__)

TIMELINE_ACTIONS = ("play", "pause", "seek", "speed")
# "closed" follows the opening hours (the attract machine); presenters cannot choose it, scripts can.
PRESENTER_SCENES = tuple(scene for scene in SCENES if scene != "closed")


def add_routes(app: web.Application) -> None:
    """The screen's stream, connection sets and commands (the screen itself: kiosk/exhibit.py)."""
    app.router.add_get("/api/display/events", events)
    app.router.add_get("/api/display/connections/{snapshot}", connections)
    app.router.add_post("/api/admin/timeline", timeline_command)
    app.router.add_post("/api/admin/scene", scene_command)
    app.router.add_post("/api/admin/neuron", neuron_command)


async def events(request: web.Request) -> web.StreamResponse:
    """The screen's stream; the log has a line when a screen connects (its stream got a seat and
    starts with the whole state) and when it goes, with how many screens are connected then."""
    app, connected = request.app, False

    def initial() -> list:
        nonlocal connected
        connected = True
        log.info("screen connected from %s (%s)", request.remote, _screens(app))
        return app[SCREEN].initial_events()

    rate = app[CONFIG].current.display.max_frame_rate
    try:
        return await serve_stream(request, app[STREAMS], "screen", app[SCREEN_HUB], initial, max_rate_hz=rate)
    finally:
        if connected:
            log.info("screen at %s disconnected (%s)", request.remote, _screens(app))


def _screens(app: web.Application) -> str:
    count = app[STREAMS].open_count("screen")
    return "no screen connected now" if count == 0 else f"{count} screen{'s' * (count > 1)} connected now"


async def connections(request: web.Request) -> web.Response:
    snapshot = request.match_info["snapshot"]
    try:
        body = request.app[CONNECTIONS].for_snapshot(snapshot)
    except KeyError:
        message = f"no snapshot {snapshot[:80]!r} in this export"
        raise Rejected("unknown_snapshot", message, status=404) from None
    # no-cache: a restart may bring another export with the same snapshot names; the page keeps its own copy.
    return web.json_response(body, headers={"Cache-Control": "no-cache"})


async def timeline_command(request: web.Request) -> web.Response:
    authorise_command(request, screen=True)
    body = await read_json_object(request)
    player = request.app[SCREEN].player
    action = body.get("action")
    if action == "play":
        player.play()
    elif action == "pause":
        player.pause()
    elif action == "seek":
        key = "index" if "index" in body else "snapshot"  # a position, or a snapshot id or position
        player.seek(_snapshot_index(request.app[SCREEN], body.get(key), key))
    elif action == "speed":
        speed = body.get("speed")
        if not _number_within(speed, *SPEEDS):
            raise Rejected("bad_request", f'"speed" must be a number from {SPEEDS[0]} to {SPEEDS[1]}')
        player.set_speed(speed)
    else:
        raise Rejected("bad_request", f'"action" must be one of {", ".join(TIMELINE_ACTIONS)}')
    return web.json_response(player.state())


async def scene_command(request: web.Request) -> web.Response:
    allowed = SCENES if authorise_command(request, screen=True).is_admin else PRESENTER_SCENES
    body = await read_json_object(request)
    scene = body.get("scene")
    if scene not in allowed:
        raise Rejected("bad_request", f'"scene" must be one of {", ".join(allowed)}')
    request.app[SCREEN].set_scene(scene)
    return web.json_response({"scene": scene})


async def neuron_command(request: web.Request) -> web.Response:
    authorise_command(request, screen=True)
    body = await read_json_object(request)
    index = body.get("index")
    count = request.app[SCREEN].timeline.architecture[1]
    if index is not None and not (_number_within(index, 0, count - 1) and isinstance(index, int)):
        raise Rejected("bad_request", f'"index" must be a first-layer neuron, 0 to {count - 1}, or null')
    request.app[SCREEN].select_neuron(index)
    return web.json_response({"index": index})


def _snapshot_index(screen: ExhibitScreen, wanted: object, key: str = "snapshot") -> int:
    """A snapshot id, or its position in the timeline (0 = random start)."""
    snapshots = screen.timeline.snapshots
    if _number_within(wanted, 0, len(snapshots) - 1) and isinstance(wanted, int):
        return wanted
    if isinstance(wanted, str):
        with contextlib.suppress(KeyError):
            return screen.timeline.index_of(wanted)
    raise Rejected(
        "unknown_snapshot",
        f'"{key}" must be a snapshot id or a position 0 to {len(snapshots) - 1}',
        status=404 if isinstance(wanted, str) else 400,
    )


def _number_within(value: object, low: float, high: float) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
