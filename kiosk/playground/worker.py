"""The playground's training process: real PyTorch, away from the server's event loop.

Training runs in a child process, not a thread: the small networks spend most of their time in
Python, and a thread would hold the GIL against the loop that answers the visitor's tablet. The
process is niced and uses one PyTorch thread, so on a two-core PC the server keeps a core.

Pacing: a run trains ``steps_per_second`` steps a second (given with its start; may be below one
frame's worth, e.g. 4 steps a second at 30 frames: the steps owed are carried from frame to frame).
A frame is sent only after steps were taken (or the state changed), so a slow run sends few frames
and the screen glides between them. The clock is ``time.perf_counter`` unless a test gives another.

Protocol over one duplex pipe (picklable tuples and dicts):
- parent → worker: ``("start", run, spec_dict, steps_per_second)``, ``("pause",)``, ``("resume",)``,
  ``("step", n)``, ``("reset",)``, ``("stop",)``
- worker → parent: ``{"run", "kind": "ready" | "started" | "frame" | "error", ...}``; "ready"
  once PyTorch is loaded; a frame carries status, metrics, boundary, neurons and weights;
  "started" also the points.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from kiosk.playground.spec import SpecError, parse_spec

if TYPE_CHECKING:  # PyTorch is loaded in the training process only (run_worker)
    from kiosk.playground.trainer import Trainer

FRAME_PARTS = ("metrics", "boundary", "neurons", "weights")
STEPS_PER_CHUNK = 5  # between two looks at the clock and the pipe


def run_worker(conn: Connection, options: dict) -> None:
    """Serve commands until "stop" or the parent goes away (the process's entry point).

    ``options``: grid, neuron_grid, frame_s, max_seconds.
    """
    # Here, not at the top: PyTorch is loaded in the training process only; the server imports
    # this module (kiosk/playground/session.py) to start that process and never needs PyTorch.
    import torch

    from kiosk.playground.trainer import warm_up

    os.nice(10)
    torch.set_num_threads(1)
    warm_up()  # PyTorch's one-time imports, before the first run rather than during it
    try:
        conn.send({"run": 0, "kind": "ready"})
        Worker(conn, **options).serve()
    except (BrokenPipeError, ConnectionResetError):
        return  # the server died (kill -9, a crash): nobody to train for; end quietly


class Worker:
    def __init__(
        self,
        conn: Connection,
        grid: int,
        neuron_grid: int,
        frame_s: float,
        max_seconds: float,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.conn, self.grid, self.neuron_grid = conn, grid, neuron_grid
        self.frame_s, self.max_seconds, self.clock = frame_s, max_seconds, clock
        self.trainer: Trainer | None = None
        self.run, self.state, self.trained_s = 0, "idle", 0.0
        # A tiny network learns a dataset in a fraction of a second; paced, visitors see it happen.
        self.steps_per_frame = 1.0  # the run's steps a second × frame_s; may be below 1
        self.owed = 0.0  # steps the pace asks for and not yet taken
        self.next_frame_at = 0.0

    def serve(self) -> None:
        while True:
            # While training, look for commands between frames; otherwise wait for one.
            if self.state != "running" or self.conn.poll():
                try:
                    command = self.conn.recv()
                except EOFError:
                    return
                if command[0] == "stop":
                    return
                self.handle(*command)
            else:
                self.train_one_frame()

    def handle(self, name: str, *args: Any) -> None:  # the parent's command, as the protocol above
        if name == "start":
            self.start(*args)
        elif self.trainer is None:
            return
        elif name == "pause" and self.state == "running":
            self.state = "paused"
            self.send_frame()
        elif name == "resume" and self.state == "paused":
            self.state = "running"
        elif name == "step" and self.state in ("paused", "done"):
            self.trainer.train_steps(args[0])
            self.send_frame()
        elif name == "reset":
            self.trainer, self.state = None, "idle"

    def start(self, run: int, spec: dict, steps_per_second: float) -> None:
        from kiosk.playground.trainer import Trainer  # PyTorch: in the training process only (above)

        self.run = run
        try:
            self.trainer = Trainer(parse_spec(spec), grid=self.grid, neuron_grid=self.neuron_grid)
        except SpecError as e:  # the parent validated it already: a mismatch is reported, not raised
            self.conn.send({"run": run, "kind": "error", "message": str(e)})
            self.trainer, self.state = None, "idle"
            return
        self.state, self.trained_s = "running", 0.0
        self.steps_per_frame, self.owed = steps_per_second * self.frame_s, 0.0
        self.send_frame("started", points=self.trainer.points())

    def train_one_frame(self) -> None:
        """A frame's share of steps (as many as are owed and fit before the frame is due), then the
        frame, if anything changed."""
        trainer = self.trainer
        assert trainer is not None, "only a started run trains"
        started = self.clock()
        self.next_frame_at = max(self.next_frame_at + self.frame_s, started + self.frame_s / 4)
        # What is carried over is a fraction of a step, or at most one step where the machine could
        # not keep up: a slow machine trains slower, it does not catch up in bursts.
        self.owed = min(self.owed, 1.0) + self.steps_per_frame
        steps = 0
        while steps < int(self.owed) and self.clock() < self.next_frame_at:
            if self.conn.poll():
                break  # a command first
            chunk = min(STEPS_PER_CHUNK, int(self.owed) - steps)
            trainer.train_steps(chunk)
            steps += chunk
        self.owed -= steps
        self.conn.poll(max(0.0, self.next_frame_at - self.clock()))  # wait; a command wakes it
        self.trained_s += self.clock() - started  # wall time: the run's length on screen
        if self.conn.poll():
            return  # e.g. a reset: this frame would report a run that is already over
        if self.trained_s >= self.max_seconds:
            self.state = "done"  # an unattended exhibit must not train for ever
        elif steps == 0:
            return  # nothing new to show: between two steps of a slow pace
        self.send_frame()

    def send_frame(self, kind: str = "frame", **extra: object) -> None:
        trainer = self.trainer
        assert trainer is not None, "only a started run has frames"
        self.conn.send(
            {
                "run": self.run,
                "kind": kind,
                **extra,
                "status": {"state": self.state, "step": trainer.step, "epoch": trainer.epoch},
                "metrics": trainer.metrics(),
                "boundary": trainer.boundary(),
                "neurons": trainer.neurons(),
                "weights": trainer.weights(),
            }
        )
