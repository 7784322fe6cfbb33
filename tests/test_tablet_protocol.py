"""The tablet's wire protocol and the drawing it builds: every kind of bad message is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kiosk.model.strokes import StrokeLimits
from kiosk.tablet import protocol
from kiosk.tablet.drawing import TabletDrawing
from kiosk.tablet.protocol import (
    Clear,
    Ping,
    Points,
    ProtocolError,
    StrokeBegin,
    StrokeEnd,
    Undo,
    parse_message,
)

LIMITS = StrokeLimits(max_strokes=3, max_points_per_stroke=5, max_points=8)


def msg(**fields) -> str:
    return json.dumps({"v": 1, **fields})


def parse(**fields):
    return parse_message(msg(**fields), LIMITS)


def test_every_tablet_message_parses_to_its_type() -> None:
    begin = parse(type="stroke_begin", stroke=3, points=[[1, 2, 0], [3.5, 4, 16]])
    assert isinstance(begin, StrokeBegin) and begin.stroke == 3
    np.testing.assert_array_equal(begin.points, [[1, 2], [3.5, 4]])
    assert parse(type="stroke_begin", stroke=0).points.shape == (0, 2)
    more = parse(type="points", stroke=3, points=[[5, 6]])
    assert isinstance(more, Points) and more.points.tolist() == [[5.0, 6.0]]
    assert parse(type="stroke_end", stroke=3) == StrokeEnd(3)
    assert parse(type="clear") == Clear()
    assert parse(type="undo") == Undo()
    assert parse(type="ping", t=1234.5) == Ping(1234.5)
    assert parse_message(msg(type="clear").encode(), LIMITS) == Clear()  # binary frames too


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("not json", "bad_json", "not JSON"),
        (b"\xff\xfe", "bad_json", "not JSON"),
        ("[1, 2]", "bad_message", "JSON object"),
        ('{"type": "clear"}', "bad_version", "version"),
        ('{"v": 2, "type": "clear"}', "bad_version", "version"),
        ('{"v": true, "type": "clear"}', "bad_version", "version"),
        (msg(type="draw"), "unknown_type", "'draw'"),
        (msg(type=7), "unknown_type", "7"),
        (msg(), "unknown_type", "None"),
        (msg(type="clear", colour="red"), "bad_message", "colour"),
        (msg(type="points", stroke=1), "bad_message", "non-empty list"),
        (msg(type="points", stroke=1, points=[]), "bad_message", "non-empty list"),
        (msg(type="points", stroke=1, points="1,2"), "bad_message", "non-empty list"),
        (msg(type="points", stroke="1", points=[[1, 2]]), "bad_message", "stroke must be"),
        (msg(type="points", stroke=-1, points=[[1, 2]]), "bad_message", "stroke must be"),
        (msg(type="stroke_end", stroke=True), "bad_message", "stroke must be"),
        (msg(type="stroke_end", stroke=2**40), "bad_message", "stroke must be"),
        (msg(type="points", stroke=1, points=[[1, "2"]]), "bad_points", "not a number"),
        (msg(type="points", stroke=1, points=[[1]]), "bad_points", "[x, y]"),
        (msg(type="points", stroke=1, points=[[1, 2]] * 6), "bad_points", "too many points"),
        ('{"v": 1, "type": "points", "stroke": 1, "points": [[NaN, 2]]}', "bad_points", "finite"),
        ('{"v": 1, "type": "points", "stroke": 1, "points": [[1e999, 2]]}', "bad_points", "finite"),
        (msg(type="points", stroke=1, points=[[1e300, 2]]), "bad_points", "too far out"),
        (msg(type="ping", t="now"), "bad_message", "ping"),
        ("[" * 100_000, "too_large", "larger"),
        ("[" * 50_000 + "]" * 50_000, "too_large", "larger"),
        ("[" * 30_000 + "]" * 30_000, "bad_json", "nested too deeply"),
    ],
)
def test_bad_messages_are_refused_with_a_code_and_a_reason(raw: str | bytes, code: str, words: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_message(raw, LIMITS)
    assert info.value.code == code
    assert words in str(info.value)


def test_outgoing_messages_are_versioned_json() -> None:
    decoded = json.loads(protocol.prediction(7, 3, [0.1] * 10))
    assert decoded == {"v": 1, "type": "prediction", "seq": 7, "digit": 3, "probabilities": [0.1] * 10}
    assert json.loads(protocol.pong(12.5)) == {"v": 1, "type": "pong", "t": 12.5}
    assert json.loads(protocol.scene("attract"))["scene"] == "attract"
    assert len(json.loads(protocol.error("bad_json", "x" * 1000))["message"]) == 300


# --- the drawing -----------------------------------------------------------------------------------


def draw(*messages) -> TabletDrawing:
    drawing = TabletDrawing(LIMITS)
    for m in messages:
        drawing.apply(parse_message(msg(**m), LIMITS))
    return drawing


def test_strokes_grow_while_the_pen_moves_and_each_change_bumps_the_revision() -> None:
    drawing = TabletDrawing(LIMITS)
    assert drawing.apply(StrokeBegin(1, np.array([[0.0, 0.0]]))) is True
    assert drawing.apply(Points(1, np.array([[1.0, 1.0], [2.0, 2.0]]))) is True
    assert drawing.revision == 2
    assert drawing.apply(StrokeEnd(1)) is False  # the ink did not change
    assert drawing.apply(StrokeBegin(2, np.zeros((0, 2)))) is False  # nothing drawn yet
    assert drawing.apply(Points(2, np.array([[5.0, 5.0]]))) is True
    assert [s.tolist() for s in drawing.strokes()] == [[[0, 0], [1, 1], [2, 2]], [[5, 5]]]
    assert drawing.point_count == 4 and drawing.revision == 3


def test_undo_removes_the_last_stroke_and_clear_removes_all() -> None:
    drawing = draw(
        {"type": "stroke_begin", "stroke": 1, "points": [[0, 0], [1, 1]]},
        {"type": "stroke_end", "stroke": 1},
        {"type": "stroke_begin", "stroke": 2, "points": [[5, 5]]},
    )
    assert drawing.apply(Undo()) is True
    assert [s.tolist() for s in drawing.strokes()] == [[[0, 0], [1, 1]]]
    assert drawing.point_count == 2
    assert drawing.apply(Clear()) is True
    assert drawing.strokes() == [] and drawing.point_count == 0
    assert drawing.apply(Undo()) is False and drawing.apply(Clear()) is False


def test_a_new_stroke_while_one_is_open_ends_the_old_one() -> None:
    drawing = draw(
        {"type": "stroke_begin", "stroke": 1, "points": [[0, 0]]},
        {"type": "stroke_begin", "stroke": 2, "points": [[9, 9]]},
    )
    assert len(drawing.strokes()) == 2
    with pytest.raises(ProtocolError) as info:
        drawing.apply(Points(1, np.array([[1.0, 1.0]])))
    assert info.value.code == "unknown_stroke"


@pytest.mark.parametrize("kind", ["points", "stroke_end"])
def test_messages_for_a_stroke_not_being_drawn_are_refused(kind: str) -> None:
    drawing = TabletDrawing(LIMITS)
    message = Points(4, np.array([[1.0, 1.0]])) if kind == "points" else StrokeEnd(4)
    with pytest.raises(ProtocolError) as info:
        drawing.apply(message)
    assert info.value.code == "unknown_stroke" and "stroke 4" in str(info.value)
    assert drawing.revision == 0


def test_limits_hold_across_messages_and_a_refused_message_changes_nothing() -> None:
    drawing = draw({"type": "stroke_begin", "stroke": 1, "points": [[0, 0]] * 4})
    with pytest.raises(ProtocolError, match="points a stroke"):
        drawing.apply(Points(1, np.zeros((2, 2))))
    drawing.apply(StrokeBegin(2, np.zeros((4, 2))))
    with pytest.raises(ProtocolError, match="points a drawing"):
        drawing.apply(StrokeBegin(3, np.zeros((1, 2))))
    with pytest.raises(ProtocolError) as info:
        drawing.apply(StrokeBegin(4, np.zeros((0, 2))))
    assert info.value.code == "too_many_strokes"
    assert drawing.point_count == 8 and [len(s) for s in drawing.strokes()] == [4, 4]


# --- hostile numbers and nesting (issue 11: found by fuzzing the running server) ------------------------


@pytest.mark.parametrize(
    "raw",
    [
        '{"v": 1, "type": "ping", "t": 100000000000000000000}',
        '{"v": 1, "type": "ping", "t": -100000000000000000000}',
        '{"v": 1, "type": "ping", "t": ' + "9" * 400 + "}",
        '{"v": 1, "type": "ping", "t": NaN}',
        '{"v": 1, "type": "ping", "t": Infinity}',
        '{"v": 1, "type": "ping", "t": 1e16}',
    ],
)
def test_a_ping_with_a_huge_or_non_finite_clock_is_refused(raw: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_message(raw, LIMITS)
    assert info.value.code == "bad_message" and "ping: t must be a finite number" in str(info.value)


def test_a_ping_at_the_edge_of_the_clock_range_is_accepted() -> None:
    assert parse(type="ping", t=10**15) == Ping(1e15)
    assert parse(type="ping", t=-(10**15)) == Ping(-1e15)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "template",
    [
        '{"v": 1, "type": "stroke_begin", "stroke": 1, "points": [[1, %s]]}',
        '{"v": 1, "type": "points", "stroke": 1, "points": [%s]}',
        '{"v": %s, "type": "clear"}',
        '{"v": 1, "type": %s}',
    ],
)
def test_deeply_nested_values_are_refused_as_bad_input_not_a_crash(template: str) -> None:
    # Nesting just shallow enough for json.loads used to make describing the value recurse too
    # deeply (RecursionError); where exactly depends on the stack, so every depth near the limit.
    for depth in range(700, 1100):
        with pytest.raises(ProtocolError) as info:
            parse_message(template % deep(depth), LIMITS)
        assert info.value.code in ("bad_json", "bad_message", "bad_points", "bad_version", "unknown_type")
        assert len(str(info.value)) < 200
