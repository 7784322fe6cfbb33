"""The presenter's lesson commands (docs/presenter-api.md); both are screen commands (the hold rule)
and take the admin token or a presenter session.

- ``POST /api/admin/lesson`` ``{"meant": 0..9}`` → a lesson on the digit on screen (the visitor's
  drawing, else the test sample shown): ``{"lesson", "meant", "was"}``; 409 with ``"reason"``
  "busy" (one runs), "no_digit" (nothing on screen to teach) or "unavailable".
- ``POST /api/admin/lesson/forget`` → the shipped network reads again: ``{"forgotten": bool}``.
"""

from __future__ import annotations

from aiohttp import web

from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import DEFAULT_SNAPSHOT, ENGINE, SCREEN, TEACHER
from kiosk.presenter.auth import authorise_command
from kiosk.teach.teacher import LessonRefused

REFUSALS = {
    "busy": "a lesson is running; wait for it to end",
    "no_digit": "there is no digit on the screen to teach: show a drawing or a test sample first",
    "unavailable": "this exhibit cannot teach: its export carries no teaching data (see the log)",
}


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/admin/lesson", lesson)
    app.router.add_post("/api/admin/lesson/forget", forget)


async def lesson(request: web.Request) -> web.Response:
    authorise_command(request, screen=True)
    meant = (await read_json_object(request)).get("meant")
    if isinstance(meant, bool) or not isinstance(meant, int) or not 0 <= meant <= 9:
        raise Rejected("bad_request", '"meant" must be a digit 0..9')
    app = request.app
    digit = app[SCREEN].digit
    if digit.source == "none":
        raise _refused("no_digit")
    was = app[ENGINE].infer(digit.image, app[DEFAULT_SNAPSHOT]).digit
    try:
        number = app[TEACHER].begin(digit.image, meant, was)
    except LessonRefused as e:
        raise _refused(e.reason) from None
    return web.json_response({"lesson": number, "meant": meant, "was": was})


async def forget(request: web.Request) -> web.Response:
    authorise_command(request, screen=True)
    return web.json_response({"forgotten": request.app[TEACHER].forget()})


def _refused(reason: str) -> Rejected:
    return Rejected("lesson_refused", REFUSALS[reason], 409, details={"reason": reason})
