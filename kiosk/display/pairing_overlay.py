"""The pairing overlay: while staff have a pairing window open, the screen shows its QR code and code.

The QR code holds the tablet page's address with the code (``…/tablet#code=123456``), so scanning
it pairs a tablet; people read the short address (without the code) and the code in groups of
three ("123 456"). ``expires_in_s`` is counted from the moment the payload is made, so a screen
that connects later counts down from then, not from when the window opened.

Time comes from an injected clock (the pairing windows' own, kiosk/tablet/pairing.py): the
overlay never sets a timer; whoever drives it asks ``expired()`` (the screen's ``tick``) and then
closes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import segno

from kiosk.tablet.pairing import PairingCode

CLOSED = {"open": False, "paired": False}


class PairingOverlay:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._window: PairingCode | None = None
        self._url = self._qr = ""

    def open(self, window: PairingCode, url: str) -> None:
        """Show ``window``; ``url`` is the address its QR code holds (with the code)."""
        self._window, self._url, self._qr = window, url, qr_svg(url)

    def close(self) -> None:
        self._window, self._url, self._qr = None, "", ""

    def expired(self) -> bool:
        """True while a window is shown whose time is up."""
        return self._window is not None and self._clock() >= self._window.expires

    def payload(self) -> dict:
        """What the screen shows now: the open window, its time left counted from now, or CLOSED."""
        if self._window is None:
            return dict(CLOSED)
        return {
            "open": True,
            "code": self._window.display(),
            "url": self._url.split("#")[0],
            "qr": self._qr,
            "expires_in_s": max(0, math.ceil(self._window.expires - self._clock())),
        }


def qr_svg(text: str) -> str:
    """``text`` as a QR code (error correction M), an SVG data URI: black on white, 2-module border."""
    return segno.make(text, error="m").svg_data_uri(scale=10, border=2, dark="#000", light="#fff")
