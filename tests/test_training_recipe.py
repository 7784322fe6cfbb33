"""The training recipe of issue 15: MNIST digits re-drawn with the exhibit's pen, longer flags and
hooks, narrower digits, elastic bending, and the flags that turn them all off (the previous recipe
stays reproducible, bench/training_recipes.py compares both)."""

from __future__ import annotations

import argparse

import pytest
import torch

from training import train
from training.augment import _flag, _hook, _short_stem, augment, resample, squeeze_matrix, stroke_variants
from training.mnist import Split
from training.redraw import PEN, redraw, reink, skeleton


def thick_digits() -> torch.Tensor:
    """Three MNIST-like digits with strokes about 4 px wide: a "1", an "L" and a ring ("0")."""
    c = torch.arange(28, dtype=torch.float32) + 0.5
    y, x = torch.meshgrid(c, c, indexing="ij")
    one = ((x - 14).abs() < 2) & (y > 4) & (y < 24)
    ell = (((x - 9).abs() < 2) & (y > 4) & (y < 24)) | (((y - 22).abs() < 2) & (x > 7) & (x < 21))
    ring = (((y - 14) ** 2 + (x - 14) ** 2).sqrt() - 8).abs() < 2
    return torch.stack([one, ell, ring]).float()


def seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def centre_of_mass(image: torch.Tensor) -> tuple[float, float]:
    c = torch.arange(image.shape[-1], dtype=torch.float64) + 0.5
    image = image.double()
    return float(image.sum(1) @ c / image.sum()), float(image.sum(0) @ c / image.sum())


def test_skeleton_is_one_pixel_thin_and_keeps_the_shape() -> None:
    images = thick_digits()
    bones = skeleton(images)
    assert bones.shape == (3, 56, 56) and bones.dtype == torch.bool
    blocks = bones[:, :-1, :-1] & bones[:, 1:, :-1] & bones[:, :-1, 1:] & bones[:, 1:, 1:]
    assert not blocks.any()  # never a 2×2 block of ink: lines one pixel wide
    stem = bones[0, 16:40].sum(1)  # the "1": one pixel per row along its stem
    assert stem.max() <= 2 and (stem >= 1).all()
    rows, cols = bones[2].any(1).nonzero(), bones[2].any(0).nonzero()
    assert 28 <= int(rows.max() - rows.min()) <= 36 and 28 <= int(cols.max() - cols.min()) <= 36  # ring ⌀≈32


def test_redraw_keeps_shape_and_range_and_peaks_at_one() -> None:
    out = redraw(thick_digits(), seeded())
    assert out.shape == (3, 28, 28) and out.dtype == torch.float32
    assert out.min() >= 0 and out.max() <= 1
    torch.testing.assert_close(out.amax((1, 2)), torch.ones(3))


def test_redraw_follows_the_mnist_recipe_fit_20_and_centre_of_mass() -> None:
    for image in redraw(thick_digits(), seeded()):
        row, col = centre_of_mass(image)
        assert abs(row - 14) < 0.7 and abs(col - 14) < 0.7, (row, col)
        ink = image > 0.3
        rows, cols = ink.any(1).nonzero(), ink.any(0).nonzero()
        assert int(max(rows.max() - rows.min(), cols.max() - cols.min())) + 1 <= 21


def test_redraw_inks_with_a_pen_as_thin_as_the_exhibits() -> None:
    images = thick_digits()
    out = reink(skeleton(images), torch.full((3,), PEN))
    assert (out > 0.5).sum() < 0.7 * (images > 0.5).sum()  # thinner strokes than the thick originals
    widths = (out[0, 8:20] > 0.5).sum(1).float()  # the "1" across its middle rows
    assert 1 <= widths.mean() <= 3.0, widths


def test_a_wider_pen_leaves_more_ink() -> None:
    bones = skeleton(thick_digits())
    thin, wide = reink(bones, torch.full((3,), PEN * 0.7)), reink(bones, torch.full((3,), PEN * 1.4))
    assert ((wide > 0.5).sum((1, 2)) > (thin > 0.5).sum((1, 2))).all()


def test_redraw_is_deterministic_for_a_seeded_generator() -> None:
    images = thick_digits()
    torch.testing.assert_close(redraw(images, seeded(3)), redraw(images, seeded(3)), rtol=0, atol=0)
    assert not torch.equal(redraw(images, seeded(3)), redraw(images, seeded(4)))


def test_elastic_bending_changes_the_images_deterministically_and_keeps_the_range() -> None:
    images = thick_digits()
    bent = augment(images, seeded(5), elastic=2.0)
    assert bent.shape == images.shape and bent.min() >= 0 and bent.max() <= 1
    torch.testing.assert_close(bent, augment(images, seeded(5), elastic=2.0), rtol=0, atol=0)
    assert (bent - augment(images, seeded(5))).abs().max() > 0.2


def test_without_elastic_the_augmentation_draws_no_extra_random_numbers(monkeypatch) -> None:
    g = seeded(9)
    augment(thick_digits(), g, elastic=0.0)
    after_plain = torch.rand(1, generator=g)
    monkeypatch.setattr("training.augment.elastic_field", _never)
    g = seeded(9)
    augment(thick_digits(), g)
    assert torch.equal(torch.rand(1, generator=g), after_plain)


def _never(*_: object) -> torch.Tensor:
    raise AssertionError("the previous recipe must not bend images")


def test_a_narrowed_digit_keeps_its_height_and_loses_width() -> None:
    images = thick_digits()[2:]  # the ring
    g = seeded(2)
    m = squeeze_matrix(1, 1.0, g)
    factor = 1 / float(m[0, 0, 0])
    assert 0.6 <= factor <= 0.9 and torch.equal(m[0, 1], torch.tensor([0.0, 1.0, 0.0]))
    ink, before = resample(images, m)[0] > 0.3, images[0] > 0.3
    assert extent(ink, across=False) == extent(before, across=False)  # as tall as before
    assert abs(extent(ink, across=True) - factor * extent(before, across=True)) <= 2


def extent(ink: torch.Tensor, across: bool) -> int:
    """Pixels between the outermost inked columns (across) or rows."""
    lines = ink.any(0 if across else 1).nonzero()
    return int(lines.max() - lines.min())


def test_a_share_of_zero_narrows_nothing() -> None:
    assert torch.equal(squeeze_matrix(8, 0.0, seeded()), torch.eye(3).repeat(8, 1, 1))


def test_a_longer_reach_gives_longer_flags_and_hooks() -> None:
    one = torch.nn.functional.pad(thick_digits()[:1], (30,) * 4)  # room for the longest strokes
    for make in (_flag, _hook):
        short, long = make(one, seeded(1), 1.0), make(one, seeded(1), 2.0)
        assert (long > 0.5).sum() > (short > 0.5).sum()


def test_stroke_variants_with_the_usual_reach_are_the_previous_recipes() -> None:
    labels = torch.tensor([1, 7, 0])
    a = stroke_variants(thick_digits(), labels, seeded(6))
    b = stroke_variants(thick_digits(), labels, seeded(6), reach=1.0)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_short_fours_lose_the_bottom_of_their_stem_and_only_fours_change() -> None:
    images = thick_digits()
    cut = _short_stem(images[:1].repeat(20, 1, 1), seeded(2))
    rows = (images[0] > 0.3).any(1).nonzero()
    top, bottom = int(rows.min()), int(rows.max())
    for image in cut:
        kept = (image > 0.3).any(1).nonzero()
        assert int(kept.min()) == top  # the top is untouched
        lost = (bottom - int(kept.max())) / (bottom + 1 - top)
        assert 0.05 <= lost <= 0.35, lost
    labels = torch.tensor([4, 7, 0])
    out = stroke_variants(images, labels, seeded(2), short_fours=True)
    assert torch.equal(out[2], images[2]) and out.min() >= 0 and out.max() <= 1


def recipe(argv: list[str]) -> argparse.Namespace:
    return train.parse_args(argv)


def test_the_defaults_are_the_new_recipe_and_flags_give_the_previous_one() -> None:
    new = recipe([])
    assert (new.strokes, new.stroke_reach, new.short_fours, new.label_smoothing) == (0.9, 1.5, True, 0.1)
    old = recipe(train.PREVIOUS_RECIPE)
    assert (old.redraw, old.elastic, old.narrow, old.label_smoothing, old.weight_decay) == (0, 0, 0, 0, 0)
    assert (old.stroke_reach, old.strokes, old.short_fours) == (1.0, 0.6, False)
    assert (new.closed_fours, new.seven_feet, new.low_bars) == (0.3, 0.3, 0.0)
    assert (old.closed_fours, old.seven_feet, old.low_bars) == (0, 0, 0)
    assert (new.epochs, old.epochs) == (80, 50)
    same = {"batch_size", "lr", "min_lr", "augment", "variant_sets", "pool_epochs", "hidden"}
    assert all(getattr(old, k) == getattr(new, k) for k in same)


@pytest.mark.parametrize("flags", [["--redraw", "0"], ["--augment", "0"]])
def test_the_previous_recipe_never_redraws(monkeypatch, flags: list[str]) -> None:
    monkeypatch.setattr(train, "redraw", _never)
    split = Split(thick_digits(), torch.tensor([1, 7, 0]))
    images = train.TrainingImages(split, recipe(flags + ["--pool-epochs", "1"]), seeded())
    assert images.redrawn is None
    assert images.batch(torch.arange(3)).shape == (3, 28, 28)


def test_the_new_recipe_builds_its_pools_from_redrawn_digits_too() -> None:
    split = Split(thick_digits(), torch.tensor([1, 7, 0]))
    args = recipe(["--redraw", "1", "--augment", "1", "--variant-sets", "1"])
    images = train.TrainingImages(split, args, seeded())
    assert images.redrawn is not None and images.redrawn.shape == (3, 28, 28)
    torch.testing.assert_close(images.bases(), images.redrawn, rtol=0, atol=0)  # a share of 1: all
    assert len(images.sources) == 6  # MNIST, then the pool after it


def test_the_recipe_bench_says_skipped_without_mnist(tmp_path, monkeypatch) -> None:
    from bench import training_recipes

    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere"))
    assert training_recipes.run(tmp_path) == {"skipped": "no MNIST"}
