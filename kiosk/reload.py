"""Applying a changed config file while the exhibit runs (``systemctl reload nn-kiosk`` sends SIGHUP).

What can change without a restart applies at once and no connection drops: opening hours,
holidays, the playlist and idle times; the language; stroke limits; the tablets' answer rate,
bad-message limit, seats, STUN/TURN servers and pairing time; the playground's tablet switch;
the screens' frame rate and playback pace; the presenter settings; the event streams' limits (for
streams opened from then on); the log levels (kiosk/logs.py); who may read /metrics.

Keys that need a restart (``RESTART_KEYS``: the listening address, the model, the state folder,
the training process's settings) keep their running values; the log names those that changed.
A file that does not load is refused as a whole: the running config stays, the error is logged.

Reloading is: load and validate the file, keep the restart keys' running values, hand the
result to the exhibit (``kiosk.exhibit.apply_config``: each part takes its own section), and log what
changed and what waits for a restart.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from kiosk import exhibit
from kiosk.config import Config, ConfigError, load_config
from kiosk.keys import CONFIG

log = logging.getLogger(__name__)
Model = TypeVar("Model", bound=BaseModel)

# Read once at start-up; a change waits for the next restart.
RESTART_KEYS = (
    "server",
    "model",
    "tablet.state_dir",
    "display.connections_per_neuron",
    *("playground.grid", "playground.neuron_grid", "playground.frames_per_second"),
    *("playground.max_seconds", "playground.steps_per_second"),
)


def reload_config(app: web.Application) -> bool:
    """Read the config file again and apply it; False (and the old config kept) if it is invalid."""
    running = app[CONFIG]
    if running.path is None:
        log.warning("reload: this exhibit was not started from a config file; nothing to read")
        return False
    try:
        new = load_config(running.path)
    except ConfigError as exc:
        log.error("reload refused, the running configuration stays: %s", exc)
        return False
    new, waiting = keep_restart_keys(running.current, new)
    for key in waiting:
        log.warning("reload: %s changed; it takes effect after a restart (systemctl restart nn-kiosk)", key)
    changed = changed_sections(running.current, new)
    exhibit.apply_config(app, new)
    log.info("reloaded %s (%s)", running.path, f"changed: {changed}" if changed else "nothing changed")
    return True


def changed_sections(old: Config, new: Config) -> str:
    """The config's sections (and top-level keys) that differ, for the log: "attract, language"."""
    return ", ".join(name for name in type(new).model_fields if getattr(old, name) != getattr(new, name))


def keep_restart_keys(old: Config, new: Config) -> tuple[Config, list[str]]:
    """``new`` with the running values of RESTART_KEYS, and which of those keys the file changed."""
    changed = [key for key in RESTART_KEYS if _get(old, key) != _get(new, key)]
    for key in changed:
        new = _set(new, key, _get(old, key))
    return new, changed


def _get(config: BaseModel, key: str) -> object:
    for name in key.split("."):
        config = getattr(config, name)
    return config


def _set(config: Model, key: str, value: object) -> Model:
    name, _, rest = key.partition(".")
    inner = value if not rest else _set(getattr(config, name), rest, value)
    return config.model_copy(update={name: inner})
