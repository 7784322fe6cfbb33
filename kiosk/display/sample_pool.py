"""The export's MNIST test samples as the screen uses them: pick one, list them, cycle through them.

- ``SamplePool`` answers "which samples?": all of them (``"any"``), those of one digit (0-9), or
  those the live network gets ``"wrong"``. What the live network answers for each sample is
  computed once, on first use (about 1 ms per 3 samples; the server asks at start-up, before any
  visitor), then kept. An export without samples is an empty pool: every choice is empty, a
  random pick is ``BLANK`` and the catalogue is ``[]``.
- ``SampleCycle`` is the order of the samples scene: the chosen samples shuffled, each shown for
  ``seconds``, round and round. Time is the caller's (``next(now)``, ``due(now)``); a pool of one
  sample holds it, an empty pool shows nothing.
"""

from __future__ import annotations

import math
import random

import numpy as np

from kiosk.display.payloads import BLANK, Digit
from kiosk.model.engine import Engine
from kiosk.model.samples import Samples


class SamplePool:
    def __init__(self, engine: Engine, live_snapshot: str) -> None:
        samples = engine.timeline.samples
        self.samples: Samples | None = samples if samples is not None and len(samples) else None
        self._engine, self._live_snapshot = engine, live_snapshot
        self._predicted: np.ndarray | None = None  # the live network's answer per sample (lazy)

    def __len__(self) -> int:
        return 0 if self.samples is None else len(self.samples)

    def digit(self, index: int) -> Digit:
        """Sample ``index`` as the network's input, labelled with its true digit."""
        assert self.samples is not None
        return Digit(self.samples.images[index], "sample", int(self.samples.labels[index]))

    def indices(self, which: str | int) -> np.ndarray:
        """The samples for ``which``: "any", "wrong" (what the live network gets wrong) or a digit."""
        if self.samples is None:
            return np.zeros(0, np.int64)
        if which == "wrong":
            return np.flatnonzero(self.predictions() != self.samples.labels)
        if which == "any" or isinstance(which, bool) or not isinstance(which, int):
            return np.arange(len(self.samples))
        return self.samples.indices_of_digit(which)

    def random_digit(self, rng: random.Random, digit: int | None = None) -> Digit:
        """A random sample (of ``digit``, if given), or BLANK if there is none."""
        pool = self.indices("any" if digit is None else digit)
        if len(pool) == 0:
            return BLANK
        return self.digit(int(pool[rng.randrange(len(pool))]))

    def catalogue(self, digit: int | None = None, wrong: bool = False) -> list[dict]:
        """The samples (of one digit, or those the live network gets wrong), for presenters to pick."""
        if self.samples is None:
            return []
        labels, predicted = self.samples.labels, self.predictions()
        keep = np.ones(len(labels), bool)
        if digit is not None:
            keep &= labels == digit
        if wrong:
            keep &= predicted != labels
        return [
            {"index": int(i), "label": int(labels[i]), "predicted": int(predicted[i])}
            for i in np.flatnonzero(keep)
        ]

    def predictions(self) -> np.ndarray:
        """What the live network answers for each sample (computed on first use, then kept)."""
        if self._predicted is None:
            images: np.ndarray | list[np.ndarray] = [] if self.samples is None else self.samples.images
            answers = [self._engine.infer(image, self._live_snapshot).digit for image in images]
            self._predicted = np.array(answers, np.int64)
        return self._predicted


class SampleCycle:
    """The order of the samples scene: a shuffled pool, each shown for ``seconds`` (empty: no cycle)."""

    def __init__(
        self, pool: np.ndarray | None = None, seconds: float = math.inf, rng: random.Random | None = None
    ) -> None:
        self.pool = [] if pool is None else [int(i) for i in pool]
        (rng or random.Random()).shuffle(self.pool)
        self.seconds, self._position, self._due = seconds, 0, math.inf

    def due(self, now: float) -> bool:
        """True when the sample on screen has been shown for its ``seconds``."""
        return now >= self._due

    def next(self, now: float) -> int | None:
        """The next sample to show (None: the pool is empty), and when the one after is due."""
        if not self.pool:
            return None
        index = self.pool[self._position % len(self.pool)]
        self._position += 1
        self._due = now + self.seconds if len(self.pool) > 1 else math.inf
        return index
