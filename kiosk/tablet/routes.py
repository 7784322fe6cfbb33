"""HTTP routes for tablets: pairing, the WebRTC offer, and staff opening a pairing window.

- ``POST /api/tablet/pair`` ``{"code": "123456", "name": "by the door"}`` → ``{"device", "credential"}``
- ``POST /api/tablet/offer`` with ``Authorization: Bearer <credential>`` and ``{"type": "offer",
  "sdp": …}`` → the answer. Without a valid credential no peer connection is made (401).
- ``POST /api/tablet/problem`` with the credential and ``{"code": "no_webrtc", "browser": "…"}``: the
  page cannot connect and says why (``TABLET_PROBLEMS``), for the log and the presenter's status.
- ``POST /api/admin/pairing`` with ``Authorization: Bearer <admin token>`` (kiosk/admin.py), or from a
  presenter's session → a new pairing code and the tablet address to open with it; the screen
  shows both as a QR code.
Wrong codes and wrong credentials are throttled per client address and overall.
"""

from __future__ import annotations

import logging
import math
import time

from aiohttp import web

from kiosk.admin import bearer_token, refuse_if_throttled
from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import TABLETS
from kiosk.presenter.auth import authorise_command
from kiosk.tablet.devices import Device, DeviceStoreError
from kiosk.tablet.pairing import PairingCode
from kiosk.tablet.signalling import SignallingError, tablet_label

log = logging.getLogger(__name__)

# What a tablet page may report about itself (POST /api/tablet/problem), as staff read it.
TABLET_PROBLEMS = {
    "no_webrtc": "this browser has no WebRTC (RTCPeerConnection): use Safari, Chrome or Firefox",
    "ice_failed": "its connection failed again and again: does UDP pass between tablet and PC?",
    "channel_never_opened": "connected, but the drawing channel never opened",
}


def add_routes(app: web.Application) -> None:
    """Pairing, the WebRTC offer, problem reports and staff's pairing window (the tablets' side
    itself: kiosk/tablet/tablets.py, built in kiosk/exhibit.py)."""
    app.router.add_post("/api/tablet/pair", pair)
    app.router.add_post("/api/tablet/offer", offer)
    app.router.add_post("/api/tablet/problem", problem)
    app.router.add_post("/api/admin/pairing", open_pairing)


async def pair(request: web.Request) -> web.Response:
    tablets = request.app[TABLETS]
    body = await read_json_object(request)
    code, name = body.get("code"), body.get("name", "tablet")
    if not isinstance(code, str) or not isinstance(name, str):
        raise Rejected("bad_request", '"code" (the digits shown on the screen) and "name" must be text')
    refuse_if_throttled(request, tablets.code_guesses, hint="staff can open a new pairing window")
    if not tablets.pairing.redeem(code):
        tablets.code_guesses.failure(request.remote)
        raise Rejected("unauthorized", "wrong or expired pairing code", status=403)
    try:
        device, credential = tablets.devices.add(name, time.time())
    except (DeviceStoreError, ValueError) as e:
        raise Rejected("pairing_failed", f"the tablet could not be paired: {e}", status=503) from None
    tablets.on_pairing(None, True)
    log.info("%s paired from %s", tablet_label(device.id, device.name), request.remote)
    return web.json_response({"device": device.id, "name": device.name, "credential": credential})


def paired_device(request: web.Request) -> Device:
    """The paired tablet whose credential the request carries, or Rejected (401, 429, 503)."""
    tablets = request.app[TABLETS]
    refuse_if_throttled(request, tablets.key_guesses)
    try:
        device = tablets.devices.verify(bearer_token(request), time.time())
    except DeviceStoreError as e:
        raise Rejected("unavailable", f"paired tablets cannot be read: {e}", status=503) from None
    if device is None:
        tablets.key_guesses.failure(request.remote)
        raise Rejected("unauthorized", "this tablet is not paired (or was revoked): pair it", status=401)
    return device


async def offer(request: web.Request) -> web.Response:
    tablets = request.app[TABLETS]
    device = paired_device(request)
    body = await read_json_object(request)
    try:
        answer = await tablets.peers.answer(
            device.id, body.get("sdp"), body.get("type"), name=device.name, tablet_address=request.remote
        )
    except SignallingError as e:
        raise Rejected("busy" if e.status == 409 else "bad_offer", str(e), status=e.status) from None
    return web.json_response({"type": answer.type, "sdp": answer.sdp})


async def problem(request: web.Request) -> web.Response:
    """The tablet page says why it cannot connect; staff read it in the log and the presenter's status."""
    tablets = request.app[TABLETS]
    device = paired_device(request)
    body = await read_json_object(request)
    code, browser = body.get("code"), body.get("browser", "")
    if not isinstance(code, str) or code not in TABLET_PROBLEMS or not isinstance(browser, str):
        codes = ", ".join(TABLET_PROBLEMS)
        raise Rejected("bad_request", f'"code" must be one of {codes}; "browser" text (the user agent)')
    browser = "".join(c for c in browser[:160] if c.isprintable()) or "browser unknown"
    tablets.peers.report(device.id, device.name, code, f"{TABLET_PROBLEMS[code]} ({browser})")
    return web.json_response({"reported": code})


async def open_pairing(request: web.Request) -> web.Response:
    commander = authorise_command(request, screen=False)
    tablets = request.app[TABLETS]
    window = tablets.pairing.open()
    tablets.code_guesses.forget_overall()  # a new code, a fresh budget (kiosk/tablet/throttle.py)
    tablets.on_pairing(window, False)
    seconds = max(0, math.ceil(window.expires - time.monotonic()))
    minutes = tablets.pairing.ttl_s / 60
    log.info("pairing window opened by %s for %g min; the screen shows its code", commander.who, minutes)
    return web.json_response(
        {
            "code": window.code,
            "display": window.display(),
            "expires_in_s": seconds,
            "url": pairing_url(tablets.tablet_url, window),
        }
    )


def pairing_url(tablet_url: str, window: PairingCode) -> str:
    """The address in the QR code: the tablet page with the code, which the page then spends."""
    return f"{tablet_url}#code={window.code}"
