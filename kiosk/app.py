"""The HTTP server's entry point: ``create_app(config, engine, config_path)``.

It loads the export the config names (unless given an engine), resolves the snapshot that
answers visitors, and hands over to kiosk/exhibit.py, where the exhibit is wired top to bottom.
The routes are each feature's own (``*/routes.py``, kiosk/health.py); anything a visitor's
tablet or a stranger on the network sends is checked there before it reaches the model, and a
refused request gets ``{"error": "..."}`` (kiosk/http_errors.py).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from kiosk.config import Config, ConfigError
from kiosk.exhibit import build_app
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline


def create_app(
    config: Config, engine: Engine | None = None, config_path: Path | None = None
) -> web.Application:
    """The exhibit's web application; loads the export named in ``config`` unless given ``engine``.

    ``config_path``: the file ``config`` came from, read again on reload (kiosk/reload.py).
    """
    engine = engine or load_engine(config)
    return build_app(config, engine, resolve_snapshot(engine.timeline, config.model.snapshot), config_path)


def load_engine(config: Config) -> Engine:
    """Load the export the config names; fails (ExportError, ConfigError) before any visitor arrives."""
    timeline = load_timeline(config.model.export)
    resolve_snapshot(timeline, config.model.snapshot)
    return Engine(timeline)


def resolve_snapshot(timeline: Timeline, wanted: str) -> str:
    """The snapshot id for ``wanted`` ("final" or an id), or ConfigError naming the choices."""
    if wanted == "final":
        return timeline.final_id
    ids = [snapshot.id for snapshot in timeline.snapshots]
    if wanted not in ids:
        raise ConfigError(
            f"model.snapshot: export '{timeline.name}' has no snapshot {wanted!r}; "
            f"use final or one of: {', '.join(ids)}"
        )
    return wanted
