"""What a playground run is made of — dataset, network, training — and the refusal of anything else.

A run is fully described by a ``PlaygroundSpec``: the same spec gives the same run, step for step.
The defaults are a run worth watching: the spiral (noise 0.2) learnt from plain x and y by three
tanh layers of 12, full-batch Adam at 0.03 — the network itself bends the boundary into the spiral.
Measured over seeds 0-9 (2-core kiosk-class machine): ≥ 90% test accuracy after 110-220 steps
(about 0.3 s of training), and it stays above 93% to step 3000. Of the variants tried, [8, 8, 8]
took up to 740 steps, [16, 16, 16] up to 240; mini-batches of 32 or 128 were 3-10× slower or
stalled below 90%; ReLU often died at chance; sin features reach 90% in 50-80 steps but the
boundary is then mostly the features' stripes, not the network's work.

How fast a run goes on screen is part of it too: ``steps_per_second``, training steps a second
(null: the exhibit's pace for that kind of run, ``playground.steps_per_second`` or
``playground.tablet_steps_per_second``). It changes when the steps happen, never what they do.
For passers-by the boundary should take shape over tens of seconds: the spiral at 4 steps a second
(about 45 s), moons and circles at about 2 (15-30 s).

``parse_spec`` takes what came over the wire (a JSON object) and either returns a spec or raises
``SpecError`` with one line per problem, naming the field path and what is allowed, e.g.
``hidden.2: must be 1 to 16 neurons (got 17)`` — written for a presenter, not for a programmer.
Types are strict: "5" is not a number and true is not 1.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from kiosk.playground.datasets import DATASETS
from kiosk.validation_errors import describe, key_path, plain_message

FEATURES = ("x", "y", "x2", "y2", "xy", "sinx", "siny")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
OPTIMIZERS = ("sgd", "adam")
MAX_LAYERS = 6
MAX_NEURONS = 16
MIN_PACE, MAX_PACE = 0.1, 5000  # training steps a second

DatasetName = Literal["moons", "circles", "spiral", "xor", "linear", "gaussians"]
FeatureName = Literal["x", "y", "x2", "y2", "xy", "sinx", "siny"]
DEFAULT_FEATURES: tuple[FeatureName, ...] = ("x", "y")
Neurons = Annotated[StrictInt, Field(ge=1, le=MAX_NEURONS)]
Number = StrictFloat  # accepts JSON integers too (1 is a fine learning rate), never bools or strings


class SpecError(ValueError):
    """A spec that cannot be run; the message has one "path: what is allowed" line per problem."""


class PlaygroundSpec(BaseModel):
    """Everything a run is made of; frozen, so a running trainer's spec cannot change under it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: DatasetName = "spiral"
    noise: Number = Field(0.2, ge=0.0, le=1.0)
    points: StrictInt = Field(600, ge=50, le=2000)
    test_fraction: Number = Field(0.3, ge=0.1, le=0.9)
    seed: StrictInt = Field(0, ge=0, le=2**31 - 1)
    hidden: list[Neurons] = Field(default_factory=lambda: [12, 12, 12], max_length=MAX_LAYERS)
    activation: Literal["relu", "tanh", "sigmoid"] = "tanh"
    learning_rate: Number = Field(0.03, ge=1e-5, le=10.0)
    batch_size: StrictInt = Field(512, ge=1, le=512)  # ≥ the default training set: full batch
    optimizer: Literal["sgd", "adam"] = "adam"
    l2: Number = Field(0.0, ge=0.0, le=1.0)
    features: list[FeatureName] = Field(
        default_factory=lambda: list(DEFAULT_FEATURES), min_length=1, max_length=len(FEATURES)
    )
    steps_per_second: Number | None = Field(None, ge=MIN_PACE, le=MAX_PACE)

    @field_validator("features")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"repeated {', '.join(repeated)}")
        return value

    def to_json(self) -> dict[str, Any]:
        """The spec as plain JSON values; ``parse_spec`` of it gives the same spec back."""
        return self.model_dump(mode="json")


_ALLOWED = {
    "dataset": f"must be one of {', '.join(DATASETS)}",
    "noise": "must be a number from 0 to 1",
    "points": "must be a whole number from 50 to 2000",
    "test_fraction": "must be a number from 0.1 to 0.9",
    "seed": f"must be a whole number from 0 to {2**31 - 1}",
    "hidden": f"must be a list of 0 to {MAX_LAYERS} layer sizes, e.g. [8, 8]",
    "hidden.*": f"must be 1 to {MAX_NEURONS} neurons",
    "activation": f"must be one of {', '.join(ACTIVATIONS)}",
    "learning_rate": "must be a number from 0.00001 to 10",
    "batch_size": "must be a whole number from 1 to 512",
    "optimizer": f"must be one of {', '.join(OPTIMIZERS)}",
    "l2": "must be a number from 0 to 1",
    "features": f"must be a non-empty list of distinct names from {', '.join(FEATURES)}",
    "features.*": f"must be one of {', '.join(FEATURES)}",
    "steps_per_second": f"must be a number from {MIN_PACE} to {MAX_PACE} (training steps a second) or null",
}
assert set(DatasetName.__args__) == set(DATASETS)  # type: ignore[attr-defined]
assert set(_ALLOWED) == set(PlaygroundSpec.model_fields) | {"hidden.*", "features.*"}


def parse_spec(data: object) -> PlaygroundSpec:
    """A validated spec from a JSON value (missing fields take their defaults), or ``SpecError``."""
    if not isinstance(data, dict):
        raise SpecError(f"the spec must be an object with fields {', '.join(PlaygroundSpec.model_fields)}")
    try:
        return PlaygroundSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError("; ".join(_describe(error) for error in exc.errors())) from None


def _describe(error: ErrorDetails) -> str:
    loc = error["loc"]
    if error["type"] == "extra_forbidden":
        return describe(error, PlaygroundSpec)
    pattern = ".".join("*" if isinstance(part, int) else str(part) for part in loc)
    message = _ALLOWED.get(pattern, error["msg"])
    if error["type"] == "value_error":  # our own check (repeated features): say which
        message += f" ({plain_message(error, PlaygroundSpec)})"
    else:
        message += f" (got {_short(error['input'])})"
    return f"{key_path(loc)}: {message}"


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
