"""Fuzzing the tablet's data channel: whatever arrives, a message or a refusal, and pings still answered.

``parse_message`` either returns one of the protocol's messages or raises ``ProtocolError`` with a
known code; ``TabletSession.receive`` never raises, answers every refusal with an ``error`` (never
``internal``: that would be a bug of ours) and keeps answering pings afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fuzz_strategies import (
    HUGE,
    NUMBERS,
    ONE_IN_TEN,
    THREE_IN_FOUR,
    deep,
    encoded,
    json_values,
    mostly,
    points,
    weighted,
)

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet import protocol
from kiosk.tablet.protocol import ProtocolError
from kiosk.tablet.session import TabletSession

# Hypothesis tries hundreds of inputs a test: seconds of CPU each, so not in make test-fast.
pytestmark = pytest.mark.slow

LIMITS = StrokeLimits(max_strokes=8, max_points_per_stroke=50, max_points=200)
KINDS = ["stroke_begin", "points", "stroke_end", "clear", "undo", "ping"]
CODES = {
    *("too_large", "bad_json", "bad_message", "bad_version", "unknown_type", "bad_points"),
    *("unknown_stroke", "too_many_strokes", "too_many_points"),
}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELDS = {
    "stroke_begin": ("stroke", "points", "resent"),
    "points": ("stroke", "points", "resent"),
    "stroke_end": ("stroke", "resent"),
    "clear": (),
    "undo": (),
    "ping": ("t",),
}
TYPED = {
    "stroke": st.integers(min_value=-2, max_value=3) | NUMBERS,
    "points": points,
    "resent": st.booleans(),
    "t": HUGE | NUMBERS,
}


@st.composite
def message_objects(draw) -> dict:
    """A message of a random kind, its fields mostly of the right type, now and then a wrong or stray one."""
    kind = draw(st.sampled_from(KINDS))
    obj = {"v": draw(mostly(st.just(1))), "type": draw(mostly(st.just(kind)))}
    for field in FIELDS[kind]:
        if draw(THREE_IN_FOUR):
            obj[field] = draw(mostly(TYPED[field]))
    if draw(ONE_IN_TEN):
        obj[draw(st.text(max_size=8))] = draw(json_values)
    return obj


messages = weighted((5, encoded(message_objects())), (1, st.binary(max_size=60)))


@FUZZ
@given(raw=messages)
def test_a_message_parses_or_is_refused_with_a_known_code(raw: str | bytes) -> None:
    try:
        message = protocol.parse_message(raw, LIMITS)
    except ProtocolError as e:
        assert e.code in CODES and len(str(e)) < 400
    else:
        assert isinstance(message, protocol.Message)


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@FUZZ
@given(raws=st.lists(messages, min_size=1, max_size=6), t=st.integers(min_value=0, max_value=10**12))
def test_the_session_answers_every_message_and_pings_after_any_input(
    engine: Engine, raws: list[str | bytes], t: int
) -> None:
    sent: list[dict] = []
    dropped: list[str] = []
    session = TabletSession(
        engine, LIMITS, lambda text: sent.append(json.loads(text)), dropped.append, max_errors=10**6
    )
    for raw in raws:
        session.receive(raw)  # must not raise
    session.receive(json.dumps({"v": 1, "type": "ping", "t": t}))
    assert sent[-1] == {"v": 1, "type": "pong", "t": float(t)}
    errors = [m for m in sent if m["type"] == "error"]
    assert {m["code"] for m in errors} <= CODES
    assert sum(session.errors.values()) == len(errors) and "internal" not in session.errors
    assert {m["type"] for m in sent} <= {"error", "pong"} and dropped == []


@FUZZ
@given(value=json_values)
def test_any_json_value_as_a_field_is_refused_cleanly(value: object) -> None:
    for kind in KINDS:
        for field in ("stroke", "points", "t", "resent", "v", "type"):
            raw = json.dumps({"v": 1, "type": kind, field: value})
            try:
                protocol.parse_message(raw, LIMITS)
            except ProtocolError as e:
                assert e.code in CODES


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    field=st.sampled_from(["v", "type", "stroke", "points", "t"]),
    depth=st.integers(min_value=950, max_value=1050),
    inside=st.booleans(),
)
def test_nesting_near_the_parsers_limit_is_refused_cleanly(
    kind: str, field: str, depth: int, inside: bool
) -> None:
    value = "[[1, " + deep(depth) + "]]" if inside else deep(depth)
    raw = json.dumps({"v": 1, "type": kind, field: "DEEP"}).replace('"DEEP"', value)
    try:
        protocol.parse_message(raw, LIMITS)
    except ProtocolError as e:
        assert e.code in CODES and len(str(e)) < 400
