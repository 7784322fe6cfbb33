"""A presenter's log-in: the passphrase check (throttled, one at a time), the sessions and their cookie.

``PresenterAuth`` holds what log-in needs and reads the presenter settings each time it is asked,
so that a reload applies at once. Who may send which command is decided in auth.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from kiosk.admin import refuse_if_throttled
from kiosk.config import PresenterConfig
from kiosk.http_errors import Rejected
from kiosk.presenter.origin import client_address, is_https, normalise_origin
from kiosk.presenter.passphrase import PassphraseHash, parse_hash, verify_passphrase
from kiosk.presenter.sessions import Session, SessionStore
from kiosk.tablet.throttle import Throttle

COOKIE = "kiosk_presenter"


def _passphrase_guesses() -> Throttle:
    # A passphrase is guessable, unlike the 256-bit tokens: 5 wrong ones a minute per address; once
    # 20 a minute in all are spent, an address that guessed wrong waits while one that did not (the
    # real presenter) is still checked (kiosk/tablet/throttle.py), one scrypt check at a time.
    return Throttle(time.monotonic, per_key=5, global_=20, window_s=60)


@dataclass
class PresenterAuth:
    settings: Callable[[], PresenterConfig]  # asked each time: a reload applies at once
    sessions: SessionStore
    guesses: Throttle = field(default_factory=_passphrase_guesses)
    # scrypt takes ~50 ms of CPU: one check at a time, off the loop, after the throttle said yes.
    checking: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def options(self) -> PresenterConfig:
        return self.settings()

    @property
    def passphrase(self) -> PassphraseHash | None:
        text = self.options.passphrase_hash
        return parse_hash(text) if text else None  # validated when the config was loaded

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(filter(None, map(normalise_origin, self.options.allowed_origins)))

    def require_log_in_on(self) -> PassphraseHash:
        """The stored hash, or 503 saying that presenter log-in is off."""
        stored = self.passphrase
        if stored is None:
            message = "presenter log-in is off: staff set presenter.passphrase_hash in the exhibit's config"
            raise Rejected("unavailable", message, status=503)
        return stored

    def as_client(self, request: web.Request) -> web.Request:
        """``request`` with ``remote`` the browser's address (behind a trusted proxy: not the proxy's).

        Call it before reading the body: aiohttp cannot clone a request after that.
        """
        return request.clone(remote=client_address(request, self.options.behind_https_proxy) or "")

    async def check_passphrase(self, client: web.Request, passphrase: str) -> None:
        """Return if ``passphrase`` is right; 503 if log-in is off, 429 if throttled, else 401.

        ``client``: from ``as_client``, so that wrong guesses count against the right address.
        """
        stored = self.require_log_in_on()
        async with self.checking:
            refuse_if_throttled(client, self.guesses)
            if await asyncio.to_thread(verify_passphrase, passphrase, stored):
                return
            self.guesses.failure(client.remote)
        raise Rejected("unauthorized", "wrong passphrase", status=401)

    def session_of(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE)
        return self.sessions.get(token) if token else None

    def set_cookie(self, request: web.Request, response: web.StreamResponse, token: str) -> None:
        # No Max-Age: the server decides when a session ends (presenter.session_hours idle).
        response.set_cookie(COOKIE, token, **self._cookie_flags(request))

    def clear_cookie(self, request: web.Request, response: web.StreamResponse) -> None:
        response.del_cookie(COOKIE, **self._cookie_flags(request))

    def _cookie_flags(self, request: web.Request) -> dict:
        secure = is_https(request, self.options.behind_https_proxy)
        return {"path": "/", "httponly": True, "samesite": "Strict", "secure": secure or None}
