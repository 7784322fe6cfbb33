"""Reading the staff's YAML file: which file, its values, and errors that point at a line.

Every mistake (a typo in a key, a port out of range, a tab in the wrong place) becomes a
``ConfigError`` whose message names the file, the line and the key path, e.g.
``config/kiosk.yaml:7: server.port: Input should be less than or equal to 65535``: YAML's own
errors with its marks, duplicate keys (which PyYAML would silently keep the last of), and the
schema's (kiosk/config/schema.py) worded by kiosk/validation_errors.py at the line of the deepest
key that exists in the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kiosk.config.schema import Config
from kiosk.validation_errors import describe

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[2] / "config" / "kiosk.yaml"
SYSTEM_CONFIG_PATH = Path("/etc/nn-kiosk/kiosk.yaml")
CONFIG_ENV_VAR = "KIOSK_CONFIG"


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why, one line per problem."""


def resolve_config_path(arg: str | Path | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """Which file to read: ``--config``, then ``$KIOSK_CONFIG``, then /etc/nn-kiosk, then the repo's."""
    if arg:
        return Path(arg)
    if environ.get(CONFIG_ENV_VAR):
        return Path(environ[CONFIG_ENV_VAR])
    if SYSTEM_CONFIG_PATH.exists():
        return SYSTEM_CONFIG_PATH
    return DEFAULT_CONFIG_PATH


def load_config(path: Path) -> Config:
    """Read and validate the YAML file at ``path``; relative paths in it are taken from its folder."""
    path = Path(path)
    root, data = _read_yaml(path)
    _reject_duplicate_keys(path, root)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "empty"
        raise ConfigError(
            f"{path}:{root.start_mark.line + 1}: the file must be a mapping of sections "
            f"(server:, model:, ...), but it is {kind}"
        )
    try:
        return Config.model_validate(data, context={"base_dir": path.resolve().parent})
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda error: _line_of(root, error["loc"]))
        raise ConfigError("\n".join(_describe(path, root, error) for error in errors)) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader reading date-like values as text: no setting is a date, and 2024-13-45 would crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> tuple[yaml.Node, object]:
    """Parse once, keeping both the node tree (for line numbers) and the plain values."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc}") from None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ConfigError(f"{path}:1: the file is empty; expected sections such as server: and model:")
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(_describe_yaml_error(path, exc)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML syntax error: {exc}") from None
    except (ValueError, TypeError) as exc:  # e.g. an explicitly tagged "!!timestamp 2024-13-45"
        raise ConfigError(f"{path}: a value cannot be read: {exc}") from None
    finally:
        loader.dispose()


def _describe_yaml_error(path: Path, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{path}:{mark.line + 1}" if mark else str(path)
    message = f"{where}: YAML syntax error: {exc.problem or exc.context}"
    if exc.problem and exc.context and exc.context_mark:
        # e.g. an unclosed "[" is reported at the end of the file; say where it was opened.
        message += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    return message


def _reject_duplicate_keys(path: Path, node: yaml.Node, key_path: str = "", seen: set | None = None) -> None:
    # PyYAML keeps the last of two equal keys without a word; staff would edit the wrong one.
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias (*name) points back at a node already checked, maybe an ancestor
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            where = f"{key_path}.{name}" if key_path else name
            if name in first_line:
                raise ConfigError(
                    f"{path}:{key.start_mark.line + 1}: {where}: duplicate key "
                    f"(already given on line {first_line[name]})"
                )
            first_line[name] = key.start_mark.line + 1
            _reject_duplicate_keys(path, value, where, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _reject_duplicate_keys(path, item, f"{key_path}[{i}]", seen)


def _describe(path: Path, root: yaml.Node, error: ErrorDetails) -> str:
    return f"{path}:{_line_of(root, error['loc'])}: {describe(error, Config)}"


def _line_of(root: yaml.Node, loc: tuple[str | int, ...]) -> int:
    """Line of the deepest key in ``loc`` that exists in the file (the key's line, not the value's)."""
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
