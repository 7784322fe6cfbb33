"""The attract machine wired to the exhibit: its decisions become scenes, training and tablet notices.

``ExhibitMachine`` (machine.py) decides who has the screen and what the playlist shows; this
module carries that out on the screen (kiosk/display/screen.py), the playground's training
process and the tablets, and feeds the machine its inputs: the clock (``run``), the tablet's
pen (``stroke``) and presenters (``take``, ``release``, ``presenter_activity``).

A stroke is handled in the same loop turn as the data-channel message that carried it, so a
visitor's first touch switches the screen to the live network at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from kiosk.attract.machine import ExhibitMachine
from kiosk.attract.playlist import PlaylistItem
from kiosk.config import Config
from kiosk.display.screen import ExhibitScreen
from kiosk.playground.session import PlaygroundSession
from kiosk.tablet import protocol
from kiosk.tablet.signalling import TabletPeers

log = logging.getLogger(__name__)

TICK_S = 0.25  # the longest the machine waits between looks at the clock


def wall_clock() -> datetime:
    return datetime.now(UTC)


class ExhibitDirector:
    def __init__(
        self,
        config: Config,
        screen: ExhibitScreen,
        playground: PlaygroundSession,
        *,
        tell_tablets: Callable[[str], None] = lambda message: None,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.screen, self.playground, self.tell_tablets = screen, playground, tell_tablets
        self._clock = clock
        self._tablet_notice = protocol.scene("attract")
        self.machine = ExhibitMachine(config, clock, self)

    # Inputs.
    def stroke(self) -> bool:
        """The tablet's pen moved. False while closed (the drawing changes nothing then)."""
        return self.machine.stroke()

    @property
    def holder(self) -> str | None:
        """The presenter holding the exhibit, or None."""
        return self.machine.presenter

    def take(self, name: str) -> None:
        self.machine.presenter_take(name)

    def release(self) -> None:
        self.machine.presenter_release()

    def presenter_activity(self) -> None:
        self.machine.presenter_activity()

    def reload(self, config: Config) -> None:
        self.machine.reload(config)

    def status(self) -> dict[str, Any]:
        return self.machine.status()

    def tablet_notice(self) -> str:
        """What a tablet is told when it connects: the exhibit's state (closed, or open)."""
        return self._tablet_notice

    async def run(self) -> None:
        """Tick the machine whenever something falls due (at least every TICK_S), until cancelled."""
        self.machine.start()
        while True:
            due = self.machine.next_event_at()
            wait = TICK_S if due is None else (due - self._clock()).total_seconds()
            await asyncio.sleep(min(TICK_S, max(0.0, wait)))
            try:
                self.machine.tick()
            except Exception:  # a bug here must not stop the exhibit: log it, try again next tick
                log.exception("attract machine tick failed")
                await asyncio.sleep(TICK_S)

    # What the machine asks for (attract.machine.Actions).
    def show_scene(self, item: PlaylistItem) -> None:
        if item.scene != "playground":
            self.playground.pause()  # no training in the background of another scene
        if item.scene == "timeline":
            self.screen.play_timeline(item.speed, item.digit)
        elif item.scene == "playground":
            self.playground.start(item.run.spec)
            self.screen.show_playground()
        elif item.scene == "samples":
            self.screen.play_samples(item.which, item.seconds_per_sample)
        else:
            self.screen.show_call_to_action(item.text)
        self._notify_tablets(protocol.scene("attract"))

    def show_visitor(self) -> None:
        self.playground.pause()
        self.screen.show_live()
        self._notify_tablets(protocol.scene("visitor"))

    def show_closed(self, opens_at: datetime | None) -> None:
        self.playground.reset()  # closed: no training at all
        at = None if opens_at is None else opens_at.isoformat()
        self.screen.show_closed(at)
        self._notify_tablets(protocol.scene("closed", opens_at=at))

    def show_presenter(self, name: str) -> None:
        # The screen keeps what it shows until the presenter's commands change it.
        log.info("presenter %s holds the exhibit", name)
        self._notify_tablets(protocol.scene("presenter"))

    def status_changed(self, status: dict[str, Any]) -> None:
        self.screen.show_status(status)

    def _notify_tablets(self, message: str) -> None:
        if message != self._tablet_notice:
            self._tablet_notice = message
            self.tell_tablets(message)


DIRECTOR = web.AppKey("director", ExhibitDirector)


def setup_director(
    app: web.Application,
    config: Config,
    screen: ExhibitScreen,
    playground: PlaygroundSession,
    peers: TabletPeers,
) -> ExhibitDirector:
    """Put the attract machine in charge of ``screen``; it follows the tablets' pens from now on."""
    director = ExhibitDirector(config, screen, playground, tell_tablets=peers.broadcast)
    peers.on_activity = director.stroke
    peers.on_presenter_pen = director.presenter_activity
    peers.greeting = director.tablet_notice
    app[DIRECTOR] = director
    app.cleanup_ctx.append(_run_director)
    return director


async def _run_director(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.ensure_future(app[DIRECTOR].run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
