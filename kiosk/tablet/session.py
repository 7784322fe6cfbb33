"""One tablet's conversation over its data channel: messages in, predictions out.

Messages are applied to the drawing as they arrive. Inference runs in its own task at most
``rate_hz`` times a second and always on the newest drawing: while it waits, further changes
coalesce, so a fast pen never builds a queue of stale frames. A tablet that keeps sending bad
messages, or floods, is told why and then dropped (``on_abuse``).

Nothing a tablet sends can end its session by accident: a message that raises anything but
``ProtocolError`` (a bug, here or in a callback) is logged with its traceback at WARNING, counted
as ``errors["internal"]``, answered with an ``internal`` error and counted towards the bad-message
limit (which also bounds the log); later messages are handled as usual. A failure while
answering a drawing is logged and counted the same way, and the next drawing is answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.model.engine import Engine, Inference
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet import protocol
from kiosk.tablet.drawing import TabletDrawing
from kiosk.tablet.protocol import Explain, Language, Ping, ProtocolError, Verdict
from kiosk.teach.teacher import LessonRefused

log = logging.getLogger(__name__)

MAX_VERDICTS_PER_MINUTE = 30  # each is written to the state folder: a script must not flood the disk


@dataclass(frozen=True)
class VerdictNews:
    """A visitor's verdict on the answer to their drawing, for the director."""

    correct: bool
    meant: int  # the digit the visitor meant (the answer itself when it was right)
    was: int  # what the network read
    image: np.ndarray  # (28, 28) the drawing as the network saw it
    seq: int  # the drawing's revision


@dataclass(frozen=True)
class SessionHooks:
    """What a tablet's session tells the rest of the exhibit (built in kiosk/exhibit.py)."""

    # For the exhibit screen: the pen moved (at once), and each answer (None: drawing cleared).
    on_activity: Callable[[], object] = lambda: None
    on_drawing: Callable[[Inference | None], None] = lambda result: None
    # "How does it work?": starts the tour, or returns why not ("closed", "presenter").
    on_explain: Callable[[], str | None] = lambda: "closed"
    # The visitor picked a language: the screen speaks it too, or returns why not ("closed", "presenter").
    on_language: Callable[[str], str | None] = lambda language: "closed"
    # A verdict: counted; a wrong one starts a lesson. Returns why no lesson ("closed", "presenter",
    # "unavailable") or None; raises LessonRefused("busy") while one runs (then nothing is counted).
    on_verdict: Callable[[VerdictNews], str | None] = lambda news: "unavailable"
    # For the metrics (kiosk/metrics/): each answer's inference seconds and whether it is the
    # first answer of a new drawing; each refused message's code.
    on_answer: Callable[[float, bool], None] = lambda seconds, first: None
    on_refused: Callable[[str], None] = lambda code: None


class TabletSession:
    def __init__(
        self,
        engine: Engine,
        limits: StrokeLimits,
        send: Callable[[str], None],
        on_abuse: Callable[[str], None],
        *,
        hooks: SessionHooks = SessionHooks(),
        rate_hz: float = 60.0,
        max_errors: int = 20,
        max_messages_per_s: int = 400,
        clock: Callable[[], float] = time.monotonic,
        snapshot: str | None = None,
    ) -> None:
        self.engine, self.limits, self.send, self.on_abuse = engine, limits, send, on_abuse
        self.hooks = hooks
        self._new_drawing = False  # a stroke began on an empty tablet since the last answer
        self.snapshot = snapshot  # the stage of training that reads visitors' digits (None: final)
        self.drawing = TabletDrawing(limits)
        self.errors: Counter[str] = Counter()  # refused messages by code, for status pages
        self.predictions = 0
        self._answered: tuple[int, Inference] | None = None  # the newest answer and its revision
        self._judged = -1  # the revision the visitor last gave a verdict on
        self._interval = 1.0 / rate_hz
        self._max_errors, self._max_rate, self._clock = max_errors, max_messages_per_s, clock
        self._recent_errors: deque[float] = deque()
        self._recent_messages: deque[float] = deque()
        self._recent_verdicts: deque[float] = deque()  # a visitor judges one drawing every few seconds
        self._changed = asyncio.Event()
        self._closed = False

    def receive(self, data: str | bytes) -> None:
        """Handle one data-channel message (called from the channel's event handler)."""
        if self._closed or self._flooding():
            return
        try:
            message = protocol.parse_message(data, self.limits)
            if isinstance(message, Ping):
                self.send(protocol.pong(message.t))
            elif isinstance(message, Explain):
                refused = self.hooks.on_explain()
                self.send(protocol.explain("refused" if refused else "started", refused))
            elif isinstance(message, Language):
                refused = self.hooks.on_language(message.language)
                self.send(protocol.language(message.language, "refused" if refused else "ok", refused))
            elif isinstance(message, Verdict):
                self._verdict(message)
            elif self._apply_drawing(message):
                self._changed.set()
                if not getattr(message, "resent", False):  # a reconnect's re-sent drawing is no touch
                    self.hooks.on_activity()
        except ProtocolError as e:
            self._refuse(e.code, str(e))
        except Exception:  # a bug must not stop aiortc's receive loop for this tablet
            log.warning("tablet message could not be handled", exc_info=True)
            self._refuse("internal", "the exhibit could not handle this message; it has been logged")

    async def run(self) -> None:
        """Answer the newest drawing, at most ``rate_hz`` times a second, until cancelled."""
        next_at = 0.0
        while True:
            await self._changed.wait()
            await asyncio.sleep(max(0.0, next_at - self._clock()))
            self._changed.clear()  # changes made while we waited are in what we read now
            strokes = self.drawing.strokes()
            if strokes:  # an empty drawing has no answer (and costs no turn); the tablet clears itself
                next_at = self._clock() + self._interval
            try:
                self._answer(strokes)
            except Exception:  # logged and counted; the next drawing gets its answer
                self.errors["internal"] += 1
                log.warning("answering a tablet's drawing failed", exc_info=True)

    def _answer(self, strokes: list) -> None:
        if not strokes:
            self._answered = None
            self.hooks.on_drawing(None)
            return
        started = time.perf_counter()
        result = self.engine.infer(rasterise(strokes), self.snapshot)
        seconds = time.perf_counter() - started
        self._answered = (self.drawing.revision, result)
        self.send(protocol.prediction(self.drawing.revision, result.digit, _rounded(result)))
        self.predictions += 1
        self.hooks.on_answer(seconds, self._new_drawing)
        self._new_drawing = False
        self.hooks.on_drawing(result)

    def _verdict(self, verdict: Verdict) -> None:
        """Check a verdict against the drawing and its answer, then hand it to the director."""
        revision, answered = self.drawing.revision, self._answered
        if not self.drawing.point_count:
            raise ProtocolError("no_drawing", "verdict: there is no drawing to judge")
        if verdict.seq != revision or answered is None or answered[0] != revision:
            raise ProtocolError(
                "stale", f"verdict on drawing {verdict.seq}, but the drawing is at {revision}"
            )
        if self._judged == revision:
            raise ProtocolError("already_answered", "verdict: this drawing already has one")
        if _count_recent(self._recent_verdicts, self._clock(), window_s=60.0) > MAX_VERDICTS_PER_MINUTE:
            raise ProtocolError("too_many_verdicts", f"at most {MAX_VERDICTS_PER_MINUTE} verdicts a minute")
        result = answered[1]
        meant = result.digit if verdict.correct else verdict.meant
        assert meant is not None  # the protocol requires it with correct: false
        news = VerdictNews(verdict.correct, meant, result.digit, result.image, revision)
        try:
            refused = self.hooks.on_verdict(news)
        except LessonRefused:
            raise ProtocolError("lesson_running", "verdict: a lesson is running; wait for it") from None
        self._judged = revision
        self.send(protocol.verdict(revision))
        if not verdict.correct:
            details = {"reason": refused} if refused else {"meant": meant, "was": result.digit}
            self.send(protocol.lesson("refused" if refused else "started", seq=revision, **details))

    def answer_again(self) -> None:
        """Answer the drawing again (the network that reads it changed: a lesson, or forgetting one)."""
        if self.drawing.point_count:
            self._changed.set()

    def _apply_drawing(self, message: protocol.Message) -> bool:
        """Apply a drawing message; True if the drawing changed. Points on an empty tablet begin a
        new drawing (for the metrics), unless a reconnecting tablet re-sends one it showed before."""
        empty = self.drawing.point_count == 0
        changed = self.drawing.apply(message)
        if changed and empty and not getattr(message, "resent", False):
            self._new_drawing = True
        return changed

    def set_limits(self, limits: StrokeLimits, *, rate_hz: float, max_errors: int) -> None:
        """New settings from a reload; the drawing so far stays (later messages meet the new limits)."""
        self.limits = self.drawing.limits = limits
        self._interval, self._max_errors = 1.0 / rate_hz, max_errors

    def close(self) -> None:
        self._closed = True

    def _refuse(self, code: str, message: str) -> None:
        self.errors[code] += 1
        self.hooks.on_refused(code)
        self.send(protocol.error(code, message))
        if _count_recent(self._recent_errors, self._clock(), window_s=60.0) > self._max_errors:
            self._abuse(f"more than {self._max_errors} bad messages in a minute")

    def _flooding(self) -> bool:
        if _count_recent(self._recent_messages, self._clock(), window_s=1.0) <= self._max_rate:
            return False
        self.errors["flood"] += 1
        self.hooks.on_refused("flood")
        self._abuse(f"more than {self._max_rate} messages a second")
        return True

    def _abuse(self, why: str) -> None:
        if not self._closed:
            self._closed = True
            log.debug("dropping tablet: %s", why)  # the peers log it, with the tablet's name
            self.send(protocol.error("abuse", f"connection closed: {why}"))
            self.on_abuse(why)


def _count_recent(times: deque[float], now: float, window_s: float) -> int:
    """Record an event at ``now`` and return how many fell within the last ``window_s``."""
    times.append(now)
    while times and times[0] <= now - window_s:
        times.popleft()
    return len(times)


def _rounded(result: Inference) -> list[float]:
    return [round(float(p), 4) for p in result.probabilities]
