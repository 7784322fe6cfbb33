"""The toy datasets: right shapes, balanced labels, inside the plane, repeatable, and noise that shows."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.playground.datasets import DATASETS, EXTENT, LINEAR_NORMAL, make_dataset, split

LOW, HIGH = EXTENT


def nearest_neighbour_accuracy(name: str, X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of 1-NN against a large clean sample of the same dataset: the clean shape as classifier."""
    X_ref, y_ref = make_dataset(name, 2000, 0.0, seed=12345)
    distances = ((X[:, None, :] - X_ref[None, :, :]) ** 2).sum(axis=2)
    return float((y_ref[distances.argmin(axis=1)] == y).mean())


# Where the clean shape has a boundary known in closed form: the rule that separates it.
RULES = {
    "circles": lambda X: (np.hypot(X[:, 0], X[:, 1]) > 3.0).astype(np.int64),
    "xor": lambda X: (X[:, 0] * X[:, 1] > 0).astype(np.int64),
    "linear": lambda X: (X @ LINEAR_NORMAL > 0).astype(np.int64),
    "gaussians": lambda X: (X.sum(axis=1) > 0).astype(np.int64),
}


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("points", [50, 601])
def test_shapes_dtypes_and_balanced_labels(name: str, points: int) -> None:
    X, y = make_dataset(name, points, 0.3, seed=1)
    assert X.shape == (points, 2) and X.dtype == np.float32
    assert y.shape == (points,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert abs(int((y == 1).sum()) - int((y == 0).sum())) <= 1


@pytest.mark.parametrize("name", DATASETS)
def test_labels_are_shuffled_not_blocked(name: str) -> None:
    _, y = make_dataset(name, 200, 0.0, seed=2)
    assert 0 < y[:100].mean() < 1  # a caller taking the first points still gets both classes


@pytest.mark.parametrize("name", DATASETS)
def test_clean_shape_leaves_room_for_noise(name: str) -> None:
    X, _ = make_dataset(name, 1000, 0.0, seed=3)
    assert np.abs(X).max() <= 5.0 + 1e-5  # the shapes are drawn within ±5 of the ±6 plane


@pytest.mark.parametrize("name", DATASETS)
def test_noise_never_leaves_the_plane_nor_piles_on_its_border(name: str) -> None:
    X, _ = make_dataset(name, 2000, 1.0, seed=4)
    assert X.min() >= LOW and X.max() <= HIGH
    on_border = np.isclose(X, LOW, atol=1e-4) | np.isclose(X, HIGH, atol=1e-4)
    assert on_border.mean() < 0.001  # out-of-plane jitter is redrawn, not clipped


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    X1, y1 = make_dataset(name, 300, 0.4, seed=7)
    X2, y2 = make_dataset(name, 300, 0.4, seed=7)
    X3, _ = make_dataset(name, 300, 0.4, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(np.sort(X1, axis=0), np.sort(X3, axis=0))


@pytest.mark.parametrize("name", DATASETS)
def test_noise_blurs_the_classes(name: str) -> None:
    clean = nearest_neighbour_accuracy(name, *make_dataset(name, 600, 0.0, seed=5))
    moderate = nearest_neighbour_accuracy(name, *make_dataset(name, 600, 0.3, seed=5))
    noisy = nearest_neighbour_accuracy(name, *make_dataset(name, 600, 1.0, seed=5))
    assert clean >= 0.99
    assert noisy < moderate <= clean
    assert noisy <= clean - 0.05


@pytest.mark.parametrize("name", sorted(RULES))
def test_known_boundary_separates_clean_data_and_noise_blurs_it(name: str) -> None:
    rule = RULES[name]
    X, y = make_dataset(name, 600, 0.0, seed=6)
    assert (rule(X) == y).mean() == 1.0
    X, y = make_dataset(name, 600, 1.0, seed=6)
    assert (rule(X) == y).mean() < 0.95


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", 100, 0.1, 0), "unknown dataset"),
        (("moons", 1, 0.1, 0), "at least 2"),
        (("moons", 100, 1.5, 0), "noise"),
        (("moons", 100, -0.1, 0), "noise"),
    ],
)
def test_bad_arguments_are_refused(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_dataset(*args)


@pytest.mark.parametrize(("points", "fraction"), [(600, 0.3), (50, 0.1), (50, 0.9), (2, 0.5), (3, 0.01)])
def test_split_sizes_partition_and_both_parts_non_empty(points: int, fraction: float) -> None:
    X, y = make_dataset("moons", points, 0.1, seed=0)
    X_train, y_train, X_test, y_test = split(X, y, fraction, seed=0)
    assert len(X_test) == min(max(round(points * fraction), 1), points - 1)
    assert len(X_train) + len(X_test) == points and len(X_train) >= 1 and len(X_test) >= 1
    assert len(y_train) == len(X_train) and len(y_test) == len(X_test)
    together = np.concatenate([X_train, X_test])
    np.testing.assert_array_equal(together[np.lexsort(together.T)], X[np.lexsort(X.T)])


def test_split_is_deterministic_and_depends_on_the_seed() -> None:
    X, y = make_dataset("circles", 400, 0.2, seed=0)
    first, again, other = split(X, y, 0.3, 1), split(X, y, 0.3, 1), split(X, y, 0.3, 2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[2], other[2])
