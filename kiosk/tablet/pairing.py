"""Pairing windows: a short-lived, one-time numeric code that a tablet trades for its credential.

Staff open a window; the exhibit screen shows the code (digits only, so a tablet's number pad and
a QR code both work). The code is spent on first use, expires after ``ttl_s`` and is replaced
when a new window opens. Callers check ``Throttle.allow`` before ``redeem`` and record failures.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

MAX_INPUT_CHARS = 64  # what a tablet may send as a code before we even look at it
IGNORED = str.maketrans("", "", " \t\n\r-")  # "123 456" and "123-456" as shown on screen


@dataclass(frozen=True)
class PairingCode:
    code: str
    expires: float  # on the window's clock

    def display(self) -> str:
        """The code in groups of three for reading aloud or typing: "123 456"."""
        return " ".join(self.code[i : i + 3] for i in range(0, len(self.code), 3))


class PairingWindows:
    def __init__(self, clock: Callable[[], float], ttl_s: float, code_length: int = 6) -> None:
        if not math.isfinite(ttl_s) or ttl_s <= 0:
            raise ValueError(f"ttl_s must be a positive number of seconds, not {ttl_s!r}")
        if not 4 <= code_length <= 12:
            raise ValueError(f"code_length must be between 4 and 12, not {code_length!r}")
        self._clock, self.ttl_s, self._length = clock, float(ttl_s), code_length
        self._current: PairingCode | None = None

    def open(self) -> PairingCode:
        """Open a new window; the previous code, if any, stops working."""
        code = "".join(str(secrets.randbelow(10)) for _ in range(self._length))
        self._current = PairingCode(code, self._clock() + self.ttl_s)
        return self._current

    def current(self) -> PairingCode | None:
        """The code that would be accepted now, or None (none open, expired or spent)."""
        if self._current is not None and self._clock() >= self._current.expires:
            self._current = None
        return self._current

    def redeem(self, code: str) -> bool:
        """True, once, for the current unexpired code; spaces and dashes are ignored."""
        window = self.current()
        if window is None or not isinstance(code, str) or len(code) > MAX_INPUT_CHARS:
            return False
        given = code.translate(IGNORED).encode("utf-8")
        if not hmac.compare_digest(given, window.code.encode("ascii")):
            return False
        self._current = None  # spent
        return True

    def close(self) -> None:
        """End the window early (staff cancelled, or the tablet was paired)."""
        self._current = None
