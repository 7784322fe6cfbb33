"""Applying a changed config file while the exhibit runs (``systemctl reload nn-kiosk`` sends SIGHUP).

What can change without a restart applies at once and no connection drops: opening hours,
holidays, the playlist and idle times; the language; stroke limits; the tablets' answer rate,
bad-message limit, seats, STUN/TURN servers and pairing time; the playground's tablet switch;
the screens' frame rate and playback pace; the presenter settings; the event streams' limits (for
streams opened from then on); the log levels (kiosk/logs.py); who may read /metrics.

Keys that need a restart (``RESTART_KEYS``: the listening address, the model, the state folder,
the training process's settings) keep their running values; the log names those that changed.
A file that does not load is refused as a whole: the running config stays, the error is logged.
"""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import BaseModel

from kiosk import logs
from kiosk.attract.director import DIRECTOR
from kiosk.config import Config, ConfigError, load_config
from kiosk.display.routes import SCREEN
from kiosk.settings import CONFIG, stroke_limits
from kiosk.tablet.routes import TABLETS

log = logging.getLogger(__name__)

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
    apply_config(app, new)
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


def apply_config(app: web.Application, config: Config) -> None:
    """Hand ``config`` to everything that keeps a setting of its own; routes read ``app[CONFIG]``."""
    app[CONFIG].current = config
    logs.apply_levels(config.logging)
    _apply_to_tablets(app, config)
    screen = app[SCREEN]
    screen.player.seconds_per_snapshot = config.display.seconds_per_snapshot
    app[DIRECTOR].reload(config)  # also the language: the staff's new one, unless a visitor picked one


def _apply_to_tablets(app: web.Application, config: Config) -> None:
    options, tablets = config.tablet, app[TABLETS]
    peers, limits = tablets.peers, stroke_limits(config)
    peers.limits, peers.ice_servers = limits, list(options.ice_servers)
    peers.drawers, peers.take_over = options.drawers, options.when_busy == "take_over"
    peers.rate_hz, peers.max_errors = options.predictions_per_second, options.max_bad_messages
    peers.connect_timeout_s = options.connect_timeout_seconds  # for connections from now on
    peers.silence_timeout_s = options.silence_timeout_seconds
    tablets.pairing.ttl_s = options.pairing_minutes * 60  # for windows opened from now on
    for peer in peers.peers:  # connected tablets keep their connection and get the new limits
        if peer.session:
            peer.session.set_limits(limits, rate_hz=peers.rate_hz, max_errors=peers.max_errors)


def _get(config: BaseModel, key: str) -> object:
    for name in key.split("."):
        config = getattr(config, name)
    return config


def _set(config: BaseModel, key: str, value: object) -> BaseModel:
    name, _, rest = key.partition(".")
    inner = value if not rest else _set(getattr(config, name), rest, value)
    return config.model_copy(update={name: inner})
