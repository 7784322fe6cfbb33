"""The staff's one YAML file: where it is, what may be in it, and errors that point at a line.

``load_config(resolve_config_path(...))`` gives a frozen ``Config`` or raises ``ConfigError``
naming the file, the line and the key of each problem (docs/configuration.md).

- schema.py: the sections and ``Config``; hours.py, playlist.py and passphrase_hash.py read the
  values staff write in a form of their own (opening hours, the attract playlist, the presenter's
  passphrase hash);
- loader.py: which file, YAML with line numbers, ``ConfigError``.

This package sits below the exhibit's features: they import their own section from here, and
nothing here imports a feature. Outside this package it reads only modules that import nothing of
it: the languages the pages speak (kiosk/languages.py), the wording of validation errors
(kiosk/validation_errors.py), what a playground run is made of (kiosk/playground/spec.py, for the
playlist's playground items) and the explain tour's pacing (kiosk/display/tour.py).
tests/test_import_graph.py checks both.
"""

from kiosk.config.loader import (
    CONFIG_ENV_VAR,
    DEFAULT_CONFIG_PATH,
    SYSTEM_CONFIG_PATH,
    ConfigError,
    load_config,
    resolve_config_path,
)
from kiosk.config.schema import (
    AttractConfig,
    Config,
    DisplayConfig,
    LimitsConfig,
    LoggingConfig,
    MetricsConfig,
    ModelConfig,
    OpeningHoursConfig,
    PlaygroundConfig,
    PresenterConfig,
    ServerConfig,
    StreamsConfig,
    TabletConfig,
)

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_CONFIG_PATH",
    "SYSTEM_CONFIG_PATH",
    "AttractConfig",
    "Config",
    "ConfigError",
    "DisplayConfig",
    "LimitsConfig",
    "LoggingConfig",
    "MetricsConfig",
    "ModelConfig",
    "OpeningHoursConfig",
    "PlaygroundConfig",
    "PresenterConfig",
    "ServerConfig",
    "StreamsConfig",
    "TabletConfig",
    "load_config",
    "resolve_config_path",
]
