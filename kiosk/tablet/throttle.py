"""A sliding-window limit on wrong guesses (pairing codes, device credentials), per client and overall.

Call ``allow(key)`` before checking a guess and ``failure(key)`` when it was wrong; successes cost
nothing. Why this is enough for a 6-digit pairing code: there are 10**6 codes, and with 20
failures a minute overall an attacker gets at most 20 * 10 = 200 guesses in a 10-minute window
(2,400 in the longest, 120-minute one): a 0.02 % (0.24 %) chance, however many addresses they
use. The per-address limit (say 5 a minute) keeps one noisy client from using up the global
budget that staff pairing a real tablet need; the global one is what bounds guessing.

Memory is bounded: a key's history holds at most ``per_key`` times, keys whose failures have all
left the window are pruned, and at most ``max_keys`` keys are tracked (the least recently failing
are dropped first; the global limit still holds for them).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable


class Throttle:
    def __init__(
        self,
        clock: Callable[[], float],
        per_key: int,
        global_: int,
        window_s: float,
        max_keys: int = 10_000,
    ) -> None:
        """``clock`` should be monotonic (time.monotonic): wall-clock jumps must not open the gate."""
        if min(per_key, global_, max_keys) < 1:
            raise ValueError("per_key, global_ and max_keys must be at least 1")
        if not math.isfinite(window_s) or window_s <= 0:
            raise ValueError(f"window_s must be a positive number of seconds, not {window_s!r}")
        self._clock, self._per_key, self._global, self._window = clock, per_key, global_, float(window_s)
        self._max_keys = max_keys
        # Failure times per key, ordered by each key's latest failure (oldest first), for cheap pruning.
        self._keys: OrderedDict[Hashable, deque[float]] = OrderedDict()
        self._all: deque[float] = deque(maxlen=global_)

    def allow(self, key: Hashable) -> bool:
        """May ``key`` make a guess now? Does not count as an attempt."""
        return self.retry_after(key) == 0.0

    def failure(self, key: Hashable) -> None:
        """Record a wrong guess by ``key``."""
        now = self._clock()
        self._prune(now)
        times = self._keys.pop(key, None) or deque(maxlen=self._per_key)
        times.append(now)
        self._keys[key] = times  # now the most recently failing key
        self._all.append(now)
        while len(self._keys) > self._max_keys:
            self._keys.popitem(last=False)

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may guess again; 0.0 if it may now."""
        now = self._clock()
        self._prune(now)
        wait = 0.0
        times = self._keys.get(key)
        if times is not None and len(times) >= self._per_key:
            wait = max(wait, times[0] + self._window - now)  # until its oldest failure leaves the window
        if len(self._all) >= self._global:
            wait = max(wait, self._all[0] + self._window - now)
        return wait

    def tracked_keys(self) -> int:
        """How many keys have failures in memory (for status pages and tests)."""
        return len(self._keys)

    def _prune(self, now: float) -> None:
        horizon = now - self._window
        while self._all and self._all[0] <= horizon:
            self._all.popleft()
        while self._keys:
            key, times = next(iter(self._keys.items()))
            if times[-1] > horizon:  # keys are ordered by latest failure: the rest are newer
                break
            del self._keys[key]
