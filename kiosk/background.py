"""The exhibit's background work: named loops that run from start-up to shutdown.

The exhibit has a few things to do on its own, not on a request: the attract machine looks at the
clock, the screen ticks its clock-driven scenes, the timeline plays, the presenters' status stays
fresh. Each is added here by name before start-up:

- ``every(name, step, interval_s)`` calls ``step()`` every ``interval_s`` seconds (or sooner, when
  ``next_in()`` says something falls due). A step that raises is logged as "<name> failed" with
  its traceback, and the next one comes ``interval_s`` later: a bug in one tick must not stop the
  exhibit, nor spin in a tight loop.
- ``run(name, loop)`` runs a coroutine that loops by itself (the timeline player); should it end
  with an error, that is logged too.

``start()`` starts them all (on the running event loop); ``stop()`` cancels them and waits until
each has ended.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._loops: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        self._tasks: list[asyncio.Task[None]] = []

    def every(
        self,
        name: str,
        step: Callable[[], object],
        interval_s: float,
        *,
        next_in: Callable[[], float | None] = lambda: None,
        logger: logging.Logger = log,
    ) -> None:
        """Call ``step()`` every ``interval_s``, or after ``next_in()`` seconds if that is sooner
        (None: nothing due). A failing step is logged on ``logger`` as "<name> failed"."""

        async def loop() -> None:
            while True:
                due = next_in()
                await asyncio.sleep(interval_s if due is None else min(interval_s, max(0.0, due)))
                try:
                    step()
                except Exception:  # a bug here must not stop the exhibit: log it, try again later
                    logger.exception("%s failed", name)
                    await asyncio.sleep(interval_s)

        self._loops.append((name, loop))

    def run(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """Run ``loop()`` (a coroutine that loops by itself) from start-up to shutdown."""
        self._loops.append((name, loop))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._loops]

    def start(self) -> None:
        """Start every loop on the running event loop."""
        self._tasks = [asyncio.ensure_future(self._guarded(name, loop)) for name, loop in self._loops]

    async def stop(self) -> None:
        """Cancel every loop and wait until each has ended."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _guarded(name: str, loop: Callable[[], Awaitable[None]]) -> None:
        try:
            await loop()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s stopped with an error", name)
