"""The staff's YAML file: defaults, and errors that name the key and the line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config, loader, resolve_config_path

REPO = Path(__file__).resolve().parent.parent
SHIPPED_EXPORT = REPO / "exports" / "mnist-mlp"


def write(tmp_path: Path, text: str, name: str = "kiosk.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the n-th ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


# --- the shipped file ---------------------------------------------------------------------------


def test_shipped_config_has_the_documented_defaults() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    assert config.server.host == "0.0.0.0"
    assert config.server.port == 8080
    assert config.server.max_body_bytes == 256 * 1024
    assert config.model.export == REPO / "exports" / "mnist-mlp"
    assert config.model.snapshot == "final"
    assert config.limits.max_strokes == 64
    assert config.limits.max_points_per_stroke == 4000
    assert config.limits.max_points == 10000
    assert config.language == "en"
    assert config.logging.level == "info"
    assert config.tablet.state_dir == REPO / "state"
    assert (config.tablet.drawers, config.tablet.when_busy, config.tablet.ice_servers) == (1, "refuse", [])


def test_shipped_config_equals_the_code_defaults() -> None:
    # An empty mapping gets every default; the shipped file must spell out exactly those.
    defaults = Config.model_validate({}, context={"base_dir": DEFAULT_CONFIG_PATH.parent})
    assert load_config(DEFAULT_CONFIG_PATH) == defaults


def test_shipped_config_lists_every_key() -> None:
    written = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    for name, field in Config.model_fields.items():
        assert name in written, f"{name} missing from {DEFAULT_CONFIG_PATH}"
        if isinstance(field.annotation, type) and hasattr(field.annotation, "model_fields"):
            assert set(written[name]) == set(field.annotation.model_fields), name


def test_default_config_path_is_the_repositorys() -> None:
    assert DEFAULT_CONFIG_PATH == REPO / "config" / "kiosk.yaml"


# --- values -------------------------------------------------------------------------------------


def test_relative_export_path_is_taken_from_the_config_files_folder(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    path = write(tmp_path / "etc", "model:\n  export: ../models/mine\n")
    assert load_config(path).model.export == tmp_path / "models" / "mine"


def test_relative_state_dir_is_taken_from_the_config_files_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "tablet:\n  state_dir: var/kiosk\n  ice_servers: [stun:10.0.0.1:3478]\n")
    config = load_config(path)
    assert config.tablet.state_dir == tmp_path / "var" / "kiosk"
    assert config.tablet.ice_servers == ["stun:10.0.0.1:3478"]


def test_absolute_export_path_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, f"model:\n  export: {tmp_path / 'elsewhere'}\n")
    assert load_config(path).model.export == tmp_path / "elsewhere"


def test_missing_and_empty_sections_get_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  # port: 9000\nlanguage: de\n")
    config = load_config(path)
    assert config.server.port == 8080
    assert config.language == "de"
    assert config.model.export == tmp_path.parent / "exports" / "mnist-mlp"


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "server:\n  port: 9000\n"))
    with pytest.raises(ValueError):
        config.server.port = 1  # type: ignore[misc]


# --- errors name the key path and the line ------------------------------------------------------

VALIDATION_CASES = {
    "unknown top-level key": ("server:\n  port: 8080\ncolour: red\n", "colour", "colour:", "unknown key"),
    "unknown nested key": (
        "server:\n  host: 0.0.0.0\n  prot: 80\n",
        "server.prot",
        "prot:",
        "did you mean 'port'",
    ),
    "wrong type": ("language: en\nserver:\n  port: eighty\n", "server.port", "port:", "valid integer"),
    "boolean for a number": ("limits:\n  max_strokes: yes\n", "limits.max_strokes", "max_strokes", "integer"),
    "number for text": ("model:\n  snapshot: 3\n", "model.snapshot", "snapshot:", "put it in quotes"),
    "port too large": ("\n\nserver:\n  port: 70000\n", "server.port", "port:", "less than or equal to 65535"),
    "port zero": ("server:\n  port: 0\n", "server.port", "port:", "greater than or equal to 1"),
    "body limit too small": (
        "server:\n  max_body_bytes: 100\n",
        "server.max_body_bytes",
        "max_body_bytes",
        "greater than or equal to 1024",
    ),
    "too many points allowed": (
        "limits:\n  max_points: 500000\n",
        "limits.max_points",
        "max_points",
        "less than or equal to 200000",
    ),
    "unknown language": (
        "# hello\nlanguage: xx\n",
        "language",
        "language:",
        "no translation 'xx'; available: de, en, es, fr, nl",
    ),
    "unknown log level": ("logging:\n  level: verbose\n", "logging.level", "level:", "'debug'"),
    "section is not a mapping": ("limits: 5\n", "limits", "limits:", "must be a section of keys"),
    "empty export path": ('model:\n  export: ""\n', "model.export", "export:", "must name an export"),
    "date-like value": ("language: 2024-13-45\n", "language", "language:", "no translation '2024-13-45'"),
    "unknown busy policy": ("tablet:\n  when_busy: queue\n", "tablet.when_busy", "when_busy:", "'refuse'"),
    "too many drawers": ("tablet:\n  drawers: 9\n", "tablet.drawers", "drawers:", "less than or equal to 4"),
    "ice server not stun or turn": (
        'tablet:\n  ice_servers: ["http://x"]\n',
        "tablet.ice_servers",
        "ice_servers:",
        "not a stun:, turn: or turns: URL",
    ),
    "playground pace of zero": (
        "playground:\n  steps_per_second: 0\n",
        "playground.steps_per_second",
        "steps_per_second:",
        "greater than or equal to 0.1",
    ),
    "tablet pace as text": (
        "playground:\n  tablet_steps_per_second: fast\n",
        "playground.tablet_steps_per_second",
        "tablet_steps_per_second:",
        "number",
    ),
    "self-referencing alias": ("server:\n  port: 1\nloop: &x [*x]\n", "loop", "loop:", "unknown key"),
}


@pytest.mark.parametrize("case", VALIDATION_CASES.values(), ids=VALIDATION_CASES.keys())
def test_invalid_value_names_key_path_and_line(tmp_path: Path, case: tuple[str, str, str, str]) -> None:
    text, key_path, needle, message = case
    path = write(tmp_path, text)
    error = config_error(path)
    assert error.startswith(f"{path}:{line_of(text, needle)}: {key_path}: "), error
    assert message in error


def test_error_message_format(tmp_path: Path) -> None:
    text = "server:\n  host: 0.0.0.0\n\n  # the port\n\n\n  port: 65536\n"
    path = write(tmp_path, text)
    assert config_error(path) == f"{path}:7: server.port: Input should be less than or equal to 65535"


def test_every_error_is_reported_in_line_order(tmp_path: Path) -> None:
    text = "server:\n  port: 0\nlanguage: xx\nlimits:\n  max_strokes: -1\n"
    lines = config_error(write(tmp_path, text)).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["server.port", "language", "limits.max_strokes"]
    assert [int(line.split(":")[1]) for line in lines] == [2, 3, 5]


@pytest.mark.parametrize(
    ("text", "key_path", "first_line", "second_line"),
    [
        ("server:\n  port: 1\nlanguage: en\nlanguage: de\n", "language", 3, 4),
        ("server:\n  port: 1\n  host: x\n  port: 2\n", "server.port", 2, 4),
        ("language: en\nserver: {port: 1,\n  port: 2}\n", "server.port", 2, 3),
    ],
    ids=["top level", "nested", "flow style"],
)
def test_duplicate_key(tmp_path: Path, text: str, key_path: str, first_line: int, second_line: int) -> None:
    path = write(tmp_path, text)
    assert config_error(path) == (
        f"{path}:{second_line}: {key_path}: duplicate key (already given on line {first_line})"
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("server:\n  port: 8080\n\thost: x\n", 3, "'\\t'"),
        ("server:\n  port: 80: 81\n", 2, "mapping values are not allowed here"),
        ('language: en\nserver:\n  host: "open\n', 4, "found unexpected end of stream"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
    ],
    ids=["tab", "colon in value", "unclosed quote", "two documents"],
)
def test_yaml_syntax_error_names_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    error = config_error(path)
    assert error.startswith(f"{path}:{line}: YAML syntax error: "), error
    assert message in error


def test_unclosed_bracket_also_names_where_it_opened(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  port: [8080\n")
    assert "started on line 2" in config_error(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert config_error(path) == f"{path}: no such file"


@pytest.mark.parametrize("text", ["", "\n\n", "# all commented out\n"], ids=["empty", "blank", "comments"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert config_error(path).startswith(f"{path}:1: the file is empty")


@pytest.mark.parametrize("text", ["- server\n- model\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert config_error(path).startswith(f"{path}:1: the file must be a mapping of sections")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_bytes(b"language: \xff\xfe\n")
    assert config_error(path).startswith(f"{path}: cannot read the file")


# --- which file ---------------------------------------------------------------------------------


def test_config_path_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "etc-kiosk.yaml"
    monkeypatch.setattr(loader, "SYSTEM_CONFIG_PATH", system)
    env = {"KIOSK_CONFIG": "/from/env.yaml"}
    assert resolve_config_path("/from/arg.yaml", env) == Path("/from/arg.yaml")
    assert resolve_config_path(None, env) == Path("/from/env.yaml")
    assert resolve_config_path(None, {}) == DEFAULT_CONFIG_PATH  # the system file does not exist
    system.write_text("{}\n")
    assert resolve_config_path(None, {}) == system
    assert resolve_config_path(None, {"KIOSK_CONFIG": ""}) == system


# --- the command line ---------------------------------------------------------------------------


def run_kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def valid_config(tmp_path: Path, export: Path) -> Path:
    return write(tmp_path, f"server:\n  port: 8123\nmodel:\n  export: {export}\n  snapshot: mid\n")


@pytest.mark.skipif(not (SHIPPED_EXPORT / "manifest.json").exists(), reason="no shipped export yet")
@pytest.mark.process  # starts python -m kiosk
def test_check_config_accepts_the_shipped_file() -> None:
    result = run_kiosk("check-config", str(DEFAULT_CONFIG_PATH))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {DEFAULT_CONFIG_PATH}")


@pytest.mark.process  # starts python -m kiosk
def test_check_config_accepts_a_valid_file(tmp_path: Path, tiny_export: Path) -> None:
    path = valid_config(tmp_path, tiny_export)
    result = run_kiosk("check-config", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {path} (model tiny-test, 3 snapshots, port 8123)")


@pytest.mark.process  # starts python -m kiosk
def test_check_config_reads_kiosk_config_env(tmp_path: Path, tiny_export: Path) -> None:
    path = valid_config(tmp_path, tiny_export)
    result = run_kiosk("check-config", env={"KIOSK_CONFIG": str(path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {path}")


@pytest.mark.process  # starts python -m kiosk
def test_check_config_reports_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  host: 0.0.0.0\n  port: 99999\n")
    result = run_kiosk("check-config", str(path))
    assert result.returncode == 1
    assert f"{path}:3: server.port: " in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.process  # starts python -m kiosk
def test_check_config_loads_the_export(tmp_path: Path, tiny_export: Path) -> None:
    (tiny_export / "snapshots" / "001.f16").write_bytes(b"\0\0")  # truncated weights
    path = valid_config(tmp_path, tiny_export)
    result = run_kiosk("check-config", str(path))
    assert result.returncode == 1
    assert f"{path}: model.export: " in result.stderr
    assert "001.f16" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.process  # starts python -m kiosk
def test_check_config_rejects_a_snapshot_the_export_lacks(tmp_path: Path, tiny_export: Path) -> None:
    path = write(tmp_path, f"model:\n  export: {tiny_export}\n  snapshot: epoch-99\n")
    result = run_kiosk("check-config", str(path))
    assert result.returncode == 1
    assert (
        "model.snapshot" in result.stderr
        and "epoch-99" in result.stderr
        and "start, mid, end" in result.stderr
    )


@pytest.mark.parametrize("command", [[], ["serve"]], ids=["default", "serve"])
@pytest.mark.process  # starts python -m kiosk
def test_server_with_bad_config_exits_2_without_traceback(tmp_path: Path, command: list[str]) -> None:
    path = write(tmp_path, "server:\n  port: 8080\n  colour: red\n")
    result = run_kiosk(*command, "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{path}:3: server.colour: unknown key; allowed here: host, port, max_body_bytes, public_url"
    )
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.process  # starts python -m kiosk
def test_server_with_missing_export_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, f"model:\n  export: {tmp_path / 'no-export'}\n")
    result = run_kiosk("--config", str(path))
    assert result.returncode == 2
    assert f"{path}: model.export: " in result.stderr and "manifest.json" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
