"""Who is logged in as a presenter: random tokens, kept in memory only.

A restart logs every presenter out (they log in again); nothing secret is written to disk. A
session ends when its presenter logs out, after ``idle_s`` without a request, or when it is the
least recently used of more than ``max_sessions``; ``idle_s`` is asked each time, so a reloaded
``presenter.session_hours`` applies to sessions already open. ``on_end`` hears of every ending (the
presenter's drawing seat is given back there). Tokens are looked up by their SHA-256, so the
store holds no usable token and lookup time says nothing about them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Session:
    name: str  # who the presenter said they are, shown to other presenters
    created: float
    last_used: float
    ended: bool = False
    drawing: tuple[str, str] | None = None  # (device id, credential) of their remote drawing seat


class SessionStore:
    def __init__(
        self,
        clock: Callable[[], float],
        idle_s: Callable[[], float],
        max_sessions: int = 32,
        on_end: Callable[[Session], None] = lambda session: None,
    ) -> None:
        self.clock, self.idle_s, self.max_sessions, self.on_end = clock, idle_s, max_sessions, on_end
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently used first

    def create(self, name: str) -> tuple[str, Session]:
        """A new session for ``name`` and its token (for the cookie; not kept)."""
        self.sweep()
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(name, now, now)
        self._sessions[_key(token)] = session
        while len(self._sessions) > self.max_sessions:
            self._end(next(iter(self._sessions)))
        return token, session

    def get(self, token: str) -> Session | None:
        """The live session holding ``token`` (now counted as used), or None."""
        self.sweep()
        key = _key(token)
        session = self._sessions.get(key)
        if session is not None:
            session.last_used = self.clock()
            self._sessions.move_to_end(key)
        return session

    def end(self, token: str) -> Session | None:
        """Log out; the session that ended, or None if there was none."""
        return self._end(_key(token))

    def sweep(self) -> int:
        """End the sessions idle for ``idle_s``; how many ended."""
        horizon = self.clock() - self.idle_s()
        stale = [key for key, session in self._sessions.items() if session.last_used <= horizon]
        for key in stale:
            self._end(key)
        return len(stale)

    def sessions(self) -> list[Session]:
        """The live sessions, least recently used first (call ``sweep`` first to drop idle ones)."""
        return list(self._sessions.values())

    def names(self) -> list[str]:
        """Who is logged in, each name once, in the order they logged in."""
        return list(dict.fromkeys(s.name for s in sorted(self._sessions.values(), key=lambda s: s.created)))

    def _end(self, key: str) -> Session | None:
        session = self._sessions.pop(key, None)
        if session is not None:
            session.ended = True
            self.on_end(session)
        return session


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
