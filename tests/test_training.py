"""Training pieces: the snapshot schedule, augmentation, and one real (short) training run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from support import REPO

from kiosk.model.export import load_timeline
from training.augment import augment, normalise_matrix, resample, stroke_variants
from training.schedule import EARLY, label_for, snapshot_points

MNIST_SIZE = 60_000


# --- schedule ---------------------------------------------------------------------------------------


def test_full_run_schedule_starts_at_zero_is_dense_early_and_ends_after_50_epochs() -> None:
    points = snapshot_points(MNIST_SIZE, 50)
    assert points[0] == 0
    assert all(a < b for a, b in zip(points, points[1:], strict=False))
    assert len(points) >= 35
    assert set(EARLY) <= set(points)  # every early point lies below one pass over MNIST
    assert points[len(EARLY) + 1] == MNIST_SIZE  # then whole epochs
    assert points[-1] == 50 * MNIST_SIZE == 3_000_000


@pytest.mark.parametrize(("size", "epochs"), [(60_000, 1), (60_000, 11), (60_000, 60), (1_000, 3), (100, 2)])
def test_any_schedule_is_strictly_increasing_and_ends_at_the_last_image(size: int, epochs: int) -> None:
    points = snapshot_points(size, epochs)
    assert points[0] == 0
    assert all(a < b for a, b in zip(points, points[1:], strict=False))
    assert points[-1] == size * epochs
    assert [p for p in points if 0 < p < size] == [p for p in EARLY if p < size]


def test_captions_say_random_images_or_passes() -> None:
    assert label_for(0, MNIST_SIZE) == "random weights"
    assert label_for(5_800, MNIST_SIZE) == "5,800 images"
    assert label_for(12 * MNIST_SIZE, MNIST_SIZE) == "12× the data set"
    assert label_for(90_000, MNIST_SIZE) == "90,000 images"  # not a whole pass: counted in images


def test_every_snapshot_of_a_full_run_has_its_own_caption() -> None:
    labels = [label_for(n, MNIST_SIZE) for n in snapshot_points(MNIST_SIZE, 50)]
    assert len(set(labels)) == len(labels)


# --- augmentation -----------------------------------------------------------------------------------


def ring(
    n: int = 28, centre: tuple[float, float] = (14, 14), radius: float = 7, width: float = 2.5
) -> torch.Tensor:
    """An anti-aliased "0" in an n×n field: (rows, cols) centre in pixels, pixel centres at i + 0.5."""
    c = torch.arange(n, dtype=torch.float32) + 0.5
    y, x = torch.meshgrid(c, c, indexing="ij")
    distance = ((y - centre[0]) ** 2 + (x - centre[1]) ** 2).sqrt()
    return (width / 2 + 0.5 - (distance - radius).abs()).clamp(0, 1)


def bar(n: int = 28) -> torch.Tensor:
    """An MNIST-like "1": a slanted bar in the middle of the field."""
    image = torch.zeros(n, n)
    for row in range(4, 24):
        col = 15 - row // 6
        image[row, col - 1 : col + 2] = 1.0
    return image


def digits() -> torch.Tensor:
    return torch.stack([ring(), bar(), ring(radius=5), bar().flip(1), ring(centre=(13, 15))])


def centre_of_mass(image: torch.Tensor) -> tuple[float, float]:
    c = torch.arange(image.shape[-1], dtype=torch.float64) + 0.5
    image = image.double()
    return float(image.sum(1) @ c / image.sum()), float(image.sum(0) @ c / image.sum())


def seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_augment_keeps_shape_and_range_and_changes_the_images() -> None:
    images = digits()
    out = augment(images, seeded())
    assert out.shape == images.shape
    assert out.min() >= 0 and out.max() <= 1
    assert torch.allclose(out.amax((1, 2)), torch.ones(len(images)))  # ink peaks at 1, as in MNIST
    for before, after in zip(images, out, strict=True):
        assert (before - after).abs().max() > 0.2


def test_augment_is_deterministic_for_a_seeded_generator() -> None:
    images = digits()
    torch.testing.assert_close(augment(images, seeded(7)), augment(images, seeded(7)), rtol=0, atol=0)
    assert not torch.equal(augment(images, seeded(7)), augment(images, seeded(8)))


def test_stroke_variants_change_only_ones_sevens_and_nines() -> None:
    labels = torch.arange(10)
    images = torch.stack([ring() if d % 2 else bar() for d in range(10)])
    out = stroke_variants(images, labels, seeded())
    assert out.shape == images.shape
    for digit in range(10):
        if digit in (1, 7, 9):
            assert (out[digit] - images[digit]).abs().max() > 0.2, digit
        else:
            assert torch.equal(out[digit], images[digit]), digit


@pytest.mark.parametrize(("n", "centre", "radius"), [(28, (6, 20), 4), (44, (30, 12), 9), (44, (22, 22), 15)])
def test_mnist_recipe_centres_the_mass_and_fits_the_ink_in_20_pixels(
    n: int, centre: tuple[float, float], radius: float
) -> None:
    image = ring(n, centre, radius)
    out = resample(image[None], normalise_matrix(image[None]))[0]
    assert out.shape == (28, 28)
    row, col = centre_of_mass(out)
    assert abs(row - 14) < 0.5 and abs(col - 14) < 0.5, (row, col)
    rows = torch.nonzero((out > 0.3).any(1)).squeeze(1)
    assert 18 <= int(rows.max() - rows.min() + 1) <= 21  # the ring's diameter becomes ≈ 20 pixels


# --- a real training run ----------------------------------------------------------------------------


def mnist_dir() -> Path | None:
    path = Path(os.environ.get("MNIST_DIR") or REPO.parent / "shared" / "data" / "mnist")
    return path if (path / "train-images-idx3-ubyte.gz").is_file() else None


@pytest.mark.slow
@pytest.mark.skipif(mnist_dir() is None, reason="no MNIST files ($MNIST_DIR or ../shared/data/mnist)")
def test_one_epoch_of_training_exports_a_timeline_that_reads_digits(tmp_path: Path) -> None:
    from training.train import main  # imports torchvision: only when this test runs

    out = tmp_path / "export"
    start = time.perf_counter()
    result = main(
        ["--mnist-dir", str(mnist_dir()), "--cache-dir", str(tmp_path / "cache"), "--epochs", "1"]
        + ["--out", str(out), "--threads", "1"]
    )
    assert time.perf_counter() - start < 300  # about 35 s on 1 core; far more means something is wrong
    timeline = load_timeline(out)
    seen = [s.images_seen for s in timeline.snapshots]
    assert seen == snapshot_points(MNIST_SIZE, 1)
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False))
    assert timeline.snapshots[0].train_loss is None
    assert timeline.snapshots[-1].test_accuracy > 0.85
    assert timeline.snapshots[-1].test_accuracy == pytest.approx(result["final_test_accuracy"])
    assert timeline.snapshots[-1].test_accuracy > timeline.snapshots[0].test_accuracy + 0.5
    assert np.isfinite(timeline.layers(timeline.final_id)[0][0]).all()
