"""The configuration the exhibit runs with now, as requests see it.

Routes read their settings from ``app[CONFIG].current`` when a request comes, not when the app
was built, so that a reload (kiosk/reload.py, ``systemctl reload``) applies to the next request
without a restart (its key, with the others: kiosk/keys.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config
from kiosk.model.strokes import StrokeLimits


@dataclass
class RunningConfig:
    current: Config
    path: Path | None = None  # the file it came from (None: built in code, e.g. by tests)

    @property
    def stroke_limits(self) -> StrokeLimits:
        return stroke_limits(self.current)


def stroke_limits(config: Config) -> StrokeLimits:
    return StrokeLimits(**config.limits.model_dump())
