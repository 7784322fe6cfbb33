"""The HTTP server: /healthz, /api/infer, refusing bad requests, and a real server process."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from kiosk import http_errors
from kiosk.app import create_app
from kiosk.config import Config, ConfigError, LimitsConfig, ModelConfig, ServerConfig
from kiosk.http_errors import REJECTION_REASONS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from tools.exhibit_process import ExhibitProcess

REPO = Path(__file__).resolve().parent.parent
SHIPPED_EXPORT = REPO / "exports" / "mnist-mlp"

# A "1": one vertical stroke, in tablet pixels, with timestamps.
ONE = [[[200, 100 + 10 * i, 16 * i] for i in range(31)]]
BODY_LIMIT = 32 * 1024  # room for JSON nested past the parser's limit (10,000 deep on Python 3.13)


def make_config(export: Path, **model: str) -> Config:
    return Config(
        server=ServerConfig(max_body_bytes=BODY_LIMIT),
        model=ModelConfig(export=export, **model),
        limits=LimitsConfig(max_strokes=4, max_points_per_stroke=80, max_points=100),
    )


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, engine: Engine):
    return await aiohttp_client(create_app(make_config(export_dir), engine))


async def rejected_counts(client) -> dict[str, int]:
    response = await client.get("/healthz")
    return (await response.json())["rejected"]


# --- health -------------------------------------------------------------------------------------


async def test_healthz(client, engine: Engine) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    health = await response.json()
    assert set(health) == {
        *("status", "instance", "model", "snapshot", "uptime_s", "rejected", "playground", "streams"),
        "lessons",
    }
    assert health["streams"]["open"] == {"screen": 0, "playground": 0, "presenter": 0}
    again = await (await client.get("/healthz")).json()
    assert len(health["instance"]) == 16 and again["instance"] == health["instance"]  # one per start
    # No training process until a run is started (the server's own start-up starts it early).
    assert health["playground"] == {"state": "idle", "run": 0, "worker": "stopped", "frames": 0}
    assert health["lessons"] == {"worker": "stopped", "lessons": 0, "state": "idle"}  # likewise
    assert health["status"] == "ok"
    assert health["model"] == engine.timeline.name
    assert health["snapshot"] == engine.timeline.final_id
    assert isinstance(health["uptime_s"], float) and 0 <= health["uptime_s"] < 60
    assert health["rejected"] == dict.fromkeys(REJECTION_REASONS, 0)


async def test_healthz_shows_the_configured_snapshot(
    aiohttp_client, export_dir: Path, engine: Engine
) -> None:
    first = engine.timeline.snapshots[0].id
    client = await aiohttp_client(create_app(make_config(export_dir, snapshot=first), engine))
    assert (await (await client.get("/healthz")).json())["snapshot"] == first


def test_unknown_configured_snapshot_is_refused_at_start(export_dir: Path, engine: Engine) -> None:
    with pytest.raises(ConfigError, match="model.snapshot: .*'no-such-snapshot'"):
        create_app(make_config(export_dir, snapshot="no-such-snapshot"), engine)


async def test_create_app_loads_the_export_itself(aiohttp_client, tiny_export: Path) -> None:
    client = await aiohttp_client(create_app(make_config(tiny_export)))
    assert (await (await client.get("/healthz")).json())["model"] == "tiny-test"


# --- inference ----------------------------------------------------------------------------------


async def test_infer_a_one(client, engine: Engine) -> None:
    response = await client.post("/api/infer", json={"strokes": ONE})
    assert response.status == 200
    result = await response.json()
    probabilities = result["probabilities"]
    assert len(probabilities) == 10
    assert sum(probabilities) == pytest.approx(1.0, abs=1e-3)
    assert result["digit"] == probabilities.index(max(probabilities))
    architecture = engine.timeline.architecture
    assert [len(layer) for layer in result["activations"]] == architecture[1:]
    assert result["activations"][-1] == probabilities
    image = result["image"]
    assert len(image) == 28 * 28
    assert all(0 <= v <= 1 for v in image)
    # The ink is a vertical bar in the middle columns: the left and right edges stay blank.
    assert sum(image) > 10
    assert all(image[row * 28 + col] == 0 for row in range(28) for col in (*range(8), *range(20, 28)))
    assert result["snapshot"] == engine.timeline.final_id


@pytest.mark.skipif(not (SHIPPED_EXPORT / "manifest.json").exists(), reason="no shipped export yet")
async def test_the_shipped_model_reads_a_one(aiohttp_client) -> None:
    engine = Engine(load_timeline(SHIPPED_EXPORT))
    client = await aiohttp_client(create_app(make_config(SHIPPED_EXPORT), engine))
    result = await (await client.post("/api/infer", json={"strokes": ONE})).json()
    assert result["digit"] == 1


async def test_infer_an_earlier_snapshot(client, engine: Engine) -> None:
    first = engine.timeline.snapshots[0].id
    early = await (await client.post("/api/infer", json={"strokes": ONE, "snapshot": first})).json()
    final = await (await client.post("/api/infer", json={"strokes": ONE, "snapshot": "final"})).json()
    assert early["snapshot"] == first
    assert final["snapshot"] == engine.timeline.final_id
    assert early["probabilities"] != final["probabilities"]


# --- refusing bad requests ----------------------------------------------------------------------

POINT_LIMIT = [[[i, i] for i in range(81)]]  # limits in make_config: 80 points a stroke

BAD_REQUESTS = {
    "not JSON": (b"strokes please", "bad_json", "not valid JSON"),
    "empty body": (b"", "bad_json", "not valid JSON"),
    "not an object": (b"[[[1, 2]]]", "bad_request", "must be a JSON object, not list"),
    "missing strokes": (b'{"snapshot": "final"}', "bad_request", 'missing "strokes"'),
    "unknown key": (json.dumps({"strokes": ONE, "colour": "red"}), "bad_request", "unknown key(s) colour"),
    "NaN": (b'{"strokes": [[[1, 2], [NaN, 3]]]}', "bad_strokes", "stroke 0, point 1 holds nan"),
    "Infinity": (b'{"strokes": [[[1, Infinity]]]}', "bad_strokes", "not a finite number"),
    "empty strokes": (b'{"strokes": []}', "bad_strokes", "the drawing is empty"),
    "empty stroke": (b'{"strokes": [[]]}', "bad_strokes", "stroke 0 has no points"),
    "too many points": (
        json.dumps({"strokes": POINT_LIMIT}),
        "bad_strokes",
        "too many points: 81 (at most 80)",
    ),
    "too many strokes": (json.dumps({"strokes": [[[1, 1]]] * 5}), "bad_strokes", "too many strokes: 5"),
    "string for a number": (b'{"strokes": [[[1, "2"]]]}', "bad_strokes", "holds '2', not a number"),
    "strokes not a list": (b'{"strokes": "1"}', "bad_strokes", "strokes must be a list"),
    "snapshot not a string": (
        json.dumps({"strokes": ONE, "snapshot": 3}),
        "bad_request",
        '"snapshot" must be',
    ),
    "empty snapshot": (json.dumps({"strokes": ONE, "snapshot": ""}), "bad_request", '"snapshot" must be'),
    "unknown snapshot": (
        json.dumps({"strokes": ONE, "snapshot": "epoch-99"}),
        "unknown_snapshot",
        "no snapshot 'epoch-99'",
    ),
    # Closed brackets: deep enough to exceed the JSON parser's recursion limit on Python 3.11 to 3.13.
    "nested too deeply": (b"[" * 12_000 + b"]" * 12_000, "bad_json", "nested too deeply"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
async def test_bad_request_is_refused_and_counted(client, case: tuple[bytes | str, str, str]) -> None:
    body, reason, message = case
    response = await client.post("/api/infer", data=body)
    assert response.status == 400
    error = await response.json()
    assert set(error) == {"error"}
    assert message in error["error"]
    assert await rejected_counts(client) == {**dict.fromkeys(REJECTION_REASONS, 0), reason: 1}
    # ... and the next visitor is served as usual.
    assert (await client.post("/api/infer", json={"strokes": ONE})).status == 200


async def test_oversized_body_is_refused_with_413(client) -> None:
    body = json.dumps({"strokes": [[[i, i] for i in range(4000)]]})
    assert len(body) > BODY_LIMIT
    response = await client.post("/api/infer", data=body)
    assert response.status == 413
    assert (await response.json())["error"] == f"request body too large (at most {BODY_LIMIT} bytes)"
    assert (await rejected_counts(client))["too_large"] == 1
    assert (await client.post("/api/infer", json={"strokes": ONE})).status == 200


async def test_rejections_add_up(client) -> None:
    for _ in range(3):
        await client.post("/api/infer", data=b"{")
    await client.post("/api/infer", json={"strokes": []})
    counts = await rejected_counts(client)
    assert counts["bad_json"] == 3 and counts["bad_strokes"] == 1


async def test_rejection_is_logged_in_one_line_without_the_body(client, caplog) -> None:
    secret = "x" * 500
    with caplog.at_level(logging.INFO, logger="kiosk.app"):
        await client.post("/api/infer", json={"strokes": ONE, secret: 1})
    records = [r for r in caplog.records if r.name == "kiosk.app"]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    line = records[0].getMessage()
    assert "rejected POST /api/infer" in line and "bad_request" in line
    assert "\n" not in line and secret not in line and len(line) < 400


# --- a client that goes away mid-upload ------------------------------------------------------------


@pytest.fixture
async def served(export_dir: Path, engine: Engine):
    """The app on a real loopback socket, run as ``python -m kiosk`` runs it (no handler cancellation,
    unlike aiohttp's test server): its base URL."""
    runner = web.AppRunner(create_app(make_config(export_dir), engine), shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    await runner.cleanup()


async def send_part_and_leave(base: str, path: str, how: str) -> None:
    """Announce 100 bytes of body, send 2, then reset the connection or close our side."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100\r\n\r\n"
    writer.write(head.encode() + b'{"')
    await writer.drain()
    await asyncio.sleep(0.1)  # the handler is reading the body now
    if how == "reset":
        writer.transport.abort()
    else:
        writer.write_eof()  # FIN: no more bytes will come
        await reader.read()  # whatever the server says, until it closes
        writer.close()
    await asyncio.sleep(0.2)


@pytest.mark.parametrize("how", ["reset", "half-close"])
@pytest.mark.parametrize("path", ["/api/infer", "/api/tablet/pair"])
async def test_a_client_that_leaves_mid_body_is_counted_and_logged_as_its_doing_not_a_500(
    served: str, path: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await send_part_and_leave(served, path, how)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []  # no error, no traceback
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert not any('" 500 ' in line for line in access), access
    [line] = [r.getMessage() for r in caplog.records if r.name == "kiosk.app"]
    assert f"rejected POST {path}" in line and "incomplete_body" in line
    async with aiohttp.ClientSession() as http, http.get(f"{served}/healthz") as response:
        rejected = (await response.json())["rejected"]
        assert rejected == {**dict.fromkeys(REJECTION_REASONS, 0), "incomplete_body": 1}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{served}/api/infer", json={"strokes": ONE}) as response,
    ):
        assert response.status == 200  # and the next visitor is served as usual


async def test_a_client_that_sends_half_a_body_and_waits_is_answered_408_after_the_body_timeout(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_errors, "BODY_TIMEOUT_S", 0.5)
    host, port = served.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"POST /api/infer HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100\r\n\r\n".encode() + b'{"')
    await writer.drain()
    started = asyncio.get_running_loop().time()
    answer = await asyncio.wait_for(reader.read(4096), 5)
    waited = asyncio.get_running_loop().time() - started
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive within 0.5 s" in answer
    assert 0.4 <= waited < 3


# --- a real server process ----------------------------------------------------------------------


def http(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as response:
        return response.status, json.loads(response.read())


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.process
def test_server_process_serves_and_stops_gracefully(
    tmp_path: Path, export_dir: Path, stop: signal.Signals
) -> None:
    server = ExhibitProcess(tmp_path, export_dir)
    server.start()
    try:
        assert server.get("/healthz")["status"] == "ok"
        status, result = http(f"{server.base}/api/infer", {"strokes": ONE})
        assert status == 200 and 0 <= result["digit"] <= 9
        with pytest.raises(urllib.error.HTTPError) as refused:
            http(f"{server.base}/api/infer", {"strokes": "none"})
        assert refused.value.code == 400
    finally:
        stderr = server.stop(stop)
    assert server.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "rejected POST /api/infer" in stderr  # logging is configured at the configured level


@pytest.mark.process
def test_server_process_exits_2_when_the_port_is_taken(tmp_path: Path, export_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "kiosk.yaml"
        config.write_text(
            f"server:\n  host: 127.0.0.1\n  port: {port}\nmodel:\n  export: {export_dir}\n"
            f"tablet:\n  state_dir: {tmp_path / 'state'}\n"
        )
        result = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(config)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"{config}: cannot listen on 127.0.0.1:{port}: " in result.stderr
    assert "Traceback" not in result.stderr
