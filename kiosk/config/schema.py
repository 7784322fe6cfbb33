"""What may be in the staff's YAML file: one frozen pydantic model per section, and ``Config``.

Every section refuses unknown keys and checks each value where it is written, so that the loader
(kiosk/config/loader.py) can name the file, line and key of each mistake. Values staff write in
a form of their own are read by small helpers of this package: opening hours (hours.py), the
attract playlist (playlist.py), the presenter's passphrase hash (passphrase_hash.py). Paths are
taken from the file's folder (the loader passes it as the validation context ``base_dir``).

To add a section: write a ``_Section`` subclass and add it as a field of ``Config``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.config import hours
from kiosk.config.passphrase_hash import parse_hash
from kiosk.config.playlist import PlaylistItem, default_playlist
from kiosk.languages import languages

KIB = 1024
MIB = 1024 * KIB


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerConfig(_Section):
    host: StrictStr = Field("0.0.0.0", min_length=1)
    port: StrictInt = Field(8080, ge=1, le=65535)
    max_body_bytes: StrictInt = Field(256 * KIB, ge=1 * KIB, le=16 * MIB)
    # How tablets reach the exhibit (for the pairing QR code); "" = this PC's own network address.
    public_url: StrictStr = ""

    @field_validator("public_url", mode="after")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not _is_site_address(value):
            raise ValueError(f"{value!r} is not a web address like http://192.168.1.20:8080")
        return value.rstrip("/")


def _is_site_address(value: str) -> bool:
    """http(s)://host[:port][/] and nothing more: a tablet's pairing link is built on it."""
    try:
        url = urllib.parse.urlsplit(value)
        url.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return (
        url.scheme in ("http", "https")
        and bool(url.hostname)
        and url.path in ("", "/")
        and not (url.query or url.fragment or url.username or url.password)
        and not re.search(r"\s", value)
    )


class ModelConfig(_Section):
    # validate_default: the default is relative too, and must be resolved like a written value.
    export: Path = Field(Path("../exports/mnist-mlp"), validate_default=True)
    snapshot: StrictStr = Field("final", min_length=1)

    @field_validator("export", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must name an export folder")
        return value

    @field_validator("export", mode="after")
    @classmethod
    def _relative_to_config_file(cls, value: Path, info: ValidationInfo) -> Path:
        return _from_config_folder(value, info)


def _from_config_folder(value: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("base_dir")
    value = value.expanduser()
    if value.is_absolute() or base is None:
        return value
    return Path(os.path.normpath(base / value))  # normpath: readable in messages, no "config/.."


class TabletConfig(_Section):
    state_dir: Path = Field(Path("../state"), validate_default=True)
    pairing_minutes: StrictInt = Field(10, ge=1, le=120)
    drawers: StrictInt = Field(1, ge=1, le=4)
    when_busy: Literal["refuse", "take_over"] = "refuse"
    predictions_per_second: StrictInt = Field(60, ge=1, le=120)
    max_bad_messages: StrictInt = Field(20, ge=1, le=1000)
    ice_servers: list[StrictStr] = Field(default_factory=list, max_length=8)
    connect_timeout_seconds: StrictFloat | StrictInt = Field(10.0, ge=1, le=60)
    silence_timeout_seconds: StrictFloat | StrictInt = Field(10.0, ge=3, le=120)

    @field_validator("state_dir", mode="after")
    @classmethod
    def _relative_to_config_file(cls, value: Path, info: ValidationInfo) -> Path:
        return _from_config_folder(value, info)

    @field_validator("ice_servers", mode="after")
    @classmethod
    def _stun_or_turn(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("stun:", "turn:", "turns:")):
                raise ValueError(f"{url!r} is not a stun:, turn: or turns: URL")
        return value


class LimitsConfig(_Section):
    max_strokes: StrictInt = Field(64, ge=1, le=1000)
    max_points_per_stroke: StrictInt = Field(4000, ge=1, le=100_000)
    max_points: StrictInt = Field(10_000, ge=1, le=200_000)


class DisplayConfig(_Section):
    connections_per_neuron: StrictInt = Field(24, ge=1, le=64)
    seconds_per_snapshot: StrictFloat | StrictInt = Field(1.5, ge=0.1, le=60)
    idle_seconds: StrictInt = Field(20, ge=3, le=3600)
    max_frame_rate: StrictInt = Field(60, ge=1, le=240)


class PlaygroundConfig(_Section):
    grid: StrictInt = Field(64, ge=16, le=128)
    neuron_grid: StrictInt = Field(16, ge=8, le=32)
    frames_per_second: StrictInt = Field(30, ge=1, le=60)
    max_seconds: StrictInt = Field(300, ge=5, le=3600)
    # Training steps a second: the screen's own runs (for passers-by), and runs a tablet or the
    # presenter starts; a run's own steps_per_second (kiosk/playground/spec.py) comes first.
    # StrictFloat takes whole numbers too; one type, so an error names the key, not the type tried.
    steps_per_second: StrictFloat = Field(4.0, ge=0.1, le=5000)
    tablet_steps_per_second: StrictFloat = Field(20.0, ge=0.1, le=5000)
    tablet_controls: StrictBool = False


# One day's opening hours: a list of "HH:MM-HH:MM" (each checked where it is written), "closed" or [].
_TimeRange = Annotated[StrictStr, AfterValidator(hours.normalise_range)]


class OpeningHoursConfig(_Section):
    # A day left out of opening_hours is closed; leaving out opening_hours itself: always open.
    mon: list[_TimeRange] = Field(default_factory=list)
    tue: list[_TimeRange] = Field(default_factory=list)
    wed: list[_TimeRange] = Field(default_factory=list)
    thu: list[_TimeRange] = Field(default_factory=list)
    fri: list[_TimeRange] = Field(default_factory=list)
    sat: list[_TimeRange] = Field(default_factory=list)
    sun: list[_TimeRange] = Field(default_factory=list)

    @field_validator("*", mode="before")
    @classmethod
    def _one_range_or_closed(cls, value: object) -> object:
        if value is None:
            raise ValueError('no hours given; write [] (or closed) for a closed day, or e.g. ["10:00-18:00"]')
        if isinstance(value, str):
            return [] if value.strip().lower() == "closed" else [value]
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_overlaps(cls, value: list[str]) -> list[str]:
        hours.check_day(value)
        return value


class AttractConfig(_Section):
    timezone: StrictStr = "Europe/Berlin"
    opening_hours: OpeningHoursConfig = OpeningHoursConfig(**{day: [hours.ALL_DAY] for day in hours.WEEKDAYS})
    holidays: list[Annotated[date, BeforeValidator(hours.parse_holiday)]] = Field(
        default_factory=list, max_length=1000
    )
    presenter_idle_seconds: StrictInt = Field(300, ge=30, le=86400)
    playlist: list[PlaylistItem] = Field(default_factory=default_playlist, min_length=1, max_length=100)

    @field_validator("timezone", mode="after")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return hours.check_timezone(value)

    @field_validator("holidays", mode="after")
    @classmethod
    def _distinct_days(cls, value: list[date]) -> list[date]:
        repeated = sorted({day for day in value if value.count(day) > 1})
        if repeated:
            raise ValueError(f"{repeated[0].isoformat()} is listed twice")
        return value


class PresenterConfig(_Section):
    # "" = presenter log-in is off; else what ``python -m kiosk hash-passphrase`` printed.
    passphrase_hash: StrictStr = ""
    session_hours: StrictInt = Field(8, ge=1, le=168)
    behind_https_proxy: StrictBool = False
    allowed_origins: list[StrictStr] = Field(default_factory=list, max_length=16)

    @field_validator("passphrase_hash", mode="after")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        if value:
            parse_hash(value)  # its ValueError says what is wrong and how to make a good one
        return value.strip()

    @field_validator("allowed_origins", mode="after")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _is_site_address(origin):
                raise ValueError(f"{origin!r} is not an origin like https://exhibit.museum.example")
        return [origin.rstrip("/").lower() for origin in value]


class StreamsConfig(_Section):
    # Event streams (kiosk/streams.py): screens, playground views and presenter consoles.
    max_per_kind: StrictInt = Field(32, ge=1, le=1000)
    max_per_address: StrictInt = Field(4, ge=1, le=100)
    write_timeout_seconds: StrictFloat | StrictInt = Field(5, ge=0.1, le=60)
    buffer_kib: StrictInt = Field(128, ge=4, le=16 * KIB)


class LoggingConfig(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    # Other programs' lines (web requests, WebRTC's ICE chatter): kiosk/logs.py.
    libraries: Literal["debug", "info", "warning", "error"] = "warning"


class MetricsConfig(_Section):
    # GET /metrics for the museum's monitoring (Prometheus; docs/monitoring.md, kiosk/metrics/).
    enabled: StrictBool = True
    allowed_networks: list[StrictStr] = Field(default_factory=lambda: ["127.0.0.0/8", "::1"], max_length=64)
    # "" = no token asked for; else scrapers must send "Authorization: Bearer <token>".
    token: StrictStr = ""

    @field_validator("allowed_networks", mode="after")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        if not value:
            everyone = '["0.0.0.0/0", "::/0"]'
            raise ValueError(f"name at least one network (every address: {everyone}), or set enabled: false")
        for network in value:
            try:
                ipaddress.ip_network(network.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{network!r} is not an address or network like 192.168.1.0/24, 10.1.2.3 or ::1"
                ) from None
        return [network.strip() for network in value]

    @field_validator("token", mode="after")
    @classmethod
    def _long_random_token(cls, value: str) -> str:
        if value and (len(value) < 16 or re.search(r"\s", value) or not value.isprintable()):
            raise ValueError(
                "the token must be at least 16 characters without spaces; make one with: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value


class Config(_Section):
    server: ServerConfig = ServerConfig()
    model: ModelConfig = ModelConfig()
    limits: LimitsConfig = LimitsConfig()
    tablet: TabletConfig = TabletConfig()
    display: DisplayConfig = DisplayConfig()
    playground: PlaygroundConfig = PlaygroundConfig()
    attract: AttractConfig = AttractConfig()
    presenter: PresenterConfig = PresenterConfig()
    streams: StreamsConfig = StreamsConfig()
    language: StrictStr = "en"
    logging: LoggingConfig = LoggingConfig()
    metrics: MetricsConfig = MetricsConfig()

    @field_validator("language", mode="after")
    @classmethod
    def _translated(cls, value: str) -> str:
        available = languages()
        if value not in available:
            raise ValueError(f"no translation {value!r}; available: {', '.join(available)}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _missing_sections_are_defaults(cls, data: object) -> object:
        # A missing section, or "server:" with every key below it commented out (null), means
        # "all defaults"; validating {} (not a ready-made default) resolves paths against the file.
        if not isinstance(data, dict):
            return data
        sections: dict[str, object] = {name: {} for name in cls.model_fields if _section_model(name)}
        return sections | {k: v for k, v in data.items() if not (v is None and k in sections)}


def _section_model(name: str) -> type[BaseModel] | None:
    field = Config.model_fields.get(name)
    annotation = field.annotation if field else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
