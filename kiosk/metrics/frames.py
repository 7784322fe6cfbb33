"""The screens' own frame times, as each exhibit screen reports them (display/js/frame_report.js).

Every few seconds a screen that is drawing posts a summary of the frames it drew meanwhile:
``{"screen": "k3x9q2ab", "frames": 300, "p50_ms": 16.7, "p95_ms": 18.2}``: ``screen`` is a random
name the page picks when it loads, the times are the intervals between its frames in
milliseconds (16.7 at 60 frames a second). ``parse_report`` checks it; anything else (a
missing or extra key, text, NaN, a negative or absurd number) is a ``ValueError`` whose message
says which key and why.

``FrameReports`` keeps each screen's newest report for ``FRESH_S``; a screen that stopped
reporting (closed, asleep, gone, or not drawing: the closed scene draws nothing) drops out.
``slowest()`` is what the metrics export: the worst p50 and p95 of the screens reporting now.
At most ``MAX_SCREENS`` screens are kept (the oldest report goes first), so made-up screen
names cannot grow memory.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError
from pydantic_core import ErrorDetails

from kiosk.validation_errors import describe, key_path

FRESH_S = 30.0  # a screen reports every 5 s; three missed reports and more: it is not counted
MAX_SCREENS = 16
MAX_REPORT_BYTES = 1024  # a report is about 70 bytes
MAX_FRAME_MS = 60_000.0  # a frame a minute apart is a stalled page; beyond that, a made-up number
SCREEN_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    screen: StrictStr = Field(pattern=SCREEN_NAME.pattern)
    frames: StrictInt = Field(ge=1, le=100_000)
    p50_ms: StrictFloat = Field(ge=0, le=MAX_FRAME_MS)
    p95_ms: StrictFloat = Field(ge=0, le=MAX_FRAME_MS)


@dataclass(frozen=True)
class FrameReport:
    screen: str
    frames: int
    p50_s: float
    p95_s: float


def parse_report(body: dict) -> FrameReport:
    """A screen's report, checked; ValueError saying what is wrong, one problem per line."""
    try:
        report = _Report.model_validate(body)
    except ValidationError as exc:
        raise ValueError("; ".join(_describe(error) for error in exc.errors())) from None
    if report.p50_ms > report.p95_ms:
        raise ValueError("p50_ms must not be larger than p95_ms")
    return FrameReport(
        report.screen, report.frames, round(report.p50_ms / 1000, 6), round(report.p95_ms / 1000, 6)
    )


def _describe(error: ErrorDetails) -> str:
    if error["type"] == "string_pattern_mismatch":  # the screen's name; pydantic would show the regex
        return f"{key_path(error['loc'])}: 1 to 32 letters, digits, - or _"
    return describe(error, _Report, top="body")


class FrameReports:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._latest: OrderedDict[str, tuple[float, FrameReport]] = OrderedDict()  # oldest first
        self.accepted = 0

    def add(self, report: FrameReport) -> None:
        self._latest.pop(report.screen, None)
        self._latest[report.screen] = (self._clock(), report)
        while len(self._latest) > MAX_SCREENS:
            self._latest.popitem(last=False)
        self.accepted += 1

    def fresh(self) -> list[FrameReport]:
        """The newest report of each screen heard from within ``FRESH_S``."""
        now = self._clock()
        while self._latest and now - next(iter(self._latest.values()))[0] > FRESH_S:
            self._latest.popitem(last=False)
        return [report for _, report in self._latest.values()]

    def slowest(self) -> tuple[float, float] | None:
        """(p50, p95) in seconds, each the worst of the screens reporting now; None if none reports."""
        reports = self.fresh()
        if not reports:
            return None
        return max(r.p50_s for r in reports), max(r.p95_s for r in reports)
