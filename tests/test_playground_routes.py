"""The playground over HTTP: its event stream, who may drive it, and what a bad command is told.

Each test gets its own app (aiohttp_client); only the one test that starts a run pays for a
training process (a few seconds to load PyTorch).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from kiosk.app import create_app
from kiosk.config import Config, ModelConfig, PlaygroundConfig, TabletConfig
from kiosk.keys import ADMIN, PLAYGROUND, SCREEN
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.playground.frames import decode_grid

SMALL = {"dataset": "xor", "points": 100, "hidden": [4]}
FIELDS = "dataset, noise, points, test_fraction, seed, hidden, activation, learning_rate, batch_size"


class Events:
    """A small SSE reader: (event, decoded data) one at a time; ``retry`` lines come as ("retry", n)."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response, self.buffer, self.pending = response, bytearray(), []

    async def next(self, timeout: float = 5.0) -> tuple[str, object]:
        async with asyncio.timeout(timeout):
            while not self.pending:
                chunk = await self.response.content.readany()
                if not chunk:
                    raise EOFError("the stream ended")
                self.buffer += chunk
                while (end := self.buffer.find(b"\n\n")) >= 0:
                    self.pending.append(self._parse(self.buffer[:end].decode()))
                    del self.buffer[: end + 2]
        return self.pending.pop(0)

    @staticmethod
    def _parse(block: str) -> tuple[str, object]:
        kind, data = None, []
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "retry":
                return "retry", int(value)
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)
        return kind or "comment", json.loads("\n".join(data)) if data else None

    async def until(self, kind: str, condition=lambda data: True, timeout: float = 5.0) -> dict:
        while True:
            event, data = await self.next(timeout)
            if event == kind and condition(data):
                return data


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


def make_config(export_dir: Path, state: Path, *, tablet_controls: bool = False) -> Config:
    return Config(
        model=ModelConfig(export=export_dir),
        tablet=TabletConfig(state_dir=state),
        playground=PlaygroundConfig(
            grid=16,
            neuron_grid=8,
            frames_per_second=20,
            steps_per_second=3,  # the screen's own runs (none here)
            tablet_steps_per_second=30,  # runs started over HTTP
            tablet_controls=tablet_controls,
        ),
    )


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine):
    return await aiohttp_client(create_app(make_config(export_dir, tmp_path / "state"), engine))


@pytest.fixture
async def open_client(aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine):
    """An exhibit whose staff let paired tablets drive the playground."""
    config = make_config(export_dir, tmp_path / "state", tablet_controls=True)
    return await aiohttp_client(create_app(config, engine))


def admin(client) -> dict:
    return {"Authorization": f"Bearer {client.app[ADMIN].token}"}


async def train(client, body: object, headers: dict | None = None) -> tuple[int, dict]:
    response = await client.post(
        "/api/train", json=body, headers=admin(client) if headers is None else headers
    )
    return response.status, await response.json()


async def pair_a_tablet(client) -> str:
    response = await client.post("/api/admin/pairing", headers=admin(client))
    assert response.status == 200
    code = (await response.json())["code"]
    response = await client.post("/api/tablet/pair", json={"code": code, "name": "playground"})
    assert response.status == 200
    return (await response.json())["credential"]


async def health(client) -> dict:
    response = await client.get("/healthz")
    assert response.status == 200
    return await response.json()


# --- the stream ---------------------------------------------------------------------------------


async def test_the_stream_is_sse_for_proxies_too_and_starts_with_the_state(client) -> None:
    response = await client.get("/api/train_stream")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    events = Events(response)
    assert await events.next() == ("retry", 2000)
    assert await events.next() == ("status", {"run": 0, "state": "idle", "step": 0, "epoch": 0})
    empty = {key: [] for key in ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")}
    assert await events.next() == ("history", {"run": 0, **empty})
    response.close()
    assert (await health(client))["playground"] == {
        "state": "idle",
        "run": 0,
        "worker": "stopped",
        "frames": 0,
    }


# --- who may drive it ---------------------------------------------------------------------------


async def test_anonymous_and_wrong_tokens_get_401_then_429(client) -> None:
    status, body = await train(client, {"action": "start", "config": SMALL}, headers={})
    assert status == 401 and "admin token" in body["error"]
    # A request with no credential guesses nothing: it is refused but not counted against the address.
    for _ in range(10):
        status, body = await train(client, {"action": "pause"}, headers={"Authorization": "Bearer guess"})
        assert status == 401, body
    response = await client.post(
        "/api/train", json={"action": "pause"}, headers={"Authorization": "Bearer x"}
    )
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0 and "try again" in (await response.json())["error"]
    assert client.app[PLAYGROUND].run == 0 and client.app[SCREEN].scene == "timeline"
    rejected = (await health(client))["rejected"]
    assert rejected["unauthorized"] == 11 and rejected["throttled"] == 1
    # Staff are not locked out by a stranger's guesses.
    assert await train(client, {"action": "pause"}) == (200, {"run": 0, "state": "idle"})


async def test_a_paired_tablet_is_refused_unless_staff_allow_it(client) -> None:
    credential = await pair_a_tablet(client)
    status, body = await train(client, {"action": "pause"}, headers={"Authorization": f"Bearer {credential}"})
    assert status == 403 and "playground.tablet_controls" in body["error"]
    assert client.app[PLAYGROUND].run == 0
    assert (await health(client))["rejected"]["forbidden"] == 1


async def test_a_paired_tablet_may_drive_it_when_staff_allow_it(open_client) -> None:
    credential = await pair_a_tablet(open_client)
    tablet = {"Authorization": f"Bearer {credential}"}
    assert await train(open_client, {"action": "pause"}, headers=tablet) == (200, {"run": 0, "state": "idle"})
    assert await train(open_client, {"action": "step", "steps": 3}, headers=tablet) == (
        200,
        {"run": 0, "state": "idle"},
    )
    status, _ = await train(
        open_client, {"action": "pause"}, headers={"Authorization": f"Bearer {credential}x"}
    )
    assert status == 401  # a credential it was not given


# --- bad commands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"action": "jump"}, '"action" must be one of start, pause, resume, step, reset'),
        ({}, '"action" must be one of start, pause, resume, step, reset'),
        ({"action": None}, '"action" must be one of'),
        ({"action": "step", "steps": 0}, '"steps" must be a whole number from 1 to 1000'),
        ({"action": "step", "steps": 1001}, '"steps" must be a whole number from 1 to 1000'),
        ({"action": "step", "steps": True}, '"steps" must be a whole number from 1 to 1000'),
        ({"action": "step", "steps": "5"}, '"steps" must be a whole number from 1 to 1000'),
        ({"action": "step", "steps": 2.5}, '"steps" must be a whole number from 1 to 1000'),
        ({"action": "start", "config": []}, "config: the spec must be an object with fields " + FIELDS),
        ({"action": "start", "config": "spiral"}, "config: the spec must be an object"),
        ({"action": "start", "config": None}, "config: the spec must be an object"),
        (
            {"action": "start", "config": {"dataset": "mnist"}},
            "config: dataset: must be one of moons, circles, spiral, xor, linear, gaussians (got 'mnist')",
        ),
        (
            {"action": "start", "config": {"hidden": [4] * 7}},
            "config: hidden: must be a list of 0 to 6 layer sizes",
        ),
        (
            {"action": "start", "config": {"hidden": [4, 17]}},
            "config: hidden.1: must be 1 to 16 neurons (got 17)",
        ),
        ({"action": "start", "config": {"noise": 2}}, "config: noise: must be a number from 0 to 1 (got 2)"),
        ({"action": "start", "config": {"noise": "high"}}, "config: noise: must be a number from 0 to 1"),
        ({"action": "start", "config": {"features": []}}, "config: features: must be a non-empty list"),
        ({"action": "start", "config": {"features": ["z"]}}, "config: features.0: must be one of x, y, x2"),
        (
            {"action": "start", "config": {"steps_per_second": 0}},
            "config: steps_per_second: must be a number from 0.1 to 5000 (training steps a second)",
        ),
        (
            {"action": "start", "config": {"colour": "red"}},
            "config: colour: unknown key; allowed here: " + FIELDS,
        ),
    ],
)
async def test_a_bad_command_gets_a_400_naming_the_field(client, body: dict, message: str) -> None:
    status, answer = await train(client, body)
    assert status == 400
    assert answer["error"].startswith(message), answer["error"]
    assert client.app[PLAYGROUND].run == 0 and client.app[SCREEN].scene == "timeline"
    assert client.app[PLAYGROUND]._process is None  # nothing was started for it
    assert (await health(client))["rejected"]["bad_request"] == 1


async def test_a_body_that_is_not_a_json_object_gets_a_400(client) -> None:
    response = await client.post("/api/train", data=b"start", headers=admin(client))
    assert response.status == 400 and "not valid JSON" in (await response.json())["error"]
    response = await client.post("/api/train", json=["start"], headers=admin(client))
    assert response.status == 400 and "JSON object" in (await response.json())["error"]


async def test_an_unknown_command_field_gets_a_400(client) -> None:
    status, answer = await train(client, {"action": "step", "step": 50})
    assert status == 400, answer
    assert "step" in answer["error"]


# --- a run --------------------------------------------------------------------------------------


@pytest.mark.process
async def test_a_run_started_over_http_is_on_the_screen_and_the_stream(client) -> None:
    stream = Events(await client.get("/api/train_stream"))
    await stream.until("history")

    assert await train(client, {"action": "start", "config": SMALL}) == (200, {"run": 1, "state": "starting"})
    # The screen switches to the playground: for the screen's state and for screens that join now.
    assert client.app[SCREEN].scene == "playground"
    display = Events(await client.get("/api/display/events"))
    assert await display.until("scene") == {"scene": "playground"}

    config = await stream.until("config")
    assert config["run"] == 1 and config["spec"]["dataset"] == "xor" and config["spec"]["hidden"] == [4]
    assert config["steps_per_second"] == 30  # someone started it and watches: the livelier pace
    assert config["grid"] == 16 and config["neuron_grid"] == 8
    points = await stream.until("points", timeout=40)  # the training process loads PyTorch first
    assert len(points["train"]) + len(points["test"]) == 300
    boundary = await stream.until("boundary")
    assert boundary["run"] == 1 and decode_grid(boundary["probabilities"], 16).shape == (16, 16)
    first = (await stream.until("metrics"))["step"]
    later = (await stream.until("metrics", lambda m: m["step"] > first))["step"]
    assert later > first

    playground = (await health(client))["playground"]
    assert playground["state"] == "running" and playground["run"] == 1
    assert playground["worker"] == "ready" and playground["frames"] >= 2

    # A late joiner gets the run so far, in order, before the live frames.
    late = Events(await client.get("/api/train_stream"))
    assert (await late.next())[0] == "retry"
    opening = [(await late.next())[0] for _ in range(8)]
    assert opening == ["config", "status", "points", "history", "metrics", "boundary", "neurons", "weights"]

    status, answer = await train(client, {"action": "pause"})
    assert status == 200 and answer["run"] == 1
    paused = await stream.until("status", lambda s: s["state"] == "paused")
    assert paused["run"] == 1
    assert (await health(client))["playground"]["state"] == "paused"
    assert await train(client, {"action": "step", "steps": 5}) == (200, {"run": 1, "state": "paused"})
    stepped = paused["step"] + 5
    await stream.until("status", lambda s: s["state"] == "paused" and s["step"] == stepped)
    await stream.until("metrics", lambda m: m["step"] == stepped)

    # A second start is run 2; the screen stays on the playground.
    status, answer = await train(client, {"action": "start", "config": {**SMALL, "dataset": "circles"}})
    assert (status, answer["run"]) == (200, 2)
    assert (await stream.until("config"))["spec"]["dataset"] == "circles"
    assert (await stream.until("metrics"))["run"] == 2
    # A run may name its own pace.
    status, answer = await train(client, {"action": "start", "config": {**SMALL, "steps_per_second": 1.5}})
    assert (status, answer["run"]) == (200, 3)
    assert (await stream.until("config"))["steps_per_second"] == 1.5
