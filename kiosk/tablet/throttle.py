"""A sliding-window limit on wrong guesses (pairing codes, credentials, passphrases), per client and overall.

Call ``allow(key)`` (or ``retry_after``) before checking a guess and ``failure(key)`` when it was
wrong; successes cost nothing. A key (a client address) that made ``per_key`` wrong guesses in the
last ``window_s`` waits until the oldest leaves the window. What the overall limit (``global_``
wrong guesses in the window, from everyone) does depends on the secret:

- Default: strangers' failures must not lock out the real tablet, admin or presenter. While the
  overall budget is spent, a key that has guessed wrong within the window waits (until the budget
  frees a slot or its own last failure leaves the window); a key with a clean record is still
  checked, so whoever holds the secret gets in at once. Guessers are slowed to one wrong guess per
  address and window (instead of ``per_key``). For the 256-bit tablet credentials and admin token
  no limit matters for safety; for the presenter passphrase the bound is one guess per address per
  minute while under attack, and one scrypt check at a time (~50 ms) whatever the addresses.
- ``strict``: while the overall budget is spent, nobody is checked. That is what keeps a 6-digit
  pairing code safe: there are 10**6 codes, and with 20 failures a minute overall an attacker gets
  at most 20 * 10 = 200 guesses in a 10-minute window (2,400 in the longest, 120-minute one): a
  0.02 % (0.24 %) chance, however many addresses they use. Staff are not locked out because the
  budget counts per pairing window: opening a new window (a new code, a staff action) calls
  ``forget_overall``, so the real tablet can pair with the new code at once, while the bound per
  window stays the one above (the old code is dead, and every window starts with the same budget
  a fresh one always had). Addresses keep their own failures across windows. The per-address limit
  (say 5 a minute) keeps one noisy client from using up the budget alone.

Memory is bounded: a key's history holds at most ``per_key`` times, keys whose failures have all
left the window are pruned, and at most ``max_keys`` keys are tracked (the least recently failing
are dropped first; the overall count still holds them, and a strict limit still bounds guessing).
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
        *,
        strict: bool = False,
    ) -> None:
        """``clock`` should be monotonic (time.monotonic): wall-clock jumps must not open the gate."""
        if min(per_key, global_, max_keys) < 1:
            raise ValueError("per_key, global_ and max_keys must be at least 1")
        if not math.isfinite(window_s) or window_s <= 0:
            raise ValueError(f"window_s must be a positive number of seconds, not {window_s!r}")
        self.clock = clock  # public so that tests can swap in a fake one
        self._per_key, self._global, self._window = per_key, global_, float(window_s)
        self._max_keys, self.strict = max_keys, strict
        # Failure times per key, ordered by each key's latest failure (oldest first), for cheap pruning.
        self._keys: OrderedDict[Hashable, deque[float]] = OrderedDict()
        self._all: deque[float] = deque(maxlen=global_)

    def allow(self, key: Hashable) -> bool:
        """May ``key`` make a guess now? Does not count as an attempt."""
        return self.retry_after(key) == 0.0

    def failure(self, key: Hashable) -> None:
        """Record a wrong guess by ``key``."""
        now = self.clock()
        self._prune(now)
        times = self._keys.pop(key, None) or deque(maxlen=self._per_key)
        times.append(now)
        self._keys[key] = times  # now the most recently failing key
        self._all.append(now)
        while len(self._keys) > self._max_keys:
            self._keys.popitem(last=False)

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may guess again; 0.0 if it may now."""
        now = self.clock()
        self._prune(now)
        wait = 0.0
        times = self._keys.get(key)
        if times is not None and len(times) >= self._per_key:
            wait = max(wait, times[0] + self._window - now)  # until its oldest failure leaves the window
        if len(self._all) >= self._global:  # the overall budget is spent
            budget_frees = self._all[0] + self._window - now
            if self.strict:
                wait = max(wait, budget_frees)
            elif times:  # it failed too: until a slot frees or its record is clean again
                wait = max(wait, min(budget_frees, times[-1] + self._window - now))
        return wait

    def overall_spent(self) -> bool:
        """Is the overall budget used up right now (for status pages and tests)?"""
        self._prune(self.clock())
        return len(self._all) >= self._global

    def forget_overall(self) -> None:
        """Start the overall count afresh (a new pairing window); keys keep their own failures."""
        self._all.clear()

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
