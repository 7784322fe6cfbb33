"""The staff file's attract: section: opening hours, holidays, playlist, and errors at their line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from kiosk.config import DEFAULT_CONFIG_PATH, AttractConfig, ConfigError, load_config
from kiosk.config.hours import WEEKDAYS
from kiosk.config.playlist import PlaylistItem, default_playlist
from kiosk.playground.spec import PlaygroundSpec, parse_spec


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def attract(tmp_path: Path, text: str) -> AttractConfig:
    return load_config(write(tmp_path, "attract:\n" + text)).attract


# --- defaults -----------------------------------------------------------------------------------


def test_defaults_are_always_open_with_the_five_scene_playlist() -> None:
    defaults = AttractConfig()
    assert defaults.timezone == "Europe/Berlin"
    assert all(getattr(defaults.opening_hours, day) == ["00:00-24:00"] for day in WEEKDAYS)
    assert defaults.holidays == [] and defaults.presenter_idle_seconds == 300
    assert [(item.scene, item.seconds) for item in defaults.playlist] == [
        ("timeline", 60),
        ("explain", 45),
        ("playground", 70),
        ("samples", 30),
        ("call_to_action", 15),
    ]
    assert defaults.playlist[3].which == "wrong" and defaults.playlist[1].seconds_per_step == 8


def test_shipped_file_spells_out_the_attract_defaults() -> None:
    written = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))["attract"]
    assert set(written) == set(AttractConfig.model_fields)
    assert set(written["opening_hours"]) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert load_config(DEFAULT_CONFIG_PATH).attract == AttractConfig()
    assert [item["scene"] for item in written["playlist"]] == [
        "timeline",
        "explain",
        "playground",
        "samples",
        "call_to_action",
    ]


def test_missing_section_and_missing_keys_take_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "language: en\n")).attract == AttractConfig()
    config = attract(tmp_path, "  timezone: UTC\n")
    assert config.opening_hours == AttractConfig().opening_hours and config.playlist == default_playlist()


def test_a_day_left_out_of_the_opening_hours_is_closed(tmp_path: Path) -> None:
    config = attract(tmp_path, '  opening_hours:\n    tue: ["10:00-18:00"]\n')
    assert config.opening_hours.tue == ["10:00-18:00"]
    assert all(getattr(config.opening_hours, day) == [] for day in WEEKDAYS if day != "tue")


# --- valid values -------------------------------------------------------------------------------


def test_a_museums_week(tmp_path: Path) -> None:
    config = attract(
        tmp_path,
        "  timezone: America/New_York\n"
        "  opening_hours:\n"
        "    mon: closed\n"
        '    tue: "9:30 - 17:00"\n'
        '    wed: ["10:00-12:30", "13:30-18:00"]\n'
        "    sun: []\n"
        "  holidays:\n"
        "    - 2025-12-24\n"
        '    - "2025-12-25"\n'
        "  presenter_idle_seconds: 600\n",
    )
    hours = config.opening_hours
    assert (hours.mon, hours.tue, hours.wed, hours.sun) == (
        [],
        ["09:30-17:00"],
        ["10:00-12:30", "13:30-18:00"],
        [],
    )
    assert config.holidays == [date(2025, 12, 24), date(2025, 12, 25)]
    assert config.timezone == "America/New_York" and config.presenter_idle_seconds == 600


def test_playlist_items_get_their_scenes_defaults_and_nothing_else(tmp_path: Path) -> None:
    config = attract(
        tmp_path,
        "  playlist:\n"
        "    - {scene: timeline, seconds: 30, digit: 7}\n"
        "    - {scene: playground, seconds: 20, run: {dataset: moons, hidden: [4]}}\n"
        "    - {scene: samples, seconds: 10}\n"
        "    - {scene: call_to_action, seconds: 5, text: Zeichne eine Ziffer!}\n",
    )
    timeline, playground, samples, call = config.playlist
    assert timeline.to_json() == {"scene": "timeline", "seconds": 30, "speed": 1.0, "digit": 7}
    assert (timeline.run, timeline.which, timeline.text) == (None, None, None)
    assert playground.run.spec == parse_spec({"dataset": "moons", "hidden": [4]})
    assert type(playground.run.spec) is PlaygroundSpec
    assert playground.settings()["run"]["noise"] == 0.2
    assert samples.settings() == {"which": "any", "seconds_per_sample": 5}
    assert call.text == "Zeichne eine Ziffer!"


def test_a_setting_left_empty_takes_its_default(tmp_path: Path) -> None:
    # "seconds_per_step:" with its value commented out is null; it once stopped the start with a TypeError.
    config = attract(
        tmp_path,
        "  playlist:\n"
        "    - scene: explain\n      seconds: 45\n      seconds_per_step:\n"
        "    - scene: timeline\n      seconds: 30\n      speed:\n      digit:\n"
        "    - {scene: samples, seconds: 10, seconds_per_sample: null}\n",
    )
    explain, timeline, samples = config.playlist
    assert explain.settings() == {"digit": "visitor", "seconds_per_step": 8}
    assert timeline.settings() == {"speed": 1.0, "digit": "visitor"}
    assert samples.settings() == {"which": "any", "seconds_per_sample": 5}


def test_another_scenes_setting_is_refused_even_when_empty(tmp_path: Path) -> None:
    text = "attract:\n  playlist:\n    - scene: timeline\n      seconds: 30\n      text:\n"
    assert "is a setting of a call_to_action item" in config_error(write(tmp_path, text))


def test_playlist_item_is_frozen() -> None:
    item = PlaylistItem.model_validate({"scene": "timeline", "seconds": 10})
    with pytest.raises(ValueError):
        item.seconds = 20  # type: ignore[misc]


# --- errors name the key path and the line ------------------------------------------------------

CASES = {
    "hour 25": (
        '  opening_hours:\n    tue: ["25:00-26:00"]\n',
        "attract.opening_hours.tue.0",
        "tue:",
        "25:00 is not a time of day",
    ),
    "end before start": (
        "  opening_hours:\n    wed:\n      - 10:00-12:00\n      - 10:00-09:00\n",
        "attract.opening_hours.wed.1",
        "10:00-09:00",
        "must start before it ends",
    ),
    "overlap": (
        '  opening_hours:\n    thu: ["10:00-13:00", "12:00-18:00"]\n',
        "attract.opening_hours.thu",
        "thu:",
        "'10:00-13:00' and '12:00-18:00' overlap",
    ),
    "hours without minutes": (
        '  opening_hours:\n    fri: "10-18"\n',
        "attract.opening_hours.fri.0",
        "fri:",
        "not a time range",
    ),
    "no hours at all": (
        "  opening_hours:\n    sat:\n",
        "attract.opening_hours.sat",
        "sat:",
        "write [] (or closed)",
    ),
    "unknown weekday": (
        '  opening_hours:\n    monday: ["10:00-18:00"]\n',
        "attract.opening_hours.monday",
        "monday:",
        "unknown key; did you mean 'mon'? allowed here: mon, tue, wed, thu, fri, sat, sun",
    ),
    "bad time zone": (
        "  timezone: Europe/Berln\n",
        "attract.timezone",
        "timezone:",
        "did you mean 'Europe/Berlin'",
    ),
    "bad holiday": (
        "  holidays:\n    - 2025-12-24\n    - 2025-02-30\n",
        "attract.holidays.1",
        "2025-02-30",
        "'2025-02-30' is not a date of the calendar",
    ),
    "holiday twice": (
        "  holidays: [2025-12-24, 2025-12-24]\n",
        "attract.holidays",
        "holidays:",
        "2025-12-24 is listed twice",
    ),
    "presenter idle too short": (
        "  presenter_idle_seconds: 5\n",
        "attract.presenter_idle_seconds",
        "presenter_idle",
        "greater than or equal to 30",
    ),
    "unknown key": ("  idle_minutes: 3\n", "attract.idle_minutes", "idle_minutes", "unknown key"),
    "empty playlist": ("  playlist: []\n", "attract.playlist", "playlist:", "at least 1 item"),
    "unknown scene": (
        "  playlist:\n    - scene: timeline\n      seconds: 10\n    - scene: dance\n      seconds: 10\n",
        "attract.playlist.1.scene",
        "dance",
        "'timeline', 'playground', 'samples', 'call_to_action' or 'explain'",
    ),
    "seconds too short": (
        "  playlist:\n    - scene: timeline\n      seconds: 4\n",
        "attract.playlist.0.seconds",
        "seconds: 4",
        "greater than or equal to 5",
    ),
    "seconds missing": (
        "  playlist:\n    - scene: timeline\n",
        "attract.playlist.0.seconds",
        "- scene",
        "Field required",
    ),
    "seconds as text": (
        '  playlist:\n    - scene: samples\n      seconds: "30"\n',
        "attract.playlist.0.seconds",
        "seconds:",
        "valid integer",
    ),
    "speed too fast": (
        "  playlist:\n    - scene: timeline\n      seconds: 60\n      speed: 9\n",
        "attract.playlist.0.speed",
        "speed:",
        "less than or equal to 8",
    ),
    "digit out of range": (
        "  playlist:\n    - scene: timeline\n      seconds: 60\n      digit: 12\n",
        "attract.playlist.0.digit",
        "digit:",
        "must be visitor, sample or a digit 0 to 9, not 12",
    ),
    "which unknown": (
        "  playlist:\n    - scene: samples\n      seconds: 60\n      which: right\n",
        "attract.playlist.0.which",
        "which:",
        "must be any, wrong or a digit 0 to 9, not 'right'",
    ),
    "another scene's setting": (
        "  playlist:\n    - scene: timeline\n      seconds: 60\n      which: wrong\n",
        "attract.playlist.0.which",
        "which:",
        "is a setting of a samples item, not of a timeline item; allowed here: scene, seconds, speed, digit",
    ),
    "unknown item key": (
        "  playlist:\n    - scene: call_to_action\n      seconds: 60\n      colour: red\n",
        "attract.playlist.0.colour",
        "colour:",
        "unknown key; allowed in a call_to_action item: scene, seconds, text",
    ),
    "bad playground field": (
        "  playlist:\n    - scene: playground\n      seconds: 60\n"
        "      run:\n        dataset: moons\n        noise: 3\n",
        "attract.playlist.0.run.noise",
        "noise:",
        "less than or equal to 1",
    ),
    "unknown playground field": (
        "  playlist:\n    - scene: playground\n      seconds: 60\n      run: {hiden: [3]}\n",
        "attract.playlist.0.run.hiden",
        "run:",
        "unknown key; allowed in a playground run: dataset, noise, points",
    ),
    "repeated playground feature": (
        "  playlist:\n    - scene: playground\n      seconds: 60\n      run:\n        features: [x, x]\n",
        "attract.playlist.0.run.features",
        "features:",
        "repeated x",
    ),
    "seconds per sample": (
        "  playlist:\n    - scene: samples\n      seconds: 60\n      seconds_per_sample: 0\n",
        "attract.playlist.0.seconds_per_sample",
        "seconds_per_sample",
        "greater than or equal to 1",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_invalid_value_names_key_path_and_line(tmp_path: Path, case: tuple[str, str, str, str]) -> None:
    body, key_path, needle, message = case
    text = "server:\n  port: 8080\nattract:\n" + body
    path = write(tmp_path, text)
    error = config_error(path)
    assert error.startswith(f"{path}:{line_of(text, needle)}: {key_path}: "), error
    assert message in error, error


def test_every_attract_error_is_reported_in_line_order(tmp_path: Path) -> None:
    text = (
        "attract:\n"
        "  timezone: Nowhere/Town\n"
        "  opening_hours:\n"
        '    tue: ["18:00-10:00"]\n'
        "  playlist:\n"
        "    - scene: timeline\n"
        "      seconds: 1\n"
    )
    lines = config_error(write(tmp_path, text)).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "attract.timezone",
        "attract.opening_hours.tue.0",
        "attract.playlist.0.seconds",
    ]
    assert [int(line.split(":")[1]) for line in lines] == [2, 4, 7]
