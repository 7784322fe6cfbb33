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

import asyncio
import contextlib
import logging

from aiohttp import web

from kiosk.config import Config
from kiosk.display.connections import ConnectionSets
from kiosk.display.player import SPEEDS
from kiosk.display.screen import SCENES, ExhibitScreen
from kiosk.http_errors import Rejected, read_json_object
from kiosk.hub import EventHub
from kiosk.model.engine import Engine
from kiosk.presenter.auth import authorise_command
from kiosk.settings import CONFIG
from kiosk.streams import STREAMS, serve_stream

log = logging.getLogger(__name__)

SCREEN = web.AppKey("screen", ExhibitScreen)
SCREEN_HUB = web.AppKey("screen_hub", EventHub)
CONNECTIONS = web.AppKey("connections", ConnectionSets)
TIMELINE_ACTIONS = ("play", "pause", "seek", "speed")
TICK_S = 0.25  # how often the screen reads its clock: the samples scene, the tour, the pairing window
# "closed" follows the opening hours (the attract machine); presenters cannot choose it, scripts can.
PRESENTER_SCENES = tuple(scene for scene in SCENES if scene != "closed")


def setup_display(app: web.Application, config: Config, engine: Engine, live_snapshot: str) -> ExhibitScreen:
    """Add the screen's state, stream and command routes to ``app``; the timeline plays from start-up."""
    options = config.display
    hub = EventHub()
    screen = ExhibitScreen(
        hub,
        engine,
        live_snapshot,
        seconds_per_snapshot=options.seconds_per_snapshot,
        connections_per_neuron=options.connections_per_neuron,
        language=config.language,
    )
    app[SCREEN_HUB], app[SCREEN] = hub, screen
    app[CONNECTIONS] = ConnectionSets(engine.timeline, options.connections_per_neuron)
    app.router.add_get("/api/display/events", events)
    app.router.add_get("/api/display/connections/{snapshot}", connections)
    app.router.add_post("/api/admin/timeline", timeline_command)
    app.router.add_post("/api/admin/scene", scene_command)
    app.router.add_post("/api/admin/neuron", neuron_command)
    app.on_startup.append(_read_samples)
    app.cleanup_ctx.append(_run_screen)
    app.on_shutdown.append(_end_streams)
    return screen


async def _end_streams(app: web.Application) -> None:
    app[SCREEN_HUB].close()  # on_shutdown runs before aiohttp waits for handlers: streams end now


async def _read_samples(app: web.Application) -> None:
    app[SCREEN].sample_catalogue()  # which samples the network gets wrong: once, before any visitor


async def _run_screen(app: web.Application):
    """Play the timeline and tick the screen (its clock-driven scenes), from start-up to shutdown."""
    screen = app[SCREEN]
    tasks = [asyncio.ensure_future(screen.player.run()), asyncio.ensure_future(_tick(screen))]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _tick(screen: ExhibitScreen) -> None:
    """``screen.tick()`` every TICK_S, until cancelled; a failing tick is logged and the next one comes."""
    while True:
        await asyncio.sleep(TICK_S)
        try:
            screen.tick()
        except Exception:  # a bug here must not freeze the screen: log it, try again next tick
            log.exception("screen tick failed")


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
        return await serve_stream(request, "screen", app[SCREEN_HUB], initial, max_rate_hz=rate)
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
    if isinstance(wanted, int) and _number_within(wanted, 0, len(snapshots) - 1):
        return wanted
    if isinstance(wanted, str):
        with contextlib.suppress(KeyError):
            return screen.timeline.index_of(wanted)
    raise Rejected(
        "unknown_snapshot",
        f'"{key}" must be a snapshot id or a position 0 to {len(snapshots) - 1}',
        status=404 if isinstance(wanted, str) else 400,
    )


def _number_within(value: object, low: float, high: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
