"""Visitors' verdicts on the network's answers, counted per day and per digit.

After an answer the tablet asks "Is it a 7?"; what visitors say is the exhibit's real-world
accuracy. ``VerdictCounts`` counts right and wrong per day (in the exhibit's time zone) and per
digit the visitor meant, and all-time totals per digit (what /metrics exports: they only grow,
across restarts too). No drawing is stored: only the counts.

The counts live in ``verdicts.json`` in the state folder, rewritten atomically after each
verdict (a few a minute at most), and are read back at start. A file that cannot be used is set
aside as ``verdicts.json.bad`` (logged), and counting starts again: it never stops the exhibit.
Days older than ``KEEP_DAYS`` are dropped; the totals stay.

    {"format": "nn-kiosk-verdicts/1",
     "totals": {"7": [right, wrong], ...},
     "days": {"2026-12-06": {"7": [right, wrong], ...}, ...}}
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kiosk.atomic import write_private_file

log = logging.getLogger(__name__)

FILE = "verdicts.json"
FORMAT = "nn-kiosk-verdicts/1"
KEEP_DAYS = 400
MAX_COUNT = 2**53  # beyond what JSON readers keep exact: a file claiming more is not ours
DIGITS = tuple(str(d) for d in range(10))

Counts = dict[str, list[int]]  # digit → [right, wrong]


class VerdictCounts:
    def __init__(self, path: Path | None, today: Callable[[], date]) -> None:
        """``path``: the counts file (None: counted in memory only); ``today``: the exhibit's date."""
        self.path, self.today = path, today
        self.totals: Counts = {}
        self.days: dict[str, Counts] = {}
        if path is not None:
            self._load(path)

    def add(self, digit: int, correct: bool) -> None:
        """One verdict on an answer to a drawing of ``digit`` (what the visitor meant)."""
        key = str(digit)
        if key not in DIGITS:
            raise ValueError("digit must be 0..9")
        day = self.days.setdefault(self.today().isoformat(), {})
        for counts in (self.totals, day):
            counts.setdefault(key, [0, 0])[0 if correct else 1] += 1
        self._prune()
        self._save()

    def summary(self, days: int = 14) -> dict:
        """Today per digit and the last ``days`` days' totals, newest first (the presenter's status)."""
        today = self.today().isoformat()
        digits = {
            d: dict(zip(("right", "wrong"), self.days.get(today, {}).get(d, [0, 0]), strict=True))
            for d in DIGITS
        }
        recent = sorted(self.days, reverse=True)[:days]
        return {
            "today": {"date": today, **_sum(self.days.get(today, {})), "digits": digits},
            "days": [{"date": day, **_sum(self.days[day])} for day in recent],
        }

    def _prune(self) -> None:
        for day in sorted(self.days)[:-KEEP_DAYS]:
            del self.days[day]

    def _save(self) -> None:
        if self.path is None:
            return
        data = {"format": FORMAT, "totals": self.totals, "days": self.days}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # the state folder, on first use
            write_private_file(self.path, (json.dumps(data, separators=(",", ":")) + "\n").encode())
        except OSError as e:
            log.warning("visitors' verdicts could not be saved to %s: %s", self.path, e.strerror or e)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes())
            self.totals, self.days = _checked(data)
        except FileNotFoundError:
            return
        except (OSError, ValueError, RecursionError) as e:  # unreadable, not JSON, not ours
            aside = path.with_name(path.name + ".bad")
            log.warning("%s cannot be used (%s); set aside as %s, counting starts again", path, e, aside.name)
            with contextlib.suppress(OSError):
                os.replace(path, aside)


def _checked(data: object) -> tuple[Counts, dict[str, Counts]]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a verdicts file (format {FORMAT})")
    days = data.get("days")
    if not isinstance(days, dict) or not all(isinstance(k, str) and _is_date(k) for k in days):
        raise ValueError("days must map dates (YYYY-MM-DD) to counts")
    return _counts(data.get("totals")), {day: _counts(counts) for day, counts in days.items()}


def _counts(value: object) -> Counts:
    if not isinstance(value, dict) or not set(value) <= set(DIGITS):
        raise ValueError("counts must map digits 0..9 to [right, wrong]")
    for pair in value.values():
        ok = isinstance(pair, list) and len(pair) == 2
        if not ok or not all(type(n) is int and 0 <= n <= MAX_COUNT for n in pair):
            raise ValueError("each count must be [right, wrong], whole numbers ≥ 0")
    return {d: list(pair) for d, pair in value.items()}


def _is_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _sum(counts: Counts) -> dict:
    return {"right": sum(r for r, _ in counts.values()), "wrong": sum(w for _, w in counts.values())}
