"""The presenter's commands beyond the screen routes: caption, MNIST samples, tablets, remote drawing.

- ★ ``POST /api/admin/caption`` ``{"text": str | null}``; ★ ``POST /api/admin/sample`` ``{"index"}``
- ``GET /api/admin/samples?digit=0..9`` or ``?wrong=1`` → the shipped test digits with their pixels
- ``GET /api/admin/tablets``; ``POST /api/admin/tablets/revoke`` ``{"device"}``
- ``POST /api/presenter/drawing`` → ``{"credential"}`` for the presenter's remote drawing
★: a screen command (the hold rule, holding.py). All take the admin token or a presenter session.
"""

from __future__ import annotations

import base64
import logging

import numpy as np
from aiohttp import web

from kiosk.display.caption import MAX_CAPTION
from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import SCREEN, SEATS, TABLETS
from kiosk.presenter.auth import authorise_command, require_session
from kiosk.presenter.status import publish_status, tablet_list
from kiosk.tablet.devices import DeviceStoreError
from kiosk.tablet.signalling import tablet_label

log = logging.getLogger(__name__)

SAMPLE_QUERY = ("digit", "wrong")
DIGITS = tuple("0123456789")
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no", "")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/admin/caption", caption)
    app.router.add_post("/api/admin/sample", sample)
    app.router.add_get("/api/admin/samples", samples)
    app.router.add_get("/api/admin/tablets", tablets)
    app.router.add_post("/api/admin/tablets/revoke", revoke_tablet)
    app.router.add_post("/api/presenter/drawing", drawing)


async def caption(request: web.Request) -> web.Response:
    authorise_command(request, screen=True)
    text = (await read_json_object(request)).get("text")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_CAPTION):
        raise Rejected("bad_request", f'"text" must be text of at most {MAX_CAPTION} characters, or null')
    if text is not None and any(c in text for c in "\r\n\t\x00"):
        raise Rejected("bad_request", '"text" must be one line')
    request.app[SCREEN].show_caption(text)
    return web.json_response({"text": text.strip() or None if text else None})


async def sample(request: web.Request) -> web.Response:
    authorise_command(request, screen=True)
    index = (await read_json_object(request)).get("index")
    try:
        request.app[SCREEN].show_sample(index)
    except ValueError as e:
        raise Rejected("bad_request", f'"index": {e}') from None
    return web.json_response({"index": index})


async def samples(request: web.Request) -> web.Response:
    """The shipped MNIST test digits (of one digit, or those the network gets wrong), with pixels."""
    authorise_command(request, screen=False)
    digit, wrong = _sample_filter(request)
    screen = request.app[SCREEN]
    shipped = screen.timeline.samples
    if shipped is None:  # the export ships no samples
        return web.json_response({"samples": []})
    found = screen.sample_catalogue(digit, wrong)
    for entry in found:
        entry["pixels"] = _pixels(shipped.images[entry["index"]])
    return web.json_response({"samples": found})


async def tablets(request: web.Request) -> web.Response:
    authorise_command(request, screen=False)
    try:
        return web.json_response({"tablets": tablet_list(request.app)})
    except DeviceStoreError as e:
        raise Rejected("unavailable", f"paired tablets cannot be read: {e}", status=503) from None


async def revoke_tablet(request: web.Request) -> web.Response:
    commander = authorise_command(request, screen=False)
    device = (await read_json_object(request)).get("device")
    if not isinstance(device, str) or not device:
        raise Rejected("bad_request", '"device" must be a tablet\'s id (see GET /api/admin/tablets)')
    try:
        names = {d.id: d.name for d in request.app[TABLETS].devices.list()}  # for the log
        revoked = request.app[TABLETS].devices.revoke(device)
    except DeviceStoreError as e:
        raise Rejected("unavailable", f"paired tablets cannot be read: {e}", status=503) from None
    if not revoked:
        raise Rejected("bad_request", f"no paired tablet {device[:40]!r}", status=404)
    log.info("%s revoked by %s", tablet_label(device, names.get(device, "")), commander.who)
    request.app[SEATS].forget(device, why="revoked")  # hang up its connection, too
    publish_status(request.app)
    return web.json_response({"revoked": device})


async def drawing(request: web.Request) -> web.Response:
    session = require_session(request)  # the credential belongs to a session: not for the admin token
    try:
        credential = request.app[SEATS].credential_for(session)
    except (DeviceStoreError, ValueError) as e:
        raise Rejected("unavailable", f"no drawing credential could be made: {e}", status=503) from None
    publish_status(request.app)
    return web.json_response({"credential": credential})


def _sample_filter(request: web.Request) -> tuple[int | None, bool]:
    query = request.query
    unknown = sorted(set(query) - set(SAMPLE_QUERY))
    if unknown:
        raise Rejected("bad_request", f"unknown query key(s) {', '.join(unknown)}; allowed: digit, wrong")
    digit = query.get("digit")
    if digit is not None and digit not in DIGITS:
        raise Rejected("bad_request", '"digit" must be one digit, 0 to 9')
    wrong = query.get("wrong", "").lower()
    if wrong not in TRUE + FALSE:
        raise Rejected("bad_request", '"wrong" must be 1 (only those the network gets wrong) or 0')
    return (None if digit is None else int(digit)), wrong in TRUE


def _pixels(image: np.ndarray) -> str:
    """A 28×28 image in [0, 1] as base64 of 784 bytes (0 = background), row-major."""
    return base64.b64encode(np.clip(np.rint(image * 255), 0, 255).astype(np.uint8).tobytes()).decode()
