"""Connection sets: per neuron the N largest-|w| incoming weights, strongest first, cached per snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.display.connections import ConnectionSets, strongest_connections
from kiosk.model.export import load_timeline


def brute_force(weight: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Full stable sort of every row by -|w|: the reference the linear-time version must agree with."""
    order = np.argsort(-np.abs(weight), axis=1, kind="stable")[:, : min(n, weight.shape[1])]
    return order, np.take_along_axis(weight, order, axis=1)


def check_against_brute_force(weight: np.ndarray, n: int) -> None:
    sources, weights = strongest_connections(weight, n)
    expected_sources, expected_weights = brute_force(weight, n)
    assert sources.shape == weights.shape == expected_sources.shape
    # Whatever ties were broken to, the magnitudes picked are the n largest, strongest first...
    np.testing.assert_array_equal(np.abs(weights), np.abs(expected_weights))
    # ...each is the weight really found at its source, with its sign...
    np.testing.assert_array_equal(weights, np.take_along_axis(weight, sources, axis=1))
    # ...and no input is picked twice for the same neuron.
    assert all(len(set(row)) == len(row) for row in sources.tolist())
    assert sources.min() >= 0 and sources.max() < weight.shape[1]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n", [1, 3, 24])
def test_the_n_largest_magnitudes_of_each_row_strongest_first(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    weight = rng.normal(0, 1, size=(int(rng.integers(1, 40)), int(rng.integers(n, 100)))).astype(np.float32)
    sources, weights = strongest_connections(weight, n)
    expected_sources, expected_weights = brute_force(weight, n)
    # Random normals have no ties: the very same sources, in the same order.
    np.testing.assert_array_equal(sources, expected_sources)
    np.testing.assert_array_equal(weights, expected_weights)
    assert weights.dtype == weight.dtype


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n", [1, 4, 7, 12])
def test_ties_and_negative_weights(seed: int, n: int) -> None:
    # Small integers of both signs: many equal magnitudes (3 and -3 tie), and zeros.
    rng = np.random.default_rng(100 + seed)
    weight = rng.integers(-3, 4, size=(20, 12)).astype(np.float32)
    check_against_brute_force(weight, n)


def test_a_negative_weight_outranks_a_smaller_positive_one() -> None:
    weight = np.array([[0.1, -0.9, 0.5, -0.2], [-0.3, 0.0, 0.25, -4.0]], np.float32)
    sources, weights = strongest_connections(weight, 2)
    expected_sources, expected_weights = brute_force(weight, 2)
    np.testing.assert_array_equal(sources, expected_sources)
    np.testing.assert_array_equal(weights, expected_weights)
    assert (weights < 0).any()


@pytest.mark.parametrize("n", [10, 11, 500])
def test_n_is_capped_at_the_number_of_inputs(n: int) -> None:
    rng = np.random.default_rng(7)
    weight = rng.normal(size=(6, 10))
    sources, weights = strongest_connections(weight, n)
    assert sources.shape == weights.shape == (6, 10)
    # Every input appears once per neuron, and the order is by falling magnitude.
    np.testing.assert_array_equal(np.sort(sources, axis=1), np.tile(np.arange(10), (6, 1)))
    assert (np.diff(np.abs(weights), axis=1) <= 0).all()
    check_against_brute_force(weight, n)


def test_all_equal_weights_still_give_n_distinct_sources() -> None:
    weight = np.full((3, 9), -0.5, np.float32)
    check_against_brute_force(weight, 4)


# --- ConnectionSets ----------------------------------------------------------------------------


@pytest.mark.parametrize("per_neuron", [1, 5, 24])
def test_sets_for_a_snapshot_are_flat_row_major_lists_per_layer(tiny_export: Path, per_neuron: int) -> None:
    timeline = load_timeline(tiny_export)
    sets = ConnectionSets(timeline, per_neuron)
    snapshot = timeline.snapshots[1].id
    body = sets.for_snapshot(snapshot)
    assert body["snapshot"] == snapshot
    layers = timeline.layers(snapshot)
    assert len(body["layers"]) == len(layers)
    for layer, (weight, _bias) in zip(body["layers"], layers, strict=True):
        n = min(per_neuron, weight.shape[1])
        assert layer["per_neuron"] == n
        expected_sources, expected_weights = brute_force(weight, per_neuron)
        assert isinstance(layer["sources"], list) and isinstance(layer["weights"], list)
        assert len(layer["sources"]) == len(layer["weights"]) == weight.shape[0] * n
        sources = np.array(layer["sources"]).reshape(weight.shape[0], n)
        weights = np.array(layer["weights"]).reshape(weight.shape[0], n)
        # float16 weights have ties; the magnitudes and the weights at the named sources must agree.
        np.testing.assert_array_equal(
            np.abs(weights), np.round(np.abs(expected_weights).astype(np.float64), 4)
        )
        picked = np.take_along_axis(weight, sources, axis=1).astype(np.float64)
        np.testing.assert_array_equal(weights, np.round(picked, 4))
        assert all(type(s) is int for s in layer["sources"][:10])


def test_the_second_request_for_a_snapshot_is_the_cached_object(tiny_export: Path) -> None:
    timeline = load_timeline(tiny_export)
    sets = ConnectionSets(timeline, 8)
    first = sets.for_snapshot(timeline.final_id)
    assert sets.for_snapshot(timeline.final_id) is first
    other = sets.for_snapshot(timeline.snapshots[0].id)
    assert other is not first and other["layers"] != first["layers"]


@pytest.mark.parametrize("unknown", ["nope", "", "../manifest"])
def test_an_unknown_snapshot_is_a_key_error(tiny_export: Path, unknown: str) -> None:
    sets = ConnectionSets(load_timeline(tiny_export), 8)
    with pytest.raises(KeyError):
        sets.for_snapshot(unknown)
    assert sets.for_snapshot(sets.timeline.final_id)["snapshot"] == sets.timeline.final_id
