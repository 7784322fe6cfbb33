"""parse_strokes: what a drawing from outside must look like, and what it becomes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from kiosk.model.strokes import StrokeError, StrokeLimits, parse_strokes

LIMITS = StrokeLimits(max_strokes=3, max_points_per_stroke=4, max_points=6, max_abs_coordinate=1000)


def refusal(raw: object, limits: StrokeLimits = LIMITS) -> str:
    with pytest.raises(StrokeError) as info:
        parse_strokes(raw, limits)
    return str(info.value)


def with_bad_point(point: object) -> list:
    """A drawing whose stroke 1, point 2 is ``point``: indices that are not 0 by accident."""
    return [[[0, 0], [1, 1]], [[0, 0], [1, 1], point]]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param({"strokes": []}, "must be a list of strokes", id="dict"),
        pytest.param("[[[0, 0]]]", "must be a list of strokes", id="string"),
        pytest.param(None, "must be a list of strokes", id="none"),
        pytest.param([], "the drawing is empty", id="no-strokes"),
        pytest.param([[[0, 0]], {"points": []}], "stroke 1 must be a list of points", id="stroke-dict"),
        pytest.param([[[0, 0]], "0,0"], "stroke 1 must be a list of points", id="stroke-string"),
        pytest.param([[[0, 0]], []], "stroke 1 has no points", id="empty-stroke"),
    ],
)
def test_malformed_drawing_or_stroke_is_refused_saying_what_and_where(raw: object, problem: str) -> None:
    assert problem in refusal(raw)


@pytest.mark.parametrize(
    "point",
    [
        pytest.param(5, id="number"),
        pytest.param("12", id="two-char-string"),
        pytest.param({"x": 1, "y": 2}, id="dict"),
        pytest.param(None, id="none"),
        pytest.param([1], id="one-value"),
        pytest.param([1, 2, 3, 4], id="four-values"),
        pytest.param([], id="empty"),
    ],
)
def test_point_that_is_not_x_y_or_x_y_t_is_refused(point: object) -> None:
    assert "stroke 1, point 2 must be [x, y] or [x, y, t_ms]" in refusal(with_bad_point(point))


@pytest.mark.parametrize(
    ("point", "shown"),
    [
        pytest.param(["3", 4], "'3'", id="string-x"),
        pytest.param([3, "4"], "'4'", id="string-y"),
        pytest.param([3, 4, "10"], "'10'", id="string-t"),
        pytest.param([True, 4], "True", id="bool-x"),
        pytest.param([3, False], "False", id="bool-y"),
        pytest.param([None, 4], "None", id="none-x"),
        pytest.param([3, [4]], "[4]", id="list-y"),
    ],
)
def test_value_that_is_not_a_number_is_refused(point: list, shown: str) -> None:
    assert f"stroke 1, point 2 holds {shown}, not a number" in refusal(with_bad_point(point))


@pytest.mark.parametrize(
    "point",
    [
        pytest.param([math.nan, 4], id="nan-x"),
        pytest.param([3, math.inf], id="inf-y"),
        pytest.param([-math.inf, 4], id="minus-inf-x"),
        pytest.param([3, 4, math.nan], id="nan-t"),
    ],
)
def test_non_finite_value_is_refused(point: list) -> None:
    message = refusal(with_bad_point(point))
    assert "stroke 1, point 2" in message
    assert "not a finite number" in message


@pytest.mark.parametrize("point", [[1000.5, 0], [0, -1001], [-2e300, 5]])
def test_coordinate_beyond_the_limit_is_refused(point: list) -> None:
    message = refusal(with_bad_point(point))
    assert "stroke 1, point 2 lies too far out" in message
    assert "1000" in message  # the limit, so a developer knows what is allowed


def test_integer_too_large_for_a_float_is_refused() -> None:
    # json.loads turns a 400-digit number into a Python int; it must be refused like any other garbage.
    assert "stroke 1, point 2" in refusal(with_bad_point([10**400, 0]))


def test_too_many_strokes_is_refused_with_count_and_limit() -> None:
    assert "too many strokes: 4 (at most 3)" in refusal([[[0, 0]]] * 4)


def test_too_many_points_in_one_stroke_is_refused_with_count_and_limit() -> None:
    message = refusal([[[0, 0]], [[i, i] for i in range(5)]])
    assert "stroke 1 has too many points: 5 (at most 4)" in message


def test_too_many_points_in_the_drawing_is_refused_with_the_limit() -> None:
    message = refusal([[[i, i] for i in range(4)], [[i, i] for i in range(3)]])
    assert "too many points in the drawing (at most 6)" in message


def test_drawing_exactly_at_every_limit_is_accepted() -> None:
    raw = [[[1000, -1000], [-1000, 1000], [0, 0], [1, 1]], [[2, 2]], [[3, 3]]]  # 3 strokes, 4 + 1 + 1 points
    drawing = parse_strokes(raw, LIMITS)
    assert [len(s) for s in drawing] == [4, 1, 1]


def test_accepts_x_y_and_x_y_t_points_ints_floats_and_negatives() -> None:
    raw = [[[0, 0, 0], [10.5, -3, 16], [-7, 2.25]], [[-1e3, 1e-3]]]
    drawing = parse_strokes(raw, LIMITS)
    assert len(drawing) == 2
    for stroke, expected in zip(drawing, ([[0, 0], [10.5, -3], [-7, 2.25]], [[-1000, 0.001]]), strict=True):
        assert stroke.dtype == np.float64
        assert stroke.shape == (len(expected), 2)  # x, y only: the timestamp is dropped
        np.testing.assert_array_equal(stroke, expected)


def test_default_limits_accept_a_long_drawing_in_tablet_pixels() -> None:
    raw = [[[100 + i % 300, 50 + i // 3, 16 * i] for i in range(3000)], [[5, 5, 0]]]
    drawing = parse_strokes(raw)
    assert [s.shape for s in drawing] == [(3000, 2), (1, 2)]
    assert drawing[0][-1].tolist() == [100 + 2999 % 300, 50 + 2999 // 3]


@pytest.mark.parametrize(
    ("point", "words"),
    [
        ([0, 0, 10**400], "too large"),
        ([0, 0, float("nan")], "not a finite number"),
        ([0, 0, "12"], "not a number"),
        ([0, 0, True], "not a number"),
        ([0, 0, None], "not a number"),
    ],
)
def test_the_time_of_a_point_is_checked_like_its_coordinates(point: list, words: str) -> None:
    with pytest.raises(StrokeError, match=words):
        parse_strokes([[[1, 1, 0], point]])


def test_a_deeply_nested_value_is_refused_not_a_recursion_error() -> None:
    # JSON nested just shallow enough for json.loads: describing the bad value must not recurse.
    for depth in range(700, 1100):
        try:
            raw = json.loads("[[[0, " + "[" * depth + "]" * depth + "]]]")
        except RecursionError:
            continue  # too deep for the JSON parser already: the caller refuses it as bad JSON
        assert "holds [[[" in refusal(raw)


def test_a_bad_value_is_described_briefly_however_large() -> None:
    assert len(refusal(with_bad_point([0, "x" * 100_000]))) < 200
    assert len(refusal(with_bad_point([0, list(range(100_000))]))) < 200
    assert len(refusal(with_bad_point([0, {str(i): i for i in range(1000)}]))) < 200
