"""The presenter's status panel: is everything running? One ``status`` event's payload.

Uptime, how many exhibit screens follow the screen's stream, the paired tablets (connected or
not), who is logged in as a presenter, the last warnings and errors of the log, the visitors'
verdicts on the network's answers (today per digit, and the last days) and the lesson, if any.
"""

from __future__ import annotations

import time
from datetime import datetime

from aiohttp import web

from kiosk.keys import FEED, PRESENTER, PROBLEMS, STARTED, TABLETS, TEACHER, VERDICTS
from kiosk.tablet.devices import DeviceStoreError

STATUS_KEYS = ("device", "name", "connected", "problem")  # of each tablet, in the status panel


def status(app: web.Application) -> dict:
    return {
        "uptime_s": round(time.monotonic() - app[STARTED], 1),
        "screens": app[FEED].screens,
        "tablets": [{k: t[k] for k in STATUS_KEYS} for t in _tablets_or_none(app)],
        "presenters": app[PRESENTER].sessions.names(),
        "errors": app[PROBLEMS].entries(),
        "verdicts": app[VERDICTS].summary(),  # what visitors said of the answers, per day and digit
        "lesson": app[TEACHER].status(),
    }


def publish_status(app: web.Application) -> None:
    app[FEED].hub.publish("status", status(app))


def tablet_list(app: web.Application) -> list[dict]:
    """Paired tablets, oldest first, with whether each is connected now (its data channel open) and
    why it last failed to connect (None if it did not). DeviceStoreError if unreadable."""
    tablets = app[TABLETS]
    connected, problems = tablets.peers.connected(), tablets.peers.problems
    return [
        {
            "device": d.id,
            "name": d.name,
            "paired_at": _iso(d.created),
            "last_seen": _iso(d.last_seen),
            "connected": d.id in connected,
            "problem": problems.get(d.id),
        }
        for d in tablets.devices.list()
    ]


def _tablets_or_none(app: web.Application) -> list[dict]:
    try:
        return tablet_list(app)
    except DeviceStoreError:  # GET /api/admin/tablets says why; the panel just shows none
        return []


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix).astimezone().isoformat(timespec="seconds")
