"""Who may read /metrics (config ``metrics:``): networks, a token, off; refusals are plain and counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.app import create_app
from kiosk.config import Config, ConfigError, MetricsConfig, ModelConfig, TabletConfig, load_config
from kiosk.exhibit import apply_config
from kiosk.keys import CONFIG
from kiosk.metrics.access import address_allowed
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline

TOKEN = "n1e9Qw-very-secret-token"


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
def make_client(aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine):
    async def make(**metrics):
        config = Config(
            model=ModelConfig(export=export_dir),
            tablet=TabletConfig(state_dir=tmp_path / "state"),
            metrics=MetricsConfig(**metrics),
        )
        return await aiohttp_client(create_app(config, engine))

    return make


async def refusals(client, reason: str) -> int:
    return (await (await client.get("/healthz")).json())["rejected"][reason]


async def test_by_default_this_pc_may_read_them(make_client) -> None:
    client = await make_client()  # the test client connects from 127.0.0.1
    response = await client.get("/metrics")
    assert response.status == 200
    assert any(
        f.name == "nn_kiosk_uptime_seconds" for f in text_string_to_metric_families(await response.text())
    )


async def test_an_address_outside_the_allowed_networks_gets_403_with_a_plain_message(make_client) -> None:
    client = await make_client(allowed_networks=["10.0.0.0/8"])
    response = await client.get("/metrics")
    assert response.status == 403
    message = (await response.json())["error"]
    assert "127.0.0.1" in message and "metrics.allowed_networks" in message and "Traceback" not in message
    assert await refusals(client, "forbidden") == 1


async def test_with_a_token_only_the_right_bearer_token_gets_in(make_client) -> None:
    client = await make_client(token=TOKEN)
    missing = await client.get("/metrics")
    assert missing.status == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert "metrics.token" in (await missing.json())["error"]
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status == 401
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 200
    assert await refusals(client, "unauthorized") == 2


async def test_wrong_tokens_are_throttled_per_address(make_client) -> None:
    client = await make_client(token=TOKEN)
    statuses = [
        (await client.get("/metrics", headers={"Authorization": f"Bearer wrong-{i}-xxxxxxxxxxxx"})).status
        for i in range(11)
    ]
    assert statuses == [401] * 10 + [429]


async def test_a_token_from_an_address_outside_the_networks_does_not_help(make_client) -> None:
    client = await make_client(allowed_networks=["192.168.0.0/16"], token=TOKEN)
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 403


async def test_switched_off_it_is_not_found(make_client) -> None:
    client = await make_client(enabled=False)
    response = await client.get("/metrics")
    assert response.status == 404
    assert "metrics.enabled" in await response.text()


async def test_a_reload_applies_at_once(make_client) -> None:
    client = await make_client()
    assert (await client.get("/metrics")).status == 200
    running = client.app[CONFIG].current
    apply_config(client.app, running.model_copy(update={"metrics": MetricsConfig(token=TOKEN)}))
    assert (await client.get("/metrics")).status == 401
    apply_config(
        client.app, running.model_copy(update={"metrics": MetricsConfig(allowed_networks=["10.1.2.3"])})
    )
    assert (await client.get("/metrics")).status == 403


@pytest.mark.parametrize(
    ("remote", "networks", "allowed"),
    [
        ("127.0.0.1", ["127.0.0.0/8", "::1"], True),
        ("127.5.6.7", ["127.0.0.0/8"], True),
        ("::1", ["127.0.0.0/8", "::1"], True),
        ("::ffff:192.168.1.7", ["192.168.1.0/24"], True),  # IPv4 through an IPv6 socket
        ("192.168.1.7", ["192.168.1.7"], True),
        ("192.168.2.7", ["192.168.1.0/24"], False),
        ("fe80::1%eth0", ["fe80::/10"], True),
        ("10.0.0.1", ["::/0"], False),  # IPv6 "everything" is not IPv4
        ("10.0.0.1", ["0.0.0.0/0", "::/0"], True),
        (None, ["0.0.0.0/0", "::/0"], False),  # a Unix socket: nobody to place
        ("not an address", ["0.0.0.0/0"], False),
    ],
)
def test_address_allowed(remote: str | None, networks: list[str], allowed: bool) -> None:
    assert address_allowed(remote, networks) is allowed


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (
            '  allowed_networks: ["10.0.0.0/33"]',
            "metrics.allowed_networks: '10.0.0.0/33' is not an address or network",
        ),
        (
            "  allowed_networks: [exhibit-pc]",
            "metrics.allowed_networks: 'exhibit-pc' is not an address or network",
        ),
        ("  allowed_networks: []", "metrics.allowed_networks: name at least one network"),
        ("  token: short", "metrics.token: the token must be at least 16 characters"),
        ('  token: "has a space in it, sixteen+"', "metrics.token: the token must be at least 16 characters"),
        ("  enabled: maybe", "metrics.enabled: Input should be a valid boolean"),
        ("  tokn: abc", "metrics.tokn: unknown key; did you mean 'token'?"),
    ],
)
def test_config_mistakes_name_the_line_and_key(tmp_path: Path, lines: str, says: str) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"language: en\nmetrics:\n{lines}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:3: {says}")


def test_config_takes_networks_and_a_token(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text(f'metrics:\n  allowed_networks: ["10.20.0.0/16", " ::1 "]\n  token: {TOKEN}\n')
    metrics = load_config(path).metrics
    assert metrics.allowed_networks == ["10.20.0.0/16", "::1"] and metrics.token == TOKEN
