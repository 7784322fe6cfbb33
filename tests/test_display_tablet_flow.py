"""End to end: a paired virtual tablet draws over a real WebRTC data channel, and the exhibit
screen's event stream shows the visitor's drawing as the tablet was told it reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.app import create_app
from kiosk.config import Config, DisplayConfig, ModelConfig, TabletConfig
from kiosk.display.screen import EVENT_ORDER
from kiosk.keys import ADMIN, SCREEN
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import parse_strokes
from kiosk.tablet.virtual import VirtualTablet
from tools.sse_client import SseReader

# A "1" and a "7", [x, y, t_ms] as a tablet sends them.
ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]
SEVEN = [[0, 0, 0], [60, 0, 10], [30, 100, 20]]


def config_for(export: Path, state: Path, snapshot: str = "final") -> Config:
    return Config(
        model=ModelConfig(export=export, snapshot=snapshot),
        tablet=TabletConfig(state_dir=state),
        display=DisplayConfig(seconds_per_snapshot=60, idle_seconds=3600),
    )


@pytest.fixture
def timeline(export_dir: Path) -> Timeline:
    return load_timeline(export_dir)


async def start_exhibit(aiohttp_server, aiohttp_client, config: Config, timeline: Timeline):
    """A served exhibit, a client for it, a screen's event stream (opening read) and a connected tablet."""
    server = await aiohttp_server(create_app(config, Engine(timeline)))
    client = await aiohttp_client(server)
    window = await client.post(
        "/api/admin/pairing", headers={"Authorization": f"Bearer {client.app[ADMIN].token}"}
    )
    code = (await window.json())["code"]
    paired = await client.post("/api/tablet/pair", json={"code": code, "name": "virtual"})
    credential = (await paired.json())["credential"]
    response = await client.get("/api/display/events")
    reader = SseReader(response)
    opening = [await reader.next_event() for _ in EVENT_ORDER]
    assert [message.event for message in opening] == list(EVENT_ORDER)
    tablet = VirtualTablet()
    await tablet.connect(str(server.make_url("/")), credential)
    return client, reader, tablet, {message.event: message.json for message in opening}


async def draw(tablet: VirtualTablet, stroke: int, points: list[list[float]]) -> dict:
    tablet.send(type="stroke_begin", stroke=stroke, points=points)
    tablet.send(type="stroke_end", stroke=stroke)
    return await tablet.next("prediction")


@pytest.fixture
async def exhibit(aiohttp_server, aiohttp_client, export_dir: Path, tmp_path: Path, timeline: Timeline):
    client, reader, tablet, opening = await start_exhibit(
        aiohttp_server, aiohttp_client, config_for(export_dir, tmp_path / "state"), timeline
    )
    yield client, reader, tablet, opening
    await tablet.close()


async def test_a_stroke_takes_the_screen_live_with_the_tablets_answer(exhibit, timeline: Timeline) -> None:
    client, reader, tablet, opening = exhibit
    assert opening["scene"] == {"scene": "timeline"}
    prediction = await draw(tablet, 1, ONE)
    before_live = []
    while (message := await reader.next_event(timeout=5)).event != "scene":
        before_live.append((message.event, message.json))
    assert message.json == {"scene": "live"}
    # The timeline was paused first, so it stays where it was while the visitor draws.
    assert [data["playing"] for kind, data in before_live if kind == "timeline"] == [False]
    activation = await reader.until("activation", lambda data: data["source"] == "visitor")
    assert activation["digit"] == prediction["digit"]
    assert activation["probabilities"] == prediction["probabilities"]
    # What the screen shows is what the engine makes of the same strokes, input layer first.
    expected = Engine(timeline).infer(rasterise(parse_strokes([ONE])))
    assert activation["digit"] == expected.digit and activation["snapshot"] == timeline.final_id
    assert activation["layers"][0] == np.round(expected.image.reshape(-1).astype(np.float64), 3).tolist()
    assert [len(layer) for layer in activation["layers"]] == timeline.architecture
    assert client.app[SCREEN].player.playing is False


async def test_a_second_stroke_updates_the_answer_on_screen(exhibit, timeline: Timeline) -> None:
    _, reader, tablet, _ = exhibit
    await draw(tablet, 1, ONE)
    await reader.until("activation", lambda data: data["source"] == "visitor")
    prediction = await draw(tablet, 2, SEVEN)
    expected = Engine(timeline).infer(rasterise(parse_strokes([ONE, SEVEN])))
    activation = await reader.until(
        "activation",
        lambda data: data["source"] == "visitor" and data["probabilities"] == prediction["probabilities"],
    )
    assert activation["digit"] == prediction["digit"] == expected.digit


async def test_clearing_the_drawing_blanks_the_screen(exhibit) -> None:
    _, reader, tablet, _ = exhibit
    prediction = await draw(tablet, 1, ONE)
    drawn = await reader.until("activation", lambda data: data["source"] == "visitor")
    assert drawn["digit"] == prediction["digit"]
    tablet.send(type="clear")
    cleared = await reader.until("activation", lambda data: data["seq"] > drawn["seq"])
    assert cleared["digit"] is None and cleared["source"] == "none"
    assert "layers" not in cleared


async def test_the_live_scene_uses_the_configured_snapshot(
    aiohttp_server, aiohttp_client, export_dir: Path, tmp_path: Path, timeline: Timeline
) -> None:
    earlier = timeline.snapshots[len(timeline.snapshots) // 2].id
    assert earlier != timeline.final_id
    config = config_for(export_dir, tmp_path / "state", snapshot=earlier)
    _, reader, tablet, opening = await start_exhibit(aiohttp_server, aiohttp_client, config, timeline)
    try:
        assert opening["network"]["live_snapshot"] == earlier
        await draw(tablet, 1, ONE)
        activation = await reader.until("activation", lambda data: data["source"] == "visitor")
    finally:
        await tablet.close()
    expected = Engine(timeline).infer(rasterise(parse_strokes([ONE])), earlier)
    assert activation["snapshot"] == earlier
    assert activation["probabilities"] == np.round(expected.probabilities.astype(np.float64), 4).tolist()
