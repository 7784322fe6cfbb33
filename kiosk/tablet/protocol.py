"""The tablet's wire protocol (docs/protocol.md): versioned JSON messages on the data channel.

Tablet → exhibit: ``stroke_begin``, ``points``, ``stroke_end``, ``clear``, ``undo``, ``ping``, ``explain``,
``language``, ``verdict``.
Exhibit → tablet: ``prediction``, ``scene`` (with the exhibit's current ``language``), ``error``, ``pong``,
``explain``, ``language``, ``verdict``, ``lesson``.
Every incoming message is checked here before it touches the drawing; anything malformed raises
``ProtocolError`` with a code for counting and a message for the tablet's developer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.languages import languages
from kiosk.model.strokes import StrokeError, StrokeLimits, parse_points, short_repr

VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024  # a frame's worth of points is a few hundred bytes
MAX_STROKE_ID = 2**31 - 1
MAX_PING_T = 1e15  # ms: ~31,000 years; a tablet's clock is far smaller


class ProtocolError(ValueError):
    """An incoming message that cannot be accepted."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# ``resent``: the tablet re-sends a drawing it already showed (after reconnecting); not a new touch.
@dataclass(frozen=True)
class StrokeBegin:
    stroke: int
    points: np.ndarray  # (n, 2), possibly empty
    resent: bool = False


@dataclass(frozen=True)
class Points:
    stroke: int
    points: np.ndarray  # (n, 2), n ≥ 1
    resent: bool = False


@dataclass(frozen=True)
class StrokeEnd:
    stroke: int
    resent: bool = False


@dataclass(frozen=True)
class Clear:
    pass


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Explain:
    """The visitor pressed "How does it work?"."""


@dataclass(frozen=True)
class Language:
    """The visitor picked a language (one the exhibit speaks: kiosk.languages.languages())."""

    language: str


@dataclass(frozen=True)
class Verdict:
    """The visitor says whether the answer to drawing revision ``seq`` was right; if not, which digit
    they ``meant`` (0..9): the exhibit then teaches a copy of the network (kiosk/teach/)."""

    seq: int
    correct: bool
    meant: int | None = None


@dataclass(frozen=True)
class Ping:
    t: float  # the tablet's clock, echoed back so it can measure the round trip


Message = StrokeBegin | Points | StrokeEnd | Clear | Undo | Ping | Explain | Language | Verdict


def parse_message(data: str | bytes, limits: StrokeLimits) -> Message:
    """Decode and check one data-channel message from the tablet."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", f"message larger than {MAX_MESSAGE_BYTES} bytes")
    try:
        obj = json.loads(data)
    except ValueError:  # bad JSON and bad UTF-8 alike
        raise ProtocolError("bad_json", "message is not JSON") from None
    except RecursionError:
        raise ProtocolError("bad_json", "message is nested too deeply") from None
    if not isinstance(obj, dict):
        raise ProtocolError("bad_message", "message must be a JSON object")
    version = obj.get("v")
    if isinstance(version, bool) or version != VERSION:  # True == 1 in Python
        raise ProtocolError("bad_version", f"unsupported protocol version {short_repr(version, 20)}")
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in _PARSERS:
        raise ProtocolError("unknown_type", f"unknown message type {short_repr(kind)}")
    parse = _PARSERS[kind]
    allowed = _FIELDS[kind] | {"v", "type"}
    extra = sorted(str(k)[:40] for k in obj.keys() - allowed)
    if extra:
        raise ProtocolError("bad_message", f"{kind}: unknown field(s) {', '.join(extra)}")
    return parse(obj, limits)


def _stroke_id(obj: dict, kind: str) -> int:
    value = obj.get("stroke")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STROKE_ID:
        raise ProtocolError("bad_message", f"{kind}: stroke must be a whole number 0..{MAX_STROKE_ID}")
    return value


def _points(obj: dict, kind: str, limits: StrokeLimits, required: bool) -> np.ndarray:
    raw = obj.get("points", None if required else [])
    if not isinstance(raw, list) or (required and not raw):
        raise ProtocolError("bad_message", f"{kind}: points must be a non-empty list of [x, y, t_ms]")
    try:
        return parse_points(raw, limits, where=f"{kind} points")
    except StrokeError as e:
        raise ProtocolError("bad_points", str(e)) from None


def _ping(obj: dict, limits: StrokeLimits) -> Ping:
    t = obj.get("t", 0)
    # JSON integers have no size limit: compare as Python numbers (exact for any int; NaN fails too).
    if isinstance(t, bool) or not isinstance(t, int | float) or not abs(t) <= MAX_PING_T:
        raise ProtocolError("bad_message", "ping: t must be a finite number (the tablet's clock, ms)")
    return Ping(float(t))


def _language(obj: dict, limits: StrokeLimits) -> Language:
    value = obj.get("language")
    known = languages()  # read from the page folders once per message (they are a few small globs)
    if not isinstance(value, str):
        raise ProtocolError("bad_message", f"language: language must be one of {', '.join(known)}")
    if value not in known:
        message = f"language: {short_repr(value, 20)} is not one of {', '.join(known)}"
        raise ProtocolError("unknown_language", message)
    return Language(value)


def _verdict(obj: dict, limits: StrokeLimits) -> Verdict:
    seq, correct, meant = obj.get("seq"), obj.get("correct"), obj.get("meant")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_STROKE_ID:
        raise ProtocolError("bad_message", f"verdict: seq must be a whole number 0..{MAX_STROKE_ID}")
    if not isinstance(correct, bool):
        raise ProtocolError("bad_message", "verdict: correct must be true or false")
    if correct:
        if meant is not None:
            raise ProtocolError("bad_message", "verdict: meant goes only with correct: false")
        return Verdict(seq, True)
    if isinstance(meant, bool) or not isinstance(meant, int) or not 0 <= meant <= 9:
        raise ProtocolError("bad_message", f"verdict: meant must be a digit 0..9, not {short_repr(meant, 9)}")
    return Verdict(seq, False, meant)


def _resent(obj: dict, kind: str) -> bool:
    value = obj.get("resent", False)
    if not isinstance(value, bool):
        raise ProtocolError("bad_message", f"{kind}: resent must be true or false")
    return value


def _stroke_begin(obj: dict, limits: StrokeLimits) -> StrokeBegin:
    points = _points(obj, "stroke_begin", limits, required=False)
    return StrokeBegin(_stroke_id(obj, "stroke_begin"), points, _resent(obj, "stroke_begin"))


def _more_points(obj: dict, limits: StrokeLimits) -> Points:
    points = _points(obj, "points", limits, required=True)
    return Points(_stroke_id(obj, "points"), points, _resent(obj, "points"))


def _stroke_end(obj: dict, limits: StrokeLimits) -> StrokeEnd:
    return StrokeEnd(_stroke_id(obj, "stroke_end"), _resent(obj, "stroke_end"))


_PARSERS: dict[str, Callable[[dict, StrokeLimits], Message]] = {
    "stroke_begin": _stroke_begin,
    "points": _more_points,
    "stroke_end": _stroke_end,
    "clear": lambda obj, limits: Clear(),
    "undo": lambda obj, limits: Undo(),
    "ping": _ping,
    "explain": lambda obj, limits: Explain(),
    "language": _language,
    "verdict": _verdict,
}
_FIELDS: dict[str, set[str]] = {
    "stroke_begin": {"stroke", "points", "resent"},
    "points": {"stroke", "points", "resent"},
    "stroke_end": {"stroke", "resent"},
    "clear": set(),
    "undo": set(),
    "ping": {"t"},
    "explain": set(),
    "language": {"language"},
    "verdict": {"seq", "correct", "meant"},
}


def prediction(seq: int, digit: int, probabilities: list[float]) -> str:
    """The answer to the drawing as it stood at revision ``seq``."""
    return _encode({"type": "prediction", "seq": seq, "digit": digit, "probabilities": probabilities})


def error(code: str, message: str) -> str:
    return _encode({"type": "error", "code": code, "message": message[:300]})


def explain(status: str, reason: str | None = None) -> str:
    """The answer to ``explain``: "started", or "refused" with a ``reason``: "closed" (outside
    opening hours) or "presenter" (a guide holds the exhibit)."""
    return _encode({"type": "explain", "status": status, "reason": reason})


def language(wanted: str, status: str, reason: str | None = None) -> str:
    """The answer to ``language``: "ok" (the screen speaks it too; the ``scene`` message that follows
    says so), or "refused" with a ``reason`` ("closed", "presenter"): the tablet goes back to the
    language of the last ``scene`` message."""
    return _encode({"type": "language", "language": wanted, "status": status, "reason": reason})


def verdict(seq: int) -> str:
    """The answer to ``verdict``: counted (a wrong one is followed by ``lesson``)."""
    return _encode({"type": "verdict", "seq": seq, "status": "counted"})


def lesson(status: str, **details: object) -> str:
    """A lesson's news: "started", "learned" (with ``now``, what the taught copy reads, and the
    MNIST test accuracy before and after), "refused" (``reason``: closed, presenter, busy,
    unavailable), "failed", or "forgotten" (the shipped network reads again)."""
    return _encode({"type": "lesson", "status": status, **details})


def pong(t: float) -> str:
    return _encode({"type": "pong", "t": t})


def scene(name: str, **details: object) -> str:
    """What the exhibit is doing: attract, visitor, presenter, or closed (with ``opens_at``)."""
    return _encode({"type": "scene", "scene": name, **details})


def _encode(message: dict) -> str:
    return json.dumps({"v": VERSION, **message}, separators=(",", ":"))
