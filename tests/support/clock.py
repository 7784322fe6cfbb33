"""A clock the test moves by hand, for code that takes its time as a ``Callable[[], float]``.

clock = FakeClock()          # the ``clock`` fixture
machine = Machine(now=clock)
clock.now += 60              # a minute passes, at once
"""

from __future__ import annotations


class FakeClock:
    """Returns ``now``; the test moves it: ``clock.now += 60``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
