"""Where the director's notices to the tablets go: the exhibit's state, for every connected tablet.

The director decides the exhibit's state and publishes a notice when it changes ("attract",
"visitor", "closed" and when it opens, "presenter"; kiosk/tablet/protocol.py), and a lesson's
news (kiosk/teach/); the tablets' peers listen and send it to every connected tablet. The
director needs the tablets (to tell them) and the tablets need the director (their pens move
it): built with this relay, the director comes first and the peers, built with the director,
listen here.
"""

from __future__ import annotations

from collections.abc import Callable


class TabletNotices:
    def __init__(self) -> None:
        self._listeners: list[Callable[[str], None]] = []
        self._answerers: list[Callable[[], None]] = []

    def publish(self, message: str) -> None:
        for send in self._listeners:
            send(message)

    def answer_again(self) -> None:
        """The network that reads drawings changed (a lesson, or forgetting one): answer them again."""
        for answer in self._answerers:
            answer()

    def listen(self, send: Callable[[str], None], answer_again: Callable[[], None] = lambda: None) -> None:
        """``send(message)`` for every notice from now on (the peers' broadcast), ``answer_again()``
        when the network changes."""
        self._listeners.append(send)
        self._answerers.append(answer_again)
