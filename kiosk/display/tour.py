"""The pacing of the "How does it work?" sequence: which step is on screen at what time.

Five steps, each anchored to a part of the network (display/js/explain.js draws them):

1. ``pixels``: the drawing becomes 28 × 28 = 784 numbers;
2. ``neuron``: one neuron adds up its inputs times its weights;
3. ``layers``: layer by layer to the ten outputs;
4. ``answer``: the strongest output is the answer;
5. ``learned``: how it learned, in two phases: what the untrained network said (phase 0), then
   what it says now (phase 1).

A step lasts its ``WEIGHTS`` share × ``seconds_per_step``, so the whole tour takes
``len(STEPS) × seconds_per_step`` (40 s at the default 8). Time comes from the caller (an
injected clock): ``beat(now)`` is a pure function of the start time, so a tick that comes late
lands on the right step, and a screen that connects late is shown the step that is on now.
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS = ("pixels", "neuron", "layers", "answer", "learned")
# (step, phase, share of seconds_per_step); the shares add up to one per step on average.
BEATS = ((0, 0, 1.0), (1, 0, 1.25), (2, 0, 1.0), (3, 0, 0.75), (4, 0, 0.5), (4, 1, 0.5))
SECONDS_PER_STEP = (5, 20)  # allowed range, e.g. for a playlist item
DEFAULT_SECONDS_PER_STEP = 8


@dataclass(frozen=True)
class Beat:
    index: int  # position in BEATS
    step: int  # 0-4, into STEPS
    phase: int
    seconds: float  # how long this beat lasts
    ends_in: float  # seconds left of it at the time asked


class Tour:
    def __init__(self, started: float, seconds_per_step: float = DEFAULT_SECONDS_PER_STEP) -> None:
        low, high = SECONDS_PER_STEP
        if not low <= seconds_per_step <= high:
            raise ValueError(f"seconds_per_step must be {low} to {high}, not {seconds_per_step!r}")
        self.started, self.seconds_per_step = started, float(seconds_per_step)

    @property
    def seconds(self) -> float:
        """How long the whole tour lasts."""
        return sum(share for _, _, share in BEATS) * self.seconds_per_step

    def beat(self, now: float) -> Beat | None:
        """The beat on screen at ``now`` (before the start: the first); None once the tour is over."""
        at = max(0.0, now - self.started)
        for index, (step, phase, share) in enumerate(BEATS):
            seconds = share * self.seconds_per_step
            if at < seconds:
                return Beat(index, step, phase, seconds, seconds - at)
            at -= seconds
        return None
