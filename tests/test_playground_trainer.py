"""The playground trainer learns, repeats itself exactly, and reports what the screen draws."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from kiosk.playground.datasets import EXTENT
from kiosk.playground.frames import decode_grid, encode_grid, encode_points, grid_points
from kiosk.playground.spec import parse_spec
from kiosk.playground.trainer import Trainer, expand_features, warm_up


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """PyTorch's one-time import costs (~2 s) paid before the timed learning tests."""
    warm_up()


@pytest.fixture(autouse=True)
def one_thread():
    """As the server runs it: one intra-op thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def train_until(trainer: Trainer, accuracy: float, max_steps: int, every: int = 10) -> int | None:
    """Steps taken until the test accuracy reaches ``accuracy``, or None within ``max_steps``."""
    while trainer.step < max_steps:
        trainer.train_steps(every)
        if trainer.metrics()["test_accuracy"] >= accuracy:
            return trainer.step
    return None


def squared_norm(trainer: Trainer, kind: str) -> float:
    """Σp² over the network's parameters whose name contains ``kind`` ("weight" or "bias")."""
    return sum(float((p.detach() ** 2).sum()) for n, p in trainer.network.named_parameters() if kind in n)


# --- it learns ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("dataset", ["xor", "circles"])
def test_small_network_learns_xor_and_circles_from_plain_x_y(dataset: str, seed: int) -> None:
    spec = parse_spec({"dataset": dataset, "noise": 0.1, "hidden": [4], "features": ["x", "y"], "seed": seed})
    assert train_until(Trainer(spec), 0.95, max_steps=1000) is not None


def test_default_spec_learns_the_spiral() -> None:
    spec = parse_spec({})
    assert spec.dataset == "spiral" and spec.noise == 0.2
    trainer = Trainer(spec)
    started = time.perf_counter()
    steps = train_until(trainer, 0.90, max_steps=800)
    elapsed = time.perf_counter() - started
    print(f"spiral default: >= 90% test accuracy after {steps} steps, {elapsed:.2f} s")
    assert steps is not None
    assert elapsed < 5.0


def test_logistic_regression_learns_linear() -> None:
    spec = parse_spec({"dataset": "linear", "noise": 0.1, "hidden": []})
    trainer = Trainer(spec)
    assert train_until(trainer, 0.95, max_steps=500) is not None
    assert [len(layer["weights"]) for layer in trainer.weights()["layers"]] == [1]
    assert trainer.neurons()["layers"] == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"optimizer": "sgd", "learning_rate": 0.5},
        {"activation": "relu", "hidden": [8]},
        {"activation": "sigmoid", "hidden": [8], "learning_rate": 0.1},
        {"batch_size": 1, "hidden": [4]},
        {"features": ["x", "y", "x2", "y2", "xy", "sinx", "siny"], "hidden": [4]},
    ],
)
def test_every_option_trains(overrides: dict) -> None:
    trainer = Trainer(parse_spec({"dataset": "gaussians", "noise": 0.1, **overrides}))
    before = trainer.metrics()["train_loss"]
    trainer.train_steps(150)
    after = trainer.metrics()
    assert after["train_loss"] < before
    assert after["test_accuracy"] >= 0.9


# --- repeatable --------------------------------------------------------------------------------


def test_same_spec_same_run() -> None:
    spec = parse_spec({"batch_size": 50})  # mini-batches: the shuffle must repeat too
    first, second = Trainer(spec), Trainer(spec)
    first.train_steps(40)
    second.train_steps(25)
    second.train_steps(15)
    assert first.metrics() == second.metrics()
    assert first.weights() == second.weights()
    assert first.boundary() == second.boundary()


def test_other_seed_other_run() -> None:
    first, second = Trainer(parse_spec({"seed": 1})), Trainer(parse_spec({"seed": 2}))
    assert first.points() != second.points()
    first.train_steps(20)
    second.train_steps(20)
    assert first.metrics() != second.metrics()


def test_global_torch_rng_is_left_alone() -> None:
    state = torch.get_rng_state()
    trainer = Trainer(parse_spec({"seed": 5}))
    trainer.train_steps(3)
    assert torch.equal(torch.get_rng_state(), state)


# --- counters and metrics ----------------------------------------------------------------------


def test_step_and_epoch_count_points_seen() -> None:
    spec = parse_spec({"points": 600, "test_fraction": 0.3, "batch_size": 100})
    trainer = Trainer(spec)
    n_train = len(trainer.X_train)
    assert n_train == 420
    trainer.train_steps(2)
    assert trainer.step == 2 and trainer.epoch == pytest.approx(200 / n_train)
    trainer.train_steps(3)  # 100, 100, then the short last batch of 20 ends the pass
    assert trainer.step == 5 and trainer.epoch == pytest.approx(1.0)
    trainer.train_steps(5)
    assert trainer.epoch == pytest.approx(2.0)


def test_metrics_are_rounded_and_consistent() -> None:
    trainer = Trainer(parse_spec({"dataset": "moons"}))
    trainer.train_steps(30)
    metrics = trainer.metrics()
    assert set(metrics) == {"step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"}
    assert metrics["step"] == 30
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert metrics[key] == round(metrics[key], 4)
    with torch.no_grad():
        logits = trainer.network(expand_features(trainer.X_test, trainer.spec.features))
    expected = float(((logits[:, 0] > 0).numpy() == trainer.y_test.astype(bool)).mean())
    assert metrics["test_accuracy"] == pytest.approx(expected, abs=1e-4)
    json.dumps(metrics, allow_nan=False)


def test_l2_shrinks_weights_but_not_biases() -> None:
    def trained(l2: float) -> Trainer:
        trainer = Trainer(
            parse_spec({"dataset": "moons", "l2": l2, "optimizer": "sgd", "learning_rate": 0.3})
        )
        trainer.train_steps(200)
        return trainer

    plain, decayed = trained(0.0), trained(0.1)
    assert squared_norm(decayed, "weight") < 0.7 * squared_norm(plain, "weight")
    groups = {group["weight_decay"] for group in decayed.optimizer.param_groups}
    assert groups == {0.1, 0.0}
    bias_group = next(g for g in decayed.optimizer.param_groups if g["weight_decay"] == 0.0)
    assert all(p.dim() == 1 for p in bias_group["params"])


# --- what the screen draws ---------------------------------------------------------------------


def test_boundary_decodes_to_the_grid_and_agrees_with_the_model() -> None:
    trainer = Trainer(parse_spec({"dataset": "circles"}), grid=32)
    trainer.train_steps(100)
    frame = trainer.boundary()
    assert frame["size"] == 32 and frame["extent"] == [-6.0, 6.0, -6.0, 6.0]
    grid = decode_grid(frame["probabilities"], 32)
    assert grid.shape == (32, 32)
    points = grid_points(32, EXTENT)
    with torch.no_grad():
        p = torch.sigmoid(trainer.network(expand_features(points, trainer.spec.features))).numpy()[:, 0]
    for index in (0, 31, 32 * 16 + 5, 32 * 32 - 1):
        assert grid.flat[index] == pytest.approx(p[index], abs=0.5 / 255 + 1e-6)
    # circles: class 0 inside, class 1 outside — the centre is low, a corner is high.
    assert grid[16, 16] < 0.5 < grid[0, 0]


def test_neuron_maps_per_layer_scaled_per_neuron() -> None:
    trainer = Trainer(parse_spec({"hidden": [3, 5], "activation": "tanh"}), neuron_grid=8)
    trainer.train_steps(20)
    frame = trainer.neurons()
    assert frame["size"] == 8
    assert [len(layer) for layer in frame["layers"]] == [3, 5]
    for layer in frame["layers"]:
        for encoded in layer:
            grid = decode_grid(encoded, 8)
            assert grid.shape == (8, 8)
            assert np.abs(grid - 0.5).max() == pytest.approx(0.5, abs=1 / 255)  # its peak reaches an end


def test_neuron_map_of_a_zero_neuron_is_all_half() -> None:
    trainer = Trainer(parse_spec({"hidden": [2], "activation": "relu"}), neuron_grid=4)
    with torch.no_grad():
        trainer.network[0].weight.zero_()
        trainer.network[0].bias.fill_(-1.0)  # ReLU outputs 0 everywhere
    grid = decode_grid(trainer.neurons()["layers"][0][0], 4)
    np.testing.assert_allclose(grid, 128 / 255)


def test_neuron_map_matches_the_neurons_output() -> None:
    trainer = Trainer(parse_spec({"hidden": [4]}), neuron_grid=16)
    trainer.train_steps(10)
    with torch.no_grad():
        inputs = expand_features(grid_points(16, EXTENT), trainer.spec.features)
        out = trainer.network[1](trainer.network[0](inputs)).numpy()[:, 2]
    expected = (out / np.abs(out).max() + 1) / 2
    np.testing.assert_allclose(
        decode_grid(trainer.neurons()["layers"][0][2], 16).ravel(), expected, atol=0.5 / 255 + 1e-6
    )


@pytest.mark.parametrize(
    ("hidden", "features"), [([5, 3], ["x", "y", "xy"]), ([], ["sinx"]), ([16] * 6, ["x", "y"])]
)
def test_weights_follow_features_and_hidden(hidden: list[int], features: list[str]) -> None:
    trainer = Trainer(parse_spec({"hidden": hidden, "features": features}))
    layers = trainer.weights()["layers"]
    sizes = [len(features), *hidden, 1]
    assert len(layers) == len(sizes) - 1
    for layer, n_in, n_out in zip(layers, sizes[:-1], sizes[1:], strict=True):
        assert len(layer["weights"]) == n_out and all(len(row) == n_in for row in layer["weights"])
        assert len(layer["biases"]) == n_out
    first = trainer.network[0].weight.detach().numpy()
    assert layers[0]["weights"][0][0] == round(float(first[0, 0]), 4)


def test_features_in_spec_order() -> None:
    X = np.array([[3.0, -6.0]], dtype=np.float32)
    got = expand_features(X, ["siny", "xy", "x", "y2"]).numpy()[0]
    np.testing.assert_allclose(got, [np.sin(-6.0), 0.5 * -1.0, 0.5, 1.0], rtol=1e-6)


def test_points_are_the_split() -> None:
    trainer = Trainer(parse_spec({"points": 100, "test_fraction": 0.2}))
    frame = trainer.points()
    assert len(frame["train"]) == 3 * 80 and len(frame["test"]) == 3 * 20
    assert frame["test"] == encode_points(trainer.X_test, trainer.y_test)
    json.dumps(frame, allow_nan=False)


# --- frames, as the trainer uses them ----------------------------------------------------------


def test_grid_points_row_zero_is_the_top() -> None:
    points = grid_points(4, (-6.0, 6.0))
    assert points.shape == (16, 2)
    np.testing.assert_allclose(points[0], [-4.5, 4.5])  # top left cell centre
    np.testing.assert_allclose(points[3], [4.5, 4.5])  # top right
    np.testing.assert_allclose(points[15], [4.5, -4.5])  # bottom right


def test_encode_grid_round_trip_orientation_and_nan() -> None:
    values = np.array([[0.0, 0.25, np.nan], [1.0, 2.0, -1.0]])
    expected = np.array([[0, 64, 128], [255, 255, 0]]) / 255  # NaN undecided, out of range clipped
    np.testing.assert_allclose(decode_grid(encode_grid(values), 3), expected, rtol=1e-6)
    with pytest.raises(ValueError):
        decode_grid(encode_grid(values), 4)


def test_encode_points_flat_and_rounded() -> None:
    X = np.array([[1.23456, -2.0], [0.0004, 5.5]], dtype=np.float32)
    assert encode_points(X, np.array([1, 0])) == [1.235, -2.0, 1, 0.0, 5.5, 0]


def test_warm_up_leaves_the_global_rng_alone() -> None:
    state = torch.get_rng_state()
    warm_up()
    assert torch.equal(torch.get_rng_state(), state)


def test_a_diverged_run_still_reports_valid_json() -> None:
    trainer = Trainer(parse_spec({"hidden": [3]}), grid=4, neuron_grid=4)
    assert not trainer.diverged
    with torch.no_grad():
        trainer.network[0].weight.fill_(float("nan"))
    assert trainer.diverged
    metrics = trainer.metrics()
    assert metrics["train_loss"] is None and metrics["test_loss"] is None
    np.testing.assert_allclose(decode_grid(trainer.boundary()["probabilities"], 4), 128 / 255)
    for report in (metrics, trainer.boundary(), trainer.neurons(), trainer.weights()):
        json.dumps(report, allow_nan=False)
