"""``GET /healthz``: is the exhibit up, and how is it doing? For staff, scripts and the self-test.

``{"status": "ok", "instance", "model", "snapshot", "uptime_s", "rejected": {reason: count},
"playground": {...}, "lessons": {"worker", "lessons", "state"}, "streams": {...}}``. ``instance``
is new at every start, so a tablet tells a restart from a slow link; every reason of
kiosk/http_errors.py's ``REJECTION_REASONS`` is listed, zero or not, so the shape is stable.
``lessons.worker`` is "ready" once the lesson process can teach (kiosk/teach/teacher.py).
"""

from __future__ import annotations

import time

from aiohttp import web

from kiosk.keys import DEFAULT_SNAPSHOT, ENGINE, INSTANCE, PLAYGROUND, REJECTED, STARTED, STREAMS, TEACHER


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    rejected = app[REJECTED]
    return web.json_response(
        {
            "status": "ok",
            "instance": app[INSTANCE],
            "model": app[ENGINE].timeline.name,
            "snapshot": app[DEFAULT_SNAPSHOT],
            "uptime_s": round(time.monotonic() - app[STARTED], 1),
            "rejected": dict(rejected),
            "playground": app[PLAYGROUND].health(),
            "lessons": app[TEACHER].health(),
            "streams": app[STREAMS].stats(),
        }
    )
