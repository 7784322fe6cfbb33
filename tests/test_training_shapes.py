"""Issue 15, part 3: 4s with a closed top and 7s whose stem ends in a foot, added to the stroke
variants (training/augment.py) for a share of the digits; with shares of 0 nothing changes."""

from __future__ import annotations

import torch

from training.augment import _closed_top, _crossbar, _foot, stroke_variants


def seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def open_four() -> torch.Tensor:
    """An MNIST-like open 4, strokes 3 px wide: left arm, bar across, a stem higher than the arm."""
    c = torch.arange(28, dtype=torch.float32) + 0.5
    y, x = torch.meshgrid(c, c, indexing="ij")
    arm = ((x - 8).abs() < 1.5) & (y > 6) & (y < 17)
    bar = ((y - 16).abs() < 1.5) & (x > 6) & (x < 23)
    stem = ((x - 18).abs() < 1.5) & (y > 4) & (y < 25)
    return (arm | bar | stem).float().unsqueeze(0)


def seven() -> torch.Tensor:
    """A 7: a bar along the top and a stem straight down from its right end."""
    c = torch.arange(28, dtype=torch.float32) + 0.5
    y, x = torch.meshgrid(c, c, indexing="ij")
    bar = ((y - 5).abs() < 1.5) & (x > 6) & (x < 20)
    stem = ((x - 18).abs() < 1.5) & (y > 4) & (y < 23)
    return (bar | stem).float().unsqueeze(0)


def test_a_closed_top_joins_the_left_arm_to_the_stem_above_the_gap() -> None:
    four = open_four()
    closed = _closed_top(four.repeat(8, 1, 1), seeded(1))
    assert four[0, 7, 13] == 0  # the gap between arm and stem is open at the top
    assert (closed[:, 2:8, 12:15].amax((1, 2)) > 0.5).all()  # every copy now closes it
    torch.testing.assert_close(closed[:, 12:], four[:, 12:].repeat(8, 1, 1), rtol=0, atol=0)


def test_a_digit_with_no_ink_gets_no_closed_top() -> None:
    blank = torch.zeros(2, 28, 28)
    assert torch.equal(_closed_top(blank, seeded()), blank)


def test_a_foot_turns_right_from_the_bottom_of_the_stem() -> None:
    foot = _foot(seven().repeat(8, 1, 1), seeded(2))
    assert (foot[:, 20:, 21:].amax((1, 2)) > 0.5).all()  # ink right of the stem, at its foot
    assert foot[:, :15].max() == 0 and foot[:, :, :16].max() == 0  # and nowhere else


def test_shares_of_zero_draw_nothing_extra_and_change_nothing() -> None:
    images, labels = torch.cat([open_four(), seven()]), torch.tensor([4, 7])
    a, b = seeded(3), seeded(3)
    plain = stroke_variants(images, labels, a, 1.5, True)
    zero = stroke_variants(images, labels, b, 1.5, True, closed_fours=0.0, seven_feet=0.0)
    assert torch.equal(plain, zero) and torch.equal(a.get_state(), b.get_state())


def test_shares_of_one_change_every_four_and_seven_and_nothing_else() -> None:
    images = torch.cat([open_four(), seven(), open_four()])
    labels = torch.tensor([4, 7, 0])
    plain = stroke_variants(images, labels, seeded(4), 1.0, False)
    shaped = stroke_variants(images, labels, seeded(4), 1.0, False, closed_fours=1.0, seven_feet=1.0)
    assert not torch.equal(plain[0], shaped[0]) and not torch.equal(plain[1], shaped[1])
    assert torch.equal(shaped[2], images[2]) and shaped.min() >= 0 and shaped.max() <= 1


def bar_rows(stroke: torch.Tensor) -> torch.Tensor:
    """Rows where a crossbar stroke has ink."""
    return (stroke > 0.5).any(1).nonzero().squeeze(1)


def test_low_bars_sit_nearer_the_foot_of_the_stem() -> None:
    seven_ = torch.nn.functional.pad(seven(), (8,) * 4).repeat(16, 1, 1)
    usual = _crossbar(seven_, seeded(5))
    low = _crossbar(seven_, seeded(5), low=1.0)
    # The same draws, the bar a fifth of the stem's height (18 rows) further down: about 3.6 rows.
    for u, v in zip(usual, low, strict=True):
        shift = float(bar_rows(v).float().mean() - bar_rows(u).float().mean())
        assert 2.5 <= shift <= 4.5, shift
