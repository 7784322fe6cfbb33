"""What the screen shows between visitors: the attract playlist's items, as staff write them.

Each item is a scene, how long it stays on screen, and that scene's own settings::

    - scene: timeline          # the training history played back
      seconds: 60
      speed: 1                 # 0.25-8
      digit: visitor           # visitor (last visitor's digit), sample (a test digit), or 0-9
    - scene: playground        # a small network learning a 2-D toy dataset live
      seconds: 70              # long enough to see the end (the spirals: ~45 s at the screen's pace)
      run: {dataset: spiral}   # any playground setting (kiosk.playground.spec); missing = default
    - scene: samples           # MNIST test digits flowing through the network, one by one
      seconds: 30
      which: wrong             # any, wrong (the ones it gets wrong), or 0-9
      seconds_per_sample: 5    # 1-60
    - scene: call_to_action    # "Draw a digit on the tablet"
      seconds: 15
      text: ""                 # "" = that sentence in the exhibit's language; else shown as written
    - scene: explain           # "How does it work?": five steps through the network on one digit
      seconds: 45              # at least 5 × seconds_per_step; the last step stays for the rest
      digit: visitor           # as for timeline
      seconds_per_step: 8      # 5-20

A setting of another scene (``which`` on a timeline) or an unknown key is refused where it is
written, so that the staff's error message points at its line. Settings left out take their
defaults, so every item carries its scene's full settings and none of the others'.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.display.tour import DEFAULT_SECONDS_PER_STEP, SECONDS_PER_STEP, STEPS
from kiosk.playground.spec import PlaygroundSpec

SceneName = Literal["timeline", "playground", "samples", "call_to_action", "explain"]
SCENES: tuple[str, ...] = get_args(SceneName)
SETTINGS: dict[str, tuple[str, ...]] = {  # each scene's own keys, besides scene and seconds
    "timeline": ("speed", "digit"),
    "playground": ("run",),
    "samples": ("which", "seconds_per_sample"),
    "call_to_action": ("text",),
    "explain": ("digit", "seconds_per_step"),
}
DEFAULTS: dict[str, dict[str, object]] = {
    "timeline": {"speed": 1.0, "digit": "visitor"},
    "playground": {"run": {}},
    "samples": {"which": "any", "seconds_per_sample": 5},
    "call_to_action": {"text": ""},
    "explain": {"digit": "visitor", "seconds_per_step": DEFAULT_SECONDS_PER_STEP},
}
TIMELINE_DIGITS = ("visitor", "sample")
SAMPLE_CHOICES = ("any", "wrong")


def _word_or_digit(words: tuple[str, ...]) -> Any:
    def check(value: object) -> object:
        if value in words and isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
            return value
        raise ValueError(f"must be {', '.join(words)} or a digit 0 to 9, not {value!r}")

    return BeforeValidator(check)


def _refuse_unknown_key(kind: str, keys: tuple[str, ...]) -> Any:
    # Validates the values of keys a model does not have (its typed __pydantic_extra__): every one
    # is an error at the key's own path and line, with the keys that are allowed.
    def refuse(value: object, info: ValidationInfo) -> object:
        allowed = keys
        if kind == "playlist item" and info.data.get("scene") in SETTINGS:
            allowed = ("scene", "seconds", *SETTINGS[info.data["scene"]])
            where = f"a {info.data['scene']} item"
        else:
            where = f"a {kind}"
        raise ValueError(f"unknown key; allowed in {where}: {', '.join(allowed)}")

    return AfterValidator(refuse)


class PlaygroundRun(PlaygroundSpec):
    """A playground spec written in the staff file: a ``PlaygroundSpec`` (``spec`` gives a plain one)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[
        str, Annotated[Any, _refuse_unknown_key("playground run", tuple(PlaygroundSpec.model_fields))]
    ] = Field(init=False)

    @property
    def spec(self) -> PlaygroundSpec:
        return PlaygroundSpec.model_validate(self.model_dump())


class PlaylistItem(BaseModel):
    """One entry of the attract playlist; only its scene's settings are set (the rest are None)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[
        str,
        Annotated[
            Any, _refuse_unknown_key("playlist item", ("scene", "seconds", *sum(SETTINGS.values(), ())))
        ],
    ] = Field(init=False)

    scene: SceneName
    seconds: StrictInt = Field(ge=5, le=3600)
    # timeline (digit: explain, too)
    speed: StrictFloat | None = Field(None, ge=0.25, le=8.0)
    digit: Annotated[StrictStr | StrictInt, _word_or_digit(TIMELINE_DIGITS)] | None = None
    # playground
    run: PlaygroundRun | None = None
    # samples
    which: Annotated[StrictStr | StrictInt, _word_or_digit(SAMPLE_CHOICES)] | None = None
    seconds_per_sample: StrictInt | None = Field(None, ge=1, le=60)
    # call_to_action
    text: StrictStr | None = Field(None, max_length=200)
    # explain
    seconds_per_step: StrictInt | None = Field(None, ge=SECONDS_PER_STEP[0], le=SECONDS_PER_STEP[1])

    @model_validator(mode="before")
    @classmethod
    def _scene_defaults(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("scene"), str) and data["scene"] in DEFAULTS:
            # A setting of the item's own scene left empty ("speed:" and nothing after it) takes its
            # default, as one left out does; None is kept for the other scenes' settings only.
            defaults = DEFAULTS[data["scene"]]
            return defaults | {k: v for k, v in data.items() if v is not None or k not in defaults}
        return data

    @field_validator(*sum(SETTINGS.values(), ()), mode="before")
    @classmethod
    def _belongs_to_the_scene(cls, value: object, info: ValidationInfo) -> object:
        scene = info.data.get("scene")
        if scene in SETTINGS and info.field_name not in SETTINGS[scene]:
            owner = next(name for name, keys in SETTINGS.items() if info.field_name in keys)
            allowed = ("scene", "seconds", *SETTINGS[scene])
            raise ValueError(
                f"is a setting of a {owner} item, not of a {scene} item; allowed here: {', '.join(allowed)}"
            )
        return value

    @model_validator(mode="after")
    def _long_enough(self) -> PlaylistItem:
        step = self.seconds_per_step  # set for an explain item (_scene_defaults), None otherwise
        if self.scene == "explain" and step is not None and self.seconds < len(STEPS) * step:
            needed = len(STEPS) * step
            raise ValueError(
                f"an explain item needs seconds of at least {needed} (5 steps × seconds_per_step "
                f"{self.seconds_per_step}), not {self.seconds}, or its last steps would be cut"
            )
        return self

    def settings(self) -> dict[str, Any]:
        """The scene's own settings as plain JSON values, e.g. ``{"speed": 1.0, "digit": "visitor"}``."""
        return self.model_dump(mode="json", include=set(SETTINGS[self.scene]))

    def to_json(self) -> dict[str, Any]:
        """The item as written (with defaults filled in): scene, seconds and the scene's settings."""
        return {"scene": self.scene, "seconds": self.seconds} | self.settings()


def default_playlist() -> list[PlaylistItem]:
    """A round of about three and a half minutes showing each kind of scene once."""
    return [
        PlaylistItem.model_validate(item)
        for item in (
            {"scene": "timeline", "seconds": 60, "speed": 1.0, "digit": "visitor"},
            {"scene": "explain", "seconds": 45, "digit": "visitor", "seconds_per_step": 8},
            # At the screen's pace (playground.steps_per_second, 4) the spirals take shape over
            # about 45 s after the training process has loaded: passers-by see the end too.
            {"scene": "playground", "seconds": 70, "run": {"dataset": "spiral"}},
            {"scene": "samples", "seconds": 30, "which": "wrong", "seconds_per_sample": 5},
            {"scene": "call_to_action", "seconds": 15, "text": ""},
        )
    ]
