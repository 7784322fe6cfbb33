"""Playground specs: the defaults are valid, and every bad field is refused with a message that helps."""

from __future__ import annotations

import pydantic
import pytest

from kiosk.playground.datasets import DATASETS
from kiosk.playground.spec import FEATURES, PlaygroundSpec, SpecError, parse_spec


def test_defaults_are_valid_and_round_trip() -> None:
    spec = parse_spec({})
    assert spec == PlaygroundSpec()
    assert spec.dataset in DATASETS and len(spec.features) >= 1 and len(spec.hidden) <= 6
    assert parse_spec(spec.to_json()) == spec


def test_to_json_is_plain_json_values() -> None:
    data = parse_spec({"dataset": "xor", "hidden": [], "features": ["xy", "x"]}).to_json()
    assert data["dataset"] == "xor" and data["hidden"] == [] and data["features"] == ["xy", "x"]
    assert set(data) == set(PlaygroundSpec.model_fields)


@pytest.mark.parametrize(
    "data",
    [
        {"noise": 0, "test_fraction": 0.9, "learning_rate": 1, "l2": 1},  # JSON integers are numbers
        {"hidden": [16] * 6, "features": list(FEATURES), "points": 2000, "batch_size": 1},
        {"hidden": [1], "points": 50, "seed": 2**31 - 1, "learning_rate": 1e-5, "optimizer": "sgd"},
        {"activation": "relu"},
        {"activation": "sigmoid", "dataset": "gaussians"},
        {"steps_per_second": 0.1},  # a pace for passers-by: one step every ten seconds
        {"steps_per_second": 5000},
        {"steps_per_second": None},  # the exhibit's pace
    ],
)
def test_limits_are_accepted(data: dict) -> None:
    spec = parse_spec(data)
    for key, value in data.items():
        assert getattr(spec, key) == value


def test_spec_is_frozen() -> None:
    spec = parse_spec({})
    with pytest.raises(pydantic.ValidationError):
        spec.noise = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "path", "allowed"),
    [
        ({"dataset": "donut"}, "dataset", "must be one of moons, circles, spiral, xor, linear, gaussians"),
        ({"dataset": 3}, "dataset", "must be one of"),
        ({"noise": 1.5}, "noise", "from 0 to 1"),
        ({"steps_per_second": 0.05}, "steps_per_second", "from 0.1 to 5000 (training steps a second)"),
        ({"steps_per_second": 5001}, "steps_per_second", "from 0.1 to 5000"),
        ({"steps_per_second": "4"}, "steps_per_second", "must be a number"),
        ({"noise": -0.1}, "noise", "from 0 to 1"),
        ({"noise": "0.2"}, "noise", "must be a number"),
        ({"noise": True}, "noise", "must be a number"),
        ({"points": 49}, "points", "from 50 to 2000"),
        ({"points": 2001}, "points", "from 50 to 2000"),
        ({"points": "600"}, "points", "whole number"),
        ({"points": True}, "points", "whole number"),
        ({"points": 600.0}, "points", "whole number"),
        ({"test_fraction": 0.05}, "test_fraction", "from 0.1 to 0.9"),
        ({"test_fraction": 0.95}, "test_fraction", "from 0.1 to 0.9"),
        ({"seed": -1}, "seed", "from 0 to 2147483647"),
        ({"seed": 2**31}, "seed", "from 0 to 2147483647"),
        ({"seed": False}, "seed", "whole number"),
        ({"hidden": [4] * 7}, "hidden", "0 to 6 layer"),
        ({"hidden": 8}, "hidden", "0 to 6 layer"),
        ({"hidden": [8, 8, 17]}, "hidden.2", "must be 1 to 16 neurons"),
        ({"hidden": [0]}, "hidden.0", "must be 1 to 16 neurons"),
        ({"hidden": [8, True]}, "hidden.1", "must be 1 to 16 neurons"),
        ({"hidden": ["8"]}, "hidden.0", "must be 1 to 16 neurons"),
        ({"activation": "softmax"}, "activation", "must be one of relu, tanh, sigmoid"),
        ({"learning_rate": 0}, "learning_rate", "from 0.00001 to 10"),
        ({"learning_rate": 11}, "learning_rate", "from 0.00001 to 10"),
        ({"learning_rate": float("nan")}, "learning_rate", "from 0.00001 to 10"),
        ({"learning_rate": "0.03"}, "learning_rate", "must be a number"),
        ({"batch_size": 0}, "batch_size", "from 1 to 512"),
        ({"batch_size": 513}, "batch_size", "from 1 to 512"),
        ({"optimizer": "rmsprop"}, "optimizer", "must be one of sgd, adam"),
        ({"l2": 2}, "l2", "from 0 to 1"),
        ({"l2": None}, "l2", "from 0 to 1"),
        ({"features": []}, "features", "non-empty list of distinct names from x, y, x2, y2, xy, sinx, siny"),
        ({"features": ["x", "y", "x"]}, "features", "distinct"),
        ({"features": "x"}, "features", "non-empty list"),
        ({"features": ["x", "cosx"]}, "features.1", "must be one of x, y, x2, y2, xy, sinx, siny"),
    ],
)
def test_bad_field_is_refused_naming_the_field_and_what_is_allowed(
    data: dict, path: str, allowed: str
) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(data)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert allowed in message
    assert "\n" not in message


def test_repeated_features_are_named() -> None:
    with pytest.raises(SpecError, match=r"repeated x, y"):
        parse_spec({"features": ["x", "y", "x", "y", "xy"]})


def test_unknown_field_lists_the_allowed_ones() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"lr": 0.1})
    message = str(caught.value)
    assert message.startswith("lr: unknown key; allowed here: ")
    for field in PlaygroundSpec.model_fields:
        assert field in message


def test_several_problems_one_clause_each() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"noise": 3, "hidden": [8, 99], "dataset": "nope"})
    clauses = str(caught.value).split("; ")
    assert len(clauses) == 3
    assert {clause.split(":")[0] for clause in clauses} == {"noise", "hidden.1", "dataset"}


@pytest.mark.parametrize("data", [None, [], "spiral", 5])
def test_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(SpecError, match="must be an object"):
        parse_spec(data)
