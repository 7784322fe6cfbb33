"""Who may command the exhibit from a script: whoever holds the admin token.

The token is random per start and lies in the state folder, readable by the service's user only
(see ``kiosk.tablet.cli.publish_admin_token``): that is how ``python -m kiosk pair`` on the
exhibit PC, and later the attract scheduler's tools, prove they may open a pairing window or
drive the screen. Wrong tokens are throttled per client address and overall.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web

from kiosk.http_errors import Rejected
from kiosk.tablet.throttle import Throttle


def _guesses() -> Throttle:
    # Generous overall: 256-bit secrets need no tight limit, and strangers' failures never lock out
    # staff whose own address guessed nothing wrong (kiosk/tablet/throttle.py).
    return Throttle(time.monotonic, per_key=10, global_=200, window_s=60)


@dataclass
class AdminAuth:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    guesses: Throttle = field(default_factory=_guesses)

    def check(self, request: web.Request) -> None:
        """Raise Rejected (429 or 401) unless the request carries the admin token."""
        refuse_if_throttled(request, self.guesses)
        given = bearer_token(request)
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            if given:  # no token at all (e.g. a presenter whose session cookie expired) is no guess
                self.guesses.failure(request.remote)
            raise Rejected("unauthorized", "a valid admin token is needed", status=401)


def bearer_token(request: web.Request) -> str:
    """The value of ``Authorization: Bearer <value>``, or "" if there is none."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def refuse_if_throttled(request: web.Request, throttle: Throttle, hint: str = "") -> None:
    """429 with Retry-After if the request's address must wait; ``hint`` says what else helps."""
    retry = throttle.retry_after(request.remote)
    if retry > 0:
        raise Rejected(
            "throttled",
            f"too many wrong attempts; try again in {math.ceil(retry)} s" + (f" (or {hint})" if hint else ""),
            status=429,
            headers={"Retry-After": str(math.ceil(retry))},
        )
