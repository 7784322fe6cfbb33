"""``POST /api/infer``: what the network sees and says for a drawing sent over HTTP.

``{"strokes": [[[x, y, t_ms], ...], ...], "snapshot": id?}`` → the inference (kiosk/model/engine.py).
Anything a stranger on the network sends is checked before it reaches the model; a rejected
request gets a clear 400 (kiosk/http_errors.py). Inference takes well under a millisecond, so
it runs on the loop.
"""

from __future__ import annotations

from aiohttp import web

from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import CONFIG, DEFAULT_SNAPSHOT, ENGINE
from kiosk.model.engine import UnknownSnapshot
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import StrokeError, parse_strokes

INFER_KEYS = ("strokes", "snapshot")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/infer", infer)


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
