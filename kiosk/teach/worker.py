"""The lesson process: a visitor's lesson trained with real PyTorch, away from the server's loop.

Like the playground's training (kiosk/playground/worker.py), a lesson runs in a child process,
not a thread: its steps spend much of their time in Python, and a thread would hold the GIL
against the loop that answers the tablet. One PyTorch thread, slightly niced: on a two-core PC
the server keeps a core, and recognition stays fast while a lesson runs.

The process starts with the exhibit, loads the export's teaching data (kiosk/teach/data.py) and
warms PyTorch up with one throw-away step, so a visitor's first lesson starts at once. It paces a
lesson for the screen: steps at least ``step_s`` apart, so the meant digit is seen rising.

Protocol over one duplex pipe (picklable tuples):
- parent → worker: ``("lesson", n, layers, hidden, (mean, std), image, meant)``, ``("stop",)``
- worker → parent: ``("ready", error)`` once it can teach (``error``: why it cannot, else None);
  ``("step", n, step)`` per step (kiosk/teach/lesson.py ``Step``); ``("learned", n, layers,
  accuracy_before, accuracy_after)``; ``("failed", n, message)``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np
import torch

from kiosk.model.errors import ExportError
from kiosk.model.network import MLP, Layers
from kiosk.teach.data import TeachingData, TeachingEntry, load_teaching_data
from kiosk.teach.lesson import Lesson, LessonSettings, accuracy

NICENESS = 5


def run_worker(conn: Connection, entry: TeachingEntry, settings: LessonSettings, step_s: float) -> None:
    """Serve lessons until "stop" or the parent goes away (the process's entry point)."""
    os.nice(NICENESS)
    torch.set_num_threads(1)
    try:
        data = load_teaching_data(entry)
    except ExportError as e:
        conn.send(("ready", str(e)))
        return
    try:
        teacher = LessonRunner(data, settings, step_s, conn.send)
        teacher.warm_up()
        conn.send(("ready", None))
        while True:
            command = conn.recv()
            if command[0] == "stop":
                return
            teacher.run(*command[1:])
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the server died (kill -9, a crash): nobody to teach for; end quietly


class LessonRunner:
    """Runs lessons one after another and reports each step through ``send``."""

    def __init__(
        self,
        data: TeachingData,
        settings: LessonSettings,
        step_s: float,
        send: Callable[[tuple], None],
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.data, self.settings, self.step_s = data, settings, step_s
        self.send, self.clock, self.sleep = send, clock, sleep
        self._accuracy: dict[bytes, float] = {}  # of the weights lessons start from, by their digest

    def run(
        self,
        n: int,
        layers: Layers,
        hidden: list[str],
        normalization: tuple[float, float],
        image: np.ndarray,
        meant: int,
    ) -> None:
        try:
            replay = (self.data.replay_images, self.data.replay_labels)
            lesson = Lesson(layers, hidden, normalization, image, meant, replay, self.settings, seed=n)
            due = self.clock()
            while True:
                step = lesson.step()
                self.sleep(max(0.0, due - self.clock()))  # the screen shows one step per step_s
                due = self.clock() + self.step_s
                self.send(("step", n, step))
                if step.done:
                    break
            after = self._measure(lesson.model, normalization)
            before = self.accuracy_of(layers, hidden, normalization)  # after: not on the first step's time
        except (ValueError, RuntimeError) as e:  # bad weights or image shapes: a bug upstream, told
            self.send(("failed", n, str(e)))
            return
        self.send(("learned", n, lesson.layers(), before, after))

    def accuracy_of(self, layers: Layers, hidden: list[str], normalization: tuple[float, float]) -> float:
        """The test accuracy of these weights, measured once per set of weights."""
        key = hashlib.blake2b(
            b"".join(np.ascontiguousarray(a).tobytes() for pair in layers for a in pair)
        ).digest()
        if key not in self._accuracy:
            self._accuracy[key] = self._measure(MLP.from_layers(layers, hidden), normalization)
        return self._accuracy[key]

    def warm_up(self) -> None:
        """One throw-away step: PyTorch's first backward pass costs far more than the rest."""
        model = MLP([784, 16, 10])
        replay = (self.data.replay_images[:8], self.data.replay_labels[:8])
        Lesson(model.layer_arrays(), ["relu"], (0.0, 1.0), np.zeros((28, 28), np.float32), 0, replay).step()

    def _measure(self, model: MLP, normalization: tuple[float, float]) -> float:
        return accuracy(model, self.data.test_images, self.data.test_labels, normalization)
