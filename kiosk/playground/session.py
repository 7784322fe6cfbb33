"""The one shared playground session: commands in, frames out to every subscribed screen.

The session owns the training process (kiosk/playground/worker.py), started on first use and
again if it ever dies. Frames arrive on the pipe and are published on the playground's hub; the
newest of each kind is kept (plus a bounded metrics history), so a screen or presenter page that
joins late gets the whole picture first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from multiprocessing.connection import Connection

from kiosk.hub import Event, EventHub, make_event
from kiosk.playground.spec import PlaygroundSpec
from kiosk.playground.worker import FRAME_PARTS, run_worker

log = logging.getLogger(__name__)

HISTORY_LIMIT = 2000  # metrics points kept for late joiners; halved (every other one) when full
INITIAL_ORDER = ("config", "status", "points", "history", *FRAME_PARTS)
HISTORY_KEYS = ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")


class PlaygroundSession:
    def __init__(
        self,
        hub: EventHub,
        *,
        grid: int,
        neuron_grid: int,
        frame_rate: float,
        max_seconds: float,
        steps_per_second: float,
    ) -> None:
        self.hub = hub
        self.grid, self.neuron_grid = grid, neuron_grid
        self.steps_per_second = steps_per_second  # the pace of a run that names none
        self.worker_options = {
            "grid": grid,
            "neuron_grid": neuron_grid,
            "frame_s": 1.0 / frame_rate,
            "max_seconds": max_seconds,
        }
        self.run = 0
        self.spec: PlaygroundSpec | None = None
        self.state = "idle"
        self.frames = 0  # published, for status pages and benchmarks
        self.worker = "stopped"  # "starting" until PyTorch is loaded in it, then "ready"
        self._latest: dict[str, Event] = {}
        self._history: dict[str, list[float]] = {key: [] for key in HISTORY_KEYS}
        self._accepting = False  # frames of the current run are published (not after a reset)
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._publish("status", {"run": 0, "state": "idle", "step": 0, "epoch": 0})

    # Commands.
    def start(self, spec: PlaygroundSpec, steps_per_second: float | None = None) -> int:
        """Start a new run (replacing any other); returns its number. Its pace: the spec's own
        ``steps_per_second``, else the one given here, else the session's."""
        self._ensure_worker()
        self.run += 1
        self.spec, self.state, self._accepting = spec, "starting", True
        self._history = {key: [] for key in HISTORY_KEYS}
        for kind in ("points", *FRAME_PARTS):
            self._latest.pop(kind, None)
        pace = spec.steps_per_second or steps_per_second or self.steps_per_second
        self._publish(
            "config",
            {
                "run": self.run,
                "spec": spec.to_json(),
                "steps_per_second": pace,
                "grid": self.grid,
                "neuron_grid": self.neuron_grid,
                "extent": [-6.0, 6.0, -6.0, 6.0],
            },
        )
        self._send("start", self.run, spec.to_json(), pace)
        return self.run

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def step(self, steps: int) -> None:
        self._send("step", steps)

    def reset(self) -> None:
        self._send("reset")
        self.state = "idle"
        self._accepting = False  # frames already on their way belong to the run just ended
        self._publish("status", {"run": self.run, "state": "idle", "step": 0, "epoch": 0})

    def health(self) -> dict:
        return {"state": self.state, "run": self.run, "worker": self.worker, "frames": self.frames}

    def initial_events(self) -> list[Event]:
        history = {"run": self.run, **self._history}
        return [
            make_event("history", history) if kind == "history" else self._latest[kind]
            for kind in INITIAL_ORDER
            if kind == "history" or kind in self._latest
        ]

    async def close(self) -> None:
        """Stop the training process (server shutdown); one still loading PyTorch at once."""
        # Forgotten before waiting: commands that arrive meanwhile find no worker and do nothing.
        conn, process, loading = self._conn, self._process, self.worker == "starting"
        self._process = self._conn = None
        self.worker = "stopped"
        if conn is not None:
            asyncio.get_running_loop().remove_reader(conn.fileno())
            with contextlib.suppress(BrokenPipeError, OSError):
                conn.send(("stop",))
        if process is not None:
            if loading:
                process.terminate()  # nothing to finish: its start-up would only delay the exhibit's stop
            await asyncio.to_thread(process.join, 5)
            if process.is_alive():
                process.kill()

    # The training process.
    def prepare(self) -> None:
        """Start the training process now (it needs a few seconds), so the first run starts at once."""
        self._ensure_worker()

    def _ensure_worker(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        if self._conn is not None:  # a worker that died before the loop noticed: drop its pipe
            asyncio.get_running_loop().remove_reader(self._conn.fileno())
            self._conn.close()
        context = multiprocessing.get_context("spawn")  # no forked copy of the server's loop and threads
        parent, child = context.Pipe()
        args = (child, self.worker_options)
        self._process = context.Process(target=run_worker, args=args, name="playground", daemon=True)
        self._process.start()
        child.close()
        self._conn = parent
        self.worker = "starting"
        asyncio.get_running_loop().add_reader(parent.fileno(), self._receive)

    def _send(self, *command: object) -> None:
        if self._conn is None:
            return
        try:
            self._conn.send(command)
        except (BrokenPipeError, OSError):
            self._worker_died()

    def _receive(self) -> None:
        conn = self._conn
        if conn is None:  # not reached: the reader goes with the pipe (_worker_died, stop)
            return
        try:
            message = conn.recv()
        except (EOFError, OSError):
            self._worker_died()
            return
        if message["kind"] == "ready":
            self.worker = "ready"
            return
        if message["run"] != self.run or not self._accepting:
            return  # a frame of a run that was replaced or reset meanwhile
        if message["kind"] == "error":
            log.error("playground run %d failed: %s", self.run, message["message"])
            self.state = "idle"
            return
        if message["kind"] == "started":
            self._publish("points", {"run": self.run, **message["points"]})
        self._frame(message)

    def _frame(self, message: dict) -> None:
        status = message["status"]
        self.state = status["state"]
        self._publish("status", {"run": self.run, **status})
        for kind in FRAME_PARTS:
            self._publish(kind, {"run": self.run, "step": status["step"], **message[kind]})
        self._remember(message["metrics"])
        self.frames += 1

    def _remember(self, metrics: dict) -> None:
        if len(self._history["step"]) >= HISTORY_LIMIT:
            self._history = {key: values[::2] for key, values in self._history.items()}
        for key in HISTORY_KEYS:
            self._history[key].append(metrics[key])

    def _worker_died(self) -> None:
        log.error("the playground's training process stopped; it is restarted with the next run")
        if self._conn is not None:
            asyncio.get_running_loop().remove_reader(self._conn.fileno())
        self._process = self._conn = None
        self.state, self.worker = "idle", "stopped"
        self._publish("status", {"run": self.run, "state": "idle", "step": 0, "epoch": 0})

    def _publish(self, kind: str, payload: dict) -> None:
        self._latest[kind] = self.hub.publish(kind, payload)
