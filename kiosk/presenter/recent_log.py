"""The last warnings and errors of the exhibit's log, for the presenter's status panel.

A guide sees "the tablet could not be paired" or a failing training process without a shell on
the exhibit PC. Only the message is kept (never a traceback), clipped, at most ``size`` of them.
``emit`` may be called from any thread; appending to a bounded deque is safe there.
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import datetime

MAX_MESSAGE = 300


class RecentProblems(logging.Handler):
    def __init__(self, size: int = 10) -> None:
        super().__init__(level=logging.WARNING)
        self._entries: deque[dict[str, str]] = deque(maxlen=size)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = f"{record.name}: {record.getMessage()}"
        except Exception:  # a bad format string in someone's log call must not raise here
            text = f"{record.name}: {record.msg!r}"
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 1] + "…"
        at = datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")
        self._entries.append({"at": at, "level": record.levelname.lower(), "message": text})

    def entries(self) -> list[dict[str, str]]:
        """Oldest first."""
        return list(self._entries)
