"""Playing the training timeline: which snapshot the screen shows, and when it moves on.

Play, pause, seek and speed are commands (the attract scheduler and the presenter send them);
``run`` advances one snapshot every ``seconds_per_snapshot / speed`` seconds while playing and,
after the last one has been held for a moment, reports the end so the screen can start over.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

SPEEDS = (0.25, 8.0)  # slowest and fastest speed factor
END_HOLD_S = 4.0  # the trained network stays on screen this long (at speed 1) before starting over


class TimelinePlayer:
    def __init__(
        self,
        count: int,
        seconds_per_snapshot: float,
        on_change: Callable[[], None],
        on_end: Callable[[], None],
    ) -> None:
        self.count, self.seconds_per_snapshot = count, seconds_per_snapshot
        self.on_change, self.on_end = on_change, on_end
        self.index, self.playing, self.speed = 0, False, 1.0
        self._wake = asyncio.Event()

    def play(self) -> None:
        self._set(playing=True)

    def pause(self) -> None:
        self._set(playing=False)

    def seek(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.count:
            raise ValueError(f"snapshot index must be 0 to {self.count - 1}, not {index}")
        self._set(index=index)

    def set_speed(self, speed: float) -> None:
        number = isinstance(speed, int | float) and not isinstance(speed, bool)
        if not (number and math.isfinite(speed) and SPEEDS[0] <= speed <= SPEEDS[1]):
            raise ValueError(f"speed must be a number from {SPEEDS[0]} to {SPEEDS[1]}, not {speed!r}")
        self._set(speed=float(speed))

    def restart(self) -> None:
        """From the first snapshot, playing; no on_change (the caller redraws once, itself)."""
        self.index, self.playing = 0, True
        self._wake.set()

    def state(self) -> dict:
        return {"index": self.index, "count": self.count, "playing": self.playing, "speed": self.speed}

    async def run(self) -> None:
        """Advance while playing, until cancelled. Any command restarts the wait for the next step."""
        while True:
            self._wake.clear()
            if not self.playing:
                await self._wake.wait()
                continue
            at_end = self.index >= self.count - 1
            delay = (END_HOLD_S if at_end else self.seconds_per_snapshot) / self.speed
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
                continue  # a command changed the position or pace: start the wait again
            except TimeoutError:
                pass
            if at_end:
                self.on_end()
            else:
                self.index += 1
                self.on_change()

    def _set(self, **changes: object) -> None:
        if any(getattr(self, name) != value for name, value in changes.items()):
            for name, value in changes.items():
                setattr(self, name, value)
            self.on_change()
        self._wake.set()
