"""Engine: the network's answer and every activation, checked against a plain numpy forward pass."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from support.exports import rewrite_manifest

from kiosk.model.engine import Engine, UnknownSnapshot
from kiosk.model.export import Timeline, load_timeline
from kiosk.model.network import MLP
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import parse_strokes


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "softmax": softmax,
}


def numpy_forward(timeline: Timeline, snapshot: str, image: np.ndarray) -> list[np.ndarray]:
    """The MLP written out in float64 from the export's weights and normalization."""
    x = (image.reshape(-1).astype(np.float64) - timeline.mean) / timeline.std
    activations = []
    for (weight, bias), name in zip(timeline.layers(snapshot), timeline.activations, strict=True):
        x = NUMPY_ACTIVATIONS[name](weight.astype(np.float64) @ x + bias)
        activations.append(x)
    return activations


def sample_images() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    seven = rasterise(parse_strokes([[[0, 0], [60, 0], [25, 100]], [[20, 50], [50, 50]]]))
    return {
        "drawn-seven": seven,
        "noise": rng.random((28, 28), dtype=np.float32),
        "sparse-noise": (rng.random((28, 28)) > 0.8).astype(np.float32),
        "blank": np.zeros((28, 28), np.float32),
        "all-ink": np.ones((28, 28), np.float32),
    }


IMAGES = sample_images()


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
def tiny_engine(tiny_export: Path) -> Engine:
    return Engine(load_timeline(tiny_export))


@pytest.mark.parametrize("name", IMAGES)
def test_probabilities_sum_to_one_and_digit_is_their_argmax(engine: Engine, name: str) -> None:
    result = engine.infer(IMAGES[name])
    assert result.probabilities.shape == (10,)
    assert result.probabilities.min() >= 0
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert result.digit == int(np.argmax(result.probabilities))
    assert result.snapshot == engine.timeline.final_id


@pytest.mark.parametrize("name", IMAGES)
def test_activations_follow_the_architecture_and_relu_layers_are_non_negative(
    engine: Engine, name: str
) -> None:
    result = engine.infer(IMAGES[name])
    timeline = engine.timeline
    assert [len(a) for a in result.activations] == timeline.architecture[1:]
    for activation, function in zip(result.activations, timeline.activations, strict=True):
        if function == "relu":
            assert activation.min() >= 0
    np.testing.assert_array_equal(result.activations[-1], result.probabilities)


@pytest.mark.parametrize("name", IMAGES)
def test_final_snapshot_matches_a_numpy_forward_pass(engine: Engine, name: str) -> None:
    result = engine.infer(IMAGES[name])
    expected = numpy_forward(engine.timeline, engine.timeline.final_id, IMAGES[name])
    for got, want in zip(result.activations, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("snapshot", ["start", "mid", "end"])
def test_every_snapshot_matches_a_numpy_forward_pass(tiny_engine: Engine, snapshot: str) -> None:
    image = IMAGES["drawn-seven"]
    result = tiny_engine.infer(image, snapshot)
    assert result.snapshot == snapshot
    for got, want in zip(
        result.activations, numpy_forward(tiny_engine.timeline, snapshot, image), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_other_hidden_activation_functions_match_numpy(tiny_export: Path, hidden: str) -> None:
    rewrite_manifest(tiny_export, lambda m: m.update(activations=[hidden, "softmax"]))
    engine = Engine(load_timeline(tiny_export))
    result = engine.infer(IMAGES["noise"])
    expected = numpy_forward(engine.timeline, "end", IMAGES["noise"])
    for got, want in zip(result.activations, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    low = -1 if hidden == "tanh" else 0
    assert low <= result.activations[0].min() and result.activations[0].max() <= 1


def test_different_snapshots_give_different_outputs(tiny_engine: Engine) -> None:
    image = IMAGES["drawn-seven"]
    start, end = tiny_engine.infer(image, "start"), tiny_engine.infer(image, "end")
    assert np.abs(start.probabilities - end.probabilities).max() > 1e-3
    assert np.abs(start.activations[0] - end.activations[0]).max() > 1e-3


def test_default_snapshot_is_the_final_one(tiny_engine: Engine) -> None:
    image = IMAGES["noise"]
    default, final = tiny_engine.infer(image), tiny_engine.infer(image, "end")
    assert default.snapshot == "end"
    np.testing.assert_array_equal(default.probabilities, final.probabilities)


def test_unknown_snapshot_is_refused_naming_it_and_the_export(tiny_engine: Engine) -> None:
    with pytest.raises(UnknownSnapshot) as info:
        tiny_engine.infer(IMAGES["noise"], "s999")
    assert "'s999'" in str(info.value)
    assert "tiny-test" in str(info.value)
    assert isinstance(info.value, KeyError)  # callers that catch KeyError still work


def test_result_keeps_the_image_the_network_saw(tiny_engine: Engine) -> None:
    flat = IMAGES["sparse-noise"].reshape(-1)
    result = tiny_engine.infer(flat)
    assert result.image.shape == (28, 28)
    np.testing.assert_array_equal(result.image, IMAGES["sparse-noise"])


def test_to_json_is_serialisable_and_round_trips(engine: Engine) -> None:
    result = engine.infer(IMAGES["drawn-seven"])
    decoded = json.loads(json.dumps(result.to_json()))
    assert decoded["digit"] == result.digit
    assert decoded["snapshot"] == result.snapshot
    np.testing.assert_allclose(decoded["probabilities"], result.probabilities, atol=1e-5)
    assert [len(a) for a in decoded["activations"]] == engine.timeline.architecture[1:]
    np.testing.assert_allclose(decoded["image"], result.image.reshape(-1), atol=1e-3)


def test_batched_forward_equals_forward_row_by_row(engine: Engine) -> None:
    batch = np.stack([image.reshape(-1) for image in IMAGES.values()])
    snapshot = engine.timeline.final_id
    batched = engine.forward(batch, snapshot)
    for row, pixels in enumerate(batch):
        single = engine.forward(pixels, snapshot)
        for b, s in zip(batched, single, strict=True):
            # float32 sums in another order (matrix product vs matrix-vector): equal to ~1e-6.
            np.testing.assert_allclose(b[row], s, rtol=1e-4, atol=1e-5)


def test_engine_answers_as_the_pytorch_network_it_was_trained_as(engine: Engine) -> None:
    # The trainer's own model class with the snapshot's weights: an independent implementation.
    timeline = engine.timeline
    if timeline.activations[:-1] != ["relu"] * (len(timeline.activations) - 1):
        pytest.skip("training.model.MLP is a ReLU network")
    model = MLP(timeline.architecture)
    with torch.no_grad():
        for linear, (weight, bias) in zip(model.linears, timeline.layers(timeline.final_id), strict=True):
            linear.weight.copy_(torch.from_numpy(weight))
            linear.bias.copy_(torch.from_numpy(bias))
        for image in IMAGES.values():
            x = (torch.from_numpy(image.reshape(1, -1)) - timeline.mean) / timeline.std
            expected = torch.softmax(model(x), dim=1)[0].numpy()
            np.testing.assert_allclose(engine.infer(image).probabilities, expected, rtol=1e-4, atol=1e-6)
