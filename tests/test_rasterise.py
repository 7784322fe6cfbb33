"""rasterise: strokes become a 28×28 image prepared the MNIST way, in whatever units they came."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.model.rasterise import BOX, PEN_FRACTION, SIZE, rasterise
from kiosk.model.strokes import parse_strokes

Stroke = list[tuple[float, float]]

# Digits in tablet-like units, x right, y down.
SEVEN = [[(0, 0), (60, 0), (25, 100)], [(20, 50), (50, 50)]]
TWO = [[(5, 20), (20, 0), (45, 5), (50, 25), (30, 55), (0, 95), (55, 95)]]
FOUR = [[(40, 0), (0, 60), (60, 60)], [(45, 30), (45, 100)]]
ONE = [[(200, 100 + 10 * i) for i in range(31)]]  # a vertical line, 300 units tall
TALL_BOX = [[(0, 0), (100, 0), (100, 300), (0, 300), (0, 0)]]
WIDE_BOX = [[(0, 0), (300, 0), (300, 100), (0, 100), (0, 0)]]
DIGITS = {"seven": SEVEN, "two": TWO, "four": FOUR, "one": ONE}

# An anti-aliased pixel holds the share of its area under ink. Counting pixels more than 0.3 covered
# (more than one of the four sub-pixel columns of the 4× supersampled canvas) measures the ink's
# extent to the nearest pixel; a lower threshold also counts every pixel an edge merely grazes,
# up to one more on each side.
INK = 0.3


def draw(*strokes: Stroke) -> np.ndarray:
    """Rasterise strokes given as lists of (x, y), through the same validation as visitors' input."""
    return rasterise(parse_strokes([[list(p) for p in stroke] for stroke in strokes]))


def moved(strokes: list[Stroke], scale: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> list[Stroke]:
    return [[(x * scale + dx, y * scale + dy) for x, y in stroke] for stroke in strokes]


def ink_box(image: np.ndarray) -> tuple[int, int]:
    """(height, width) in pixels of the pixels holding ink."""
    rows, cols = np.nonzero(image > INK)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) as MNIST computes it: intensity-weighted mean of pixel centres."""
    centres = np.arange(image.shape[0]) + 0.5
    total = image.sum()
    return float(image.sum(axis=1) @ centres / total), float(image.sum(axis=0) @ centres / total)


def assert_same_image(a: np.ndarray, b: np.ndarray) -> None:
    # Exactly equal as a rule. But a pixel is the mean of 4×4 canvas sub-pixels, and a coordinate that
    # lands on a sub-pixel edge may round the other way once the units change, which can move an edge,
    # or the whole ink through the centre-of-mass rounding, by one sub-pixel: a pixel then changes by
    # at most one sub-pixel row and column (7/16), and the amount of ink barely. A different pen width
    # or scale changes whole strokes (differences up to 1) and the amount of ink by far more.
    assert np.abs(a - b).max() <= 7 / 16 + 1e-6
    assert a.sum() == pytest.approx(b.sum(), rel=0.03)


def assert_centred(image: np.ndarray) -> None:
    row, col = centre_of_mass(image)
    assert abs(row - SIZE / 2) < 0.5 and abs(col - SIZE / 2) < 0.5, (row, col)


@pytest.mark.parametrize("name", DIGITS)
def test_image_is_28x28_float32_in_unit_range_with_full_ink(name: str) -> None:
    image = draw(*DIGITS[name])
    assert image.shape == (SIZE, SIZE)
    assert image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    assert image.max() > 0.95  # the pen's middle covers whole pixels
    assert (image > INK).sum() > 30  # a stroke, not a speck


@pytest.mark.parametrize(("strokes", "longer_axis"), [(TALL_BOX, 0), (WIDE_BOX, 1)])
def test_longer_side_of_the_ink_is_20_pixels(strokes: list[Stroke], longer_axis: int) -> None:
    box = ink_box(draw(*strokes))
    assert BOX - 1 <= box[longer_axis] <= BOX + 1, box
    assert box[1 - longer_axis] < box[longer_axis]


@pytest.mark.parametrize("name", DIGITS)
def test_centre_of_mass_is_at_the_centre_of_the_field(name: str) -> None:
    assert_centred(draw(*DIGITS[name]))


def test_lopsided_drawing_is_centred_by_mass_not_by_its_box() -> None:
    # An "L" with a long foot: most ink lies low, so the box's centre is not the mass's centre.
    image = draw([(0, 0), (0, 100), (100, 100)], [(0, 100), (100, 100), (100, 95)])
    assert_centred(image)
    rows = np.nonzero((image > INK).any(axis=1))[0]
    assert (rows.min() + rows.max() + 1) / 2 < SIZE / 2 - 1  # so the box sits above the centre


@pytest.mark.parametrize(("width", "height"), [(200, 100), (200, 50), (60, 180)])
def test_aspect_ratio_is_kept(width: float, height: float) -> None:
    drawn_height, drawn_width = ink_box(draw([(0, 0), (width, 0), (width, height), (0, height), (0, 0)]))
    pen = PEN_FRACTION * max(width, height)  # the ink is the path grown by half a pen on every side
    long_side, short_side = max(width, height) + pen, min(width, height) + pen
    assert max(drawn_width, drawn_height) == pytest.approx(BOX, abs=1)
    # Whole pixels, each edge rounding either way: within a pixel and a half.
    assert min(drawn_width, drawn_height) == pytest.approx(BOX * short_side / long_side, abs=1.5)
    assert (drawn_width > drawn_height) == (width > height)


@pytest.mark.parametrize("name", DIGITS)
@pytest.mark.parametrize(
    ("scale", "dx", "dy"),
    [(1000, -1e6, -1e6), (1e-3, 0, 0), (37, 0.3, 0.7), (0.01, -5, 3)],
)
def test_same_drawing_in_other_units_and_offset_gives_the_same_image(
    name: str, scale: float, dx: float, dy: float
) -> None:
    strokes = DIGITS[name]
    assert_same_image(draw(*moved(strokes, scale, dx, dy)), draw(*strokes))


@pytest.mark.parametrize("name", DIGITS)
def test_translated_drawing_gives_the_same_image(name: str) -> None:
    strokes = DIGITS[name]
    assert_same_image(draw(*moved(strokes, dx=12345.678, dy=-98.7)), draw(*strokes))


def test_pen_width_is_proportional_to_the_drawing_size() -> None:
    # A "1" a finger drew 3 cm tall and one drawn 30 cm tall: with a pen of fixed width the small
    # one would come out much bolder.
    small, large = draw(*moved(ONE, scale=0.1)), draw(*moved(ONE, scale=10))
    assert_same_image(small, large)
    assert ink_box(small) == ink_box(large)


def test_vertical_line_is_a_thin_centred_one() -> None:
    image = draw(*ONE)
    height, width = ink_box(image)
    assert BOX - 1 <= height <= BOX + 1
    assert width <= 3  # pen ≈ 11% of 20 px ≈ 2 px; never stretched to fill the 20-pixel box
    assert_centred(image)


def test_horizontal_line_is_a_thin_centred_bar() -> None:
    image = draw([(100 + 10 * i, 50) for i in range(31)])
    height, width = ink_box(image)
    assert BOX - 1 <= width <= BOX + 1
    assert height <= 3
    assert_centred(image)


@pytest.mark.parametrize(
    "strokes",
    [
        pytest.param([[(3, 4)]], id="single-dot"),
        pytest.param([[(3, 4), (3, 4), (3, 4)]], id="points-in-one-place"),
        pytest.param([[(3, 4), (3, 4)]], id="stroke-of-two-identical-points"),
        pytest.param([[(3, 4)], [(3, 4)]], id="two-dot-strokes-in-one-place"),
        pytest.param([[(1e8, 1e8), (1e8 + 300, 1e8 + 500), (1e8 + 10, 1e8 + 400)]], id="huge-coordinates"),
        pytest.param([[(-300, -500), (-10, -20), (-200, -100)]], id="negative-coordinates"),
        pytest.param([[(0, 0), (0, 100)], [(0, 50), (0, 50)]], id="line-and-a-dot-on-it"),
    ],
)
def test_edge_case_drawings_give_a_finite_centred_image_with_ink(strokes: list[Stroke]) -> None:
    image = draw(*strokes)
    assert np.isfinite(image).all()
    assert image.min() >= 0.0 and image.max() <= 1.0
    assert image.max() > 0.95
    assert_centred(image)


def test_dot_is_a_round_blot_not_a_line() -> None:
    image = draw([(3, 4)])
    height, width = ink_box(image)
    assert height == width
    np.testing.assert_allclose(image, image.T, atol=0.25)  # round: symmetric about the diagonal
