"""The explain scene: one run of the "How does it work?" tour on one digit, beat by beat.

A ``TourRun`` holds the digit it explains (a drawing made meanwhile does not change it), the
numbers of every step (kiosk/display/explanation.py, computed once when it starts), its pacing
(kiosk/display/tour.py) and what comes after it (``then``; None holds the last step). It touches
no hub: the screen asks it at each tick what to publish.

- ``step(now)``: when a new beat has come on, its ``explain`` event, and which snapshot's answer
  the screen shows with it: the live network on the first beat, the untrained network (the
  timeline's first snapshot) in phase 0 of the ``learned`` step, the live one again in phase 1.
  None while the same beat is still on.
- ``over(now)``: the last beat has ended.
- ``payload_now(now)``: the beat on now, with its time left counted from now, for a screen that
  connects mid-step.

Time comes from the caller (an injected clock), as for ``Tour``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.display.explanation import explain_digit
from kiosk.display.payloads import Digit
from kiosk.display.tour import STEPS, Tour
from kiosk.model.engine import Engine

INACTIVE = {"active": False}


@dataclass(frozen=True)
class TourStep:
    payload: dict  # the explain event
    snapshot: str | None  # whose answer to show with it; None: leave the frame on screen as it is


class TourRun:
    def __init__(
        self,
        engine: Engine,
        digit: Digit,
        live_snapshot: str,
        *,
        started: float,
        seconds_per_step: float,
        then: Callable[[], None] | None,
    ) -> None:
        """Raises ValueError for ``seconds_per_step`` outside tour.SECONDS_PER_STEP."""
        self.tour = Tour(started, seconds_per_step)
        self.digit, self.then = digit, then
        self._untrained, self._live = engine.timeline.snapshots[0].id, live_snapshot
        self._explanation = explain_digit(engine, digit.image, live_snapshot)
        self._beat = -1  # the beat last stepped to
        self._payload: dict = {}  # its event

    def over(self, now: float) -> bool:
        return self.tour.beat(now) is None

    def step(self, now: float) -> TourStep | None:
        """The beat that came on since the last call, or None (the same one, or the tour is over)."""
        beat = self.tour.beat(now)
        if beat is None or beat.index == self._beat:
            return None
        self._beat, name = beat.index, STEPS[beat.step]
        # The learned step replays training: the untrained network first, then the trained one.
        snapshot = None
        if beat.index == 0 or name == "learned":
            snapshot = self._untrained if name == "learned" and beat.phase == 0 else self._live
        self._payload = {
            "active": True,
            "step": beat.step,
            "name": name,
            "phase": beat.phase,
            "total": len(STEPS),
            "seconds": round(beat.seconds, 2),
            "ends_in": round(beat.ends_in, 2),
            "source": self.digit.source,
            "label": self.digit.label,
            **self._explanation,
        }
        return TourStep(self._payload, snapshot)

    def payload_now(self, now: float) -> dict | None:
        """The event of the beat stepped to, its time left from ``now``; None if another is due."""
        beat = self.tour.beat(now)
        if beat is None or beat.index != self._beat:
            return None
        return self._payload | {"ends_in": round(beat.ends_in, 2)}
