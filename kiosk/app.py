"""The HTTP server: routes wired to the model, and bad requests turned into clear 400s.

Anything a visitor's tablet (or a stranger on the network) sends is checked before it reaches
the model; a rejected request gets ``{"error": "..."}``, is counted by reason (see /healthz)
and logged in one line. Inference takes well under a millisecond, so it runs on the loop.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from pathlib import Path

from aiohttp import web

from kiosk.address import exhibit_url
from kiosk.admin import ADMIN, AdminAuth
from kiosk.attract.director import setup_director
from kiosk.config import Config, ConfigError
from kiosk.display.routes import setup_display
from kiosk.http_errors import REJECTED, Rejected, errors_as_json, read_json_object
from kiosk.metrics import setup_metrics
from kiosk.model.engine import Engine, UnknownSnapshot
from kiosk.model.export import Timeline, load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import StrokeError, parse_strokes
from kiosk.pages import setup_pages
from kiosk.playground.routes import PLAYGROUND, setup_playground
from kiosk.presenter.routes import setup_presenter
from kiosk.settings import CONFIG, STARTED, RunningConfig, stroke_limits
from kiosk.streams import STREAMS, StreamSeats
from kiosk.tablet.routes import pairing_url, setup_tablets

# Why requests were refused; all are listed in /healthz, zero or not, so the shape is stable.
REJECTION_REASONS = (
    *("too_large", "incomplete_body", "bad_json", "bad_request", "bad_strokes", "unknown_snapshot"),
    *("unauthorized", "throttled", "busy", "bad_offer", "pairing_failed", "unavailable"),  # tablets
    *("forbidden", "conflict"),  # presenters: an Origin refused, another presenter holds the exhibit
    "too_many_streams",  # event streams: no seat free (kiosk/streams.py)
)
INFER_KEYS = ("strokes", "snapshot")

ENGINE = web.AppKey("engine", Engine)
DEFAULT_SNAPSHOT = web.AppKey("default_snapshot", str)
INSTANCE = web.AppKey("instance", str)  # new at every start: tablets tell a restart from a slow link


def load_engine(config: Config) -> Engine:
    """Load the export the config names; fails (ExportError, ConfigError) before any visitor arrives."""
    timeline = load_timeline(config.model.export)
    resolve_snapshot(timeline, config.model.snapshot)
    return Engine(timeline)


def resolve_snapshot(timeline: Timeline, wanted: str) -> str:
    """The snapshot id for ``wanted`` ("final" or an id), or ConfigError naming the choices."""
    if wanted == "final":
        return timeline.final_id
    ids = [snapshot.id for snapshot in timeline.snapshots]
    if wanted not in ids:
        raise ConfigError(
            f"model.snapshot: export '{timeline.name}' has no snapshot {wanted!r}; "
            f"use final or one of: {', '.join(ids)}"
        )
    return wanted


def create_app(
    config: Config, engine: Engine | None = None, config_path: Path | None = None
) -> web.Application:
    """The exhibit's web application; loads the export named in ``config`` unless given ``engine``.

    ``config_path``: the file ``config`` came from, read again on reload (kiosk/reload.py).
    """
    engine = engine or load_engine(config)
    app = web.Application(client_max_size=config.server.max_body_bytes, middlewares=[errors_as_json])
    app[ENGINE] = engine
    app[DEFAULT_SNAPSHOT] = resolve_snapshot(engine.timeline, config.model.snapshot)
    app[CONFIG] = RunningConfig(config, config_path)
    app[REJECTED] = Counter({reason: 0 for reason in REJECTION_REASONS})
    app[STARTED] = time.monotonic()
    app[INSTANCE] = secrets.token_hex(8)
    app[ADMIN] = AdminAuth()
    app[STREAMS] = StreamSeats(lambda: app[CONFIG].current.streams)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/infer", infer)
    screen = setup_display(app, config, engine, app[DEFAULT_SNAPSHOT])
    tablet_url = f"{exhibit_url(config)}/tablet"
    tablets = setup_tablets(app, config, engine, stroke_limits(config), tablet_url, app[DEFAULT_SNAPSHOT])
    # The screen follows the tablet's answers and pairing windows; the attract machine its pen.
    tablets.peers.on_drawing = screen.show_drawing
    tablets.on_pairing = lambda window, paired: screen.show_pairing(
        window, pairing_url(tablet_url, window) if window else "", paired=paired
    )
    playground = setup_playground(app, config, on_start=screen.show_playground)
    setup_director(app, config, screen, playground, tablets.peers)
    setup_presenter(app, config)
    setup_pages(app)  # the screen, tablet and presenter pages, /common/ and /common/facts.json
    setup_metrics(app, engine.timeline.name)  # /metrics for the museum's monitoring (docs/monitoring.md)
    return app


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    return web.json_response(
        {
            "status": "ok",
            "instance": app[INSTANCE],
            "model": app[ENGINE].timeline.name,
            "snapshot": app[DEFAULT_SNAPSHOT],
            "uptime_s": round(time.monotonic() - app[STARTED], 1),
            "rejected": dict(app[REJECTED]),
            "playground": app[PLAYGROUND].health(),
            "streams": app[STREAMS].stats(),
        }
    )


async def infer(request: web.Request) -> web.Response:
    """``{"strokes": [[[x, y, t_ms], ...], ...], "snapshot": id?}`` → what the network sees and says."""
    body = await read_json_object(request)
    unknown = sorted(body.keys() - set(INFER_KEYS))
    if unknown:
        allowed = ", ".join(INFER_KEYS)
        raise Rejected("bad_request", f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    if "strokes" not in body:
        raise Rejected("bad_request", 'missing "strokes": a list of strokes, each a list of [x, y, t_ms]')
    snapshot = _requested_snapshot(request.app, body.get("snapshot"))
    try:
        drawing = parse_strokes(body["strokes"], request.app[CONFIG].stroke_limits)
    except StrokeError as exc:
        raise Rejected("bad_strokes", str(exc)) from None
    try:
        inference = request.app[ENGINE].infer(rasterise(drawing), snapshot)
    except UnknownSnapshot as exc:
        # KeyError's str() adds quotes; the message itself is args[0].
        raise Rejected("unknown_snapshot", str(exc.args[0])) from None
    return web.json_response(inference.to_json())


def _requested_snapshot(app: web.Application, requested: object) -> str:
    if requested is None:
        return app[DEFAULT_SNAPSHOT]
    if not isinstance(requested, str) or not requested:
        raise Rejected("bad_request", '"snapshot" must be a snapshot id (a string) or "final"')
    return app[ENGINE].timeline.final_id if requested == "final" else requested
