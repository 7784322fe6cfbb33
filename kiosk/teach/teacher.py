"""Teach it: one lesson at a time, and the taught copy it leaves behind until the exhibit forgets.

A visitor (or a presenter) says the network misread a drawing and which digit was meant; the
``Teacher`` sends the weights that read visitors' digits (the snapshot ``snapshot``), the drawing
and the meant digit to the lesson process (worker.py) and passes each step it reports to
``show(payload, result)``: the screen's ``lesson`` payload and the drawing's answer under the copy
now. When the lesson ends, the copy answers for that snapshot (``Engine.teach``): the visitor's
next drawings are read by it. ``forget()`` (the visitor's turn is over, a presenter's reset) puts
the shipped weights back; the engine never changed them, so the answers are the shipped ones, bit
for bit.

Payloads (docs/protocol.md, the screen's ``lesson`` event): ``{"state": "idle"}``; per step
``{"state": "learning", "lesson", "meant", "was", "step", "steps", "probabilities", "changes"}``;
at the end ``{"state": "learned", ..., "now", "accuracy_before", "accuracy_after"}`` or
``{"state": "failed", ...}``. ``seq`` (the tablet's drawing revision, None for a presenter's
lesson) rides along, so the tablet can tell which drawing was learned.

The lesson process starts with ``start()`` (when the exhibit service starts: it needs a few
seconds) or with the first lesson, which then begins once it is ready; a process that died is
started again by the next lesson, and a lesson running when it dies, or that hears nothing from
it for ``SILENCE_S`` (it hung: it is killed), fails. Without teaching data
in the export, lessons are refused as "unavailable" and the reason is logged once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np

from kiosk.model.engine import Engine, Inference
from kiosk.teach.lesson import LessonSettings, Step
from kiosk.teach.worker import run_worker

log = logging.getLogger(__name__)

IDLE = {"state": "idle"}
SILENCE_S = 30.0  # a lesson whose process says nothing for this long has hung: it is ended


class LessonRefused(Exception):
    """No lesson now: ``reason`` is "busy" (one is running) or "unavailable" (no teaching data,
    or the lesson process is not ready)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Teacher:
    def __init__(
        self,
        engine: Engine,
        snapshot: str,
        show: Callable[[dict, Inference | None], None],
        *,
        settings: LessonSettings | None = None,
        step_s: float = 0.12,
    ) -> None:
        self.engine, self.snapshot, self.show = engine, snapshot, show
        self.settings, self.step_s = settings or LessonSettings(), step_s
        self.lessons = 0  # started; the current one's number
        self.payload: dict = IDLE  # what the screen shows of teaching now
        self.worker = "stopped"  # "starting", "ready", "unavailable"
        self.problem: str | None = None  # why lessons are unavailable
        self._lesson: dict | None = None  # the running lesson's facts (lesson, meant, was, seq, image)
        self._pending: tuple | None = None  # its command, until the lesson process is ready for it
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._watchdog: asyncio.TimerHandle | None = None  # ends a lesson whose process went silent

    @property
    def busy(self) -> bool:
        return self._lesson is not None

    # Commands.
    def start(self) -> None:
        """Start the lesson process (it needs a few seconds), unless it runs or cannot teach."""
        if self._process is not None and self._process.is_alive() or self.worker == "unavailable":
            return
        entry = self.engine.timeline.teaching
        if entry is None:
            self._unavailable(f"the export {self.engine.timeline.name!r} carries no teaching data")
            return
        self._drop_pipe()
        context = multiprocessing.get_context("spawn")  # no forked copy of the server's loop and threads
        parent, child = context.Pipe()
        args = (child, entry, self.settings, self.step_s)
        self._process = context.Process(target=run_worker, args=args, name="lessons", daemon=True)
        self._process.start()
        child.close()
        self._conn, self.worker = parent, "starting"
        asyncio.get_running_loop().add_reader(parent.fileno(), self._receive)

    def begin(self, image: np.ndarray, meant: int, was: int, seq: int | None = None) -> int:
        """Teach the copy that ``image`` (28×28 in [0, 1]) is ``meant``; returns the lesson's number.
        LessonRefused if one runs or lessons are unavailable; ValueError for a digit out of 0..9."""
        if isinstance(meant, bool) or not isinstance(meant, int) or not 0 <= meant <= 9:
            raise ValueError("meant must be a digit 0..9")
        if self.busy:
            raise LessonRefused("busy")
        self.start()  # if it is not running: started for this lesson, which begins once it is ready
        if self.worker == "unavailable":
            raise LessonRefused("unavailable")
        self.lessons += 1
        pixels = np.asarray(image, dtype=np.float32).reshape(28, 28).copy()
        self._lesson = {"lesson": self.lessons, "meant": meant, "was": was, "seq": seq, "image": pixels}
        layers = self.engine.layers(self.snapshot)  # a taught copy learns on: lessons add up
        normalization = (self.engine.timeline.mean, self.engine.timeline.std)
        hidden = self.engine.timeline.activations[:-1]
        self._pending = ("lesson", self.lessons, layers, hidden, normalization, pixels, meant)
        self._watch()
        if self.worker == "ready":
            self._send_pending()
        # The screen turns to the lesson at once, with the answer it is about to change.
        start = self.engine.infer(pixels, self.snapshot)
        self.payload = self._payload(self._lesson, "learning", start.probabilities)
        self.payload |= {"step": 0, "steps": self.settings.steps, "changes": []}
        self.show(self.payload, start)
        return self.lessons

    def forget(self) -> bool:
        """Back to the shipped network; a lesson still running is dropped. True if anything changed."""
        changed = self.engine.forget() or self.busy or self.payload is not IDLE
        self._lesson = self._pending = None  # its remaining steps are ignored (their number differs)
        self._unwatch()
        if changed:
            self.payload = IDLE
            self.show(IDLE, None)
        return changed

    def health(self) -> dict:
        """For /healthz: is the lesson process ready, how many lessons so far, what is shown."""
        return {"worker": self.worker, "lessons": self.lessons, "state": self.payload["state"]}

    def status(self) -> dict:
        """For the presenter's status: the lesson's payload without the connections."""
        return {k: v for k, v in self.payload.items() if k != "changes"} | {"worker": self.worker}

    async def close(self) -> None:
        """Stop the lesson process (server shutdown): one still loading PyTorch at once, a ready one
        once its pipe is gone (it ends by itself), killed if it has not within 5 s."""
        process, loading = self._process, self.worker == "starting"
        if self._conn is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._conn.send(("stop",))
        self._unwatch()
        self._lesson = self._pending = None
        self._drop_pipe()
        self._process, self.worker = None, "stopped"
        if process is None:
            return
        if loading:
            process.terminate()  # nothing to finish: its start-up would only delay the exhibit's stop
        await asyncio.to_thread(process.join, 5)
        if process.is_alive():
            process.kill()

    # The lesson process.
    def _receive(self) -> None:
        try:
            message = self._conn.recv() if self._conn is not None else None
        except (EOFError, OSError):
            message = None
        if message is None:
            self._died()
            return
        kind, *rest = message
        if kind == "ready":
            problem = rest[0]
            if problem is None:
                self.worker = "ready"
                self._send_pending()
            else:
                self._unavailable(problem)
            return
        lesson = self._lesson
        if lesson is None or rest[0] != lesson["lesson"]:
            return  # a lesson forgotten meanwhile
        self._watch()  # it is alive
        try:
            if kind == "step":
                self._stepped(lesson, rest[1])
            elif kind == "learned":
                self._learned(lesson, *rest[1:])
            else:
                log.error("lesson %d failed: %s", lesson["lesson"], rest[1])
                self._end(lesson, "failed")
        except Exception:  # a bug here or in what shows it: the lesson ends, the exhibit goes on
            log.exception("lesson %d could not be shown; it is dropped", lesson["lesson"])
            self.engine.forget()
            self._end(lesson, "failed")

    def _stepped(self, lesson: dict, step: Step) -> None:
        self.payload = self._payload(lesson, "learning", step.probabilities) | {
            "step": step.step,
            "steps": self.settings.steps,
            "changes": [change.to_json() for change in step.changes],
        }
        self.show(self.payload, self._inference(lesson, step.activations))

    def _learned(self, lesson: dict, layers: list, before: float, after: float) -> None:
        self.engine.teach(self.snapshot, layers)
        result = self.engine.infer(lesson["image"], self.snapshot)
        self._lesson = None
        self._unwatch()
        self.payload = self._payload(lesson, "learned", result.probabilities) | {
            "now": result.digit,
            "steps": self.payload.get("step", 0),
            "accuracy_before": round(before, 4),
            "accuracy_after": round(after, 4),
            "changes": self.payload.get("changes", []),
        }
        log.info(
            "lesson %d: a drawing read as %d is a %d; the copy reads %d; MNIST test accuracy %.2f%% → %.2f%%",
            *(lesson[k] for k in ("lesson", "was", "meant")), result.digit, before * 100, after * 100,
        )  # fmt: skip
        self.show(self.payload, result)

    def _end(self, lesson: dict, state: str) -> None:
        self._lesson = self._pending = None
        self._unwatch()
        self.payload = self._payload(lesson, state, None)
        self.show(self.payload, None)

    def _payload(self, lesson: dict, state: str, probabilities: np.ndarray | None) -> dict:
        payload = {"state": state, **{k: lesson[k] for k in ("lesson", "meant", "was", "seq")}}
        if probabilities is not None:
            payload["probabilities"] = [round(float(p), 4) for p in probabilities]
        return payload

    def _inference(self, lesson: dict, activations: list[np.ndarray]) -> Inference:
        probabilities = activations[-1]
        return Inference(
            int(probabilities.argmax()), probabilities, activations, lesson["image"], self.snapshot
        )

    def _send_pending(self) -> None:
        command, self._pending = self._pending, None
        if command is None or self._conn is None:
            return
        try:
            self._conn.send(command)
        except (BrokenPipeError, OSError):
            self._died()

    def _died(self) -> None:
        log.error("the lesson process stopped; it is started again for the next lesson")
        self._drop_pipe()
        self._process, self.worker = None, "stopped"
        if self._lesson is not None:
            self._end(self._lesson, "failed")

    def _watch(self) -> None:
        """(Re)start the watchdog of the lesson under way: SILENCE_S from now."""
        self._unwatch()
        if self._lesson is not None:
            self._watchdog = asyncio.get_running_loop().call_later(SILENCE_S, self._hung)

    def _unwatch(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _hung(self) -> None:
        self._watchdog = None
        log.error("the lesson process did not answer for %.0f s; it is stopped", SILENCE_S)
        if self._process is not None:
            self._process.kill()
        self._died()

    def _unavailable(self, problem: str) -> None:
        log.warning("visitors cannot teach the network: %s", problem)
        self.worker, self.problem = "unavailable", problem
        self._drop_pipe()
        if self._lesson is not None:  # one was waiting for the process
            self._end(self._lesson, "failed")

    def _drop_pipe(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self._conn.fileno())
            self._conn.close()
            self._conn = None
