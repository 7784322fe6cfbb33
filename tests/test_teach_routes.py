"""The presenter's lesson commands over HTTP (kiosk/teach/routes.py), with the real app and, where
a lesson really runs, the real lesson process."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import pytest
from support import SHIPPED_EXPORT
from support.exports import write_tiny_export
from test_presenter_routes import admin, make_config

from bench.lesson import misread_sample
from kiosk.app import create_app
from kiosk.display.payloads import BLANK, Digit
from kiosk.keys import DEFAULT_SNAPSHOT, DIRECTOR, ENGINE, SCREEN, TEACHER, VERDICTS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.presenter.status import status
from kiosk.tablet.session import VerdictNews


async def client_for(aiohttp_client, export: Path, tmp_path: Path):
    return await aiohttp_client(
        create_app(make_config(export, tmp_path / "state"), Engine(load_timeline(export)))
    )


@pytest.mark.parametrize("meant", [10, -1, "9", True, None, 2**70, 3.5])
async def test_a_lesson_needs_a_digit_0_to_9(aiohttp_client, tmp_path: Path, meant) -> None:
    client = await client_for(aiohttp_client, SHIPPED_EXPORT, tmp_path)
    response = await client.post("/api/admin/lesson", json={"meant": meant}, headers=admin(client))
    assert response.status == 400 and "0..9" in (await response.json())["error"]
    assert client.app[TEACHER].lessons == 0 and client.app[TEACHER].worker == "stopped"


async def test_a_lesson_without_a_digit_on_screen_is_refused(aiohttp_client, tmp_path: Path) -> None:
    client = await client_for(aiohttp_client, SHIPPED_EXPORT, tmp_path)
    client.app[SCREEN].digit = BLANK
    response = await client.post("/api/admin/lesson", json={"meant": 3}, headers=admin(client))
    body = await response.json()
    assert (
        response.status == 409 and body["reason"] == "no_digit" and "no digit on the screen" in body["error"]
    )
    assert client.app[TEACHER].lessons == 0


async def test_an_export_without_teaching_data_refuses_lessons(aiohttp_client, tmp_path: Path) -> None:
    client = await client_for(aiohttp_client, write_tiny_export(tmp_path / "tiny"), tmp_path)
    client.app[SCREEN].digit = Digit(np.full((28, 28), 0.5, np.float32), "visitor")  # (it has no samples)
    response = await client.post("/api/admin/lesson", json={"meant": 3}, headers=admin(client))
    body = await response.json()
    assert response.status == 409 and body["reason"] == "unavailable" and "teaching data" in body["error"]
    forget = await client.post("/api/admin/lesson/forget", json={}, headers=admin(client))
    assert forget.status == 200 and await forget.json() == {"forgotten": False}
    # The presenter's status says so, and shows the (empty) verdicts.
    panel = status(client.app)
    assert panel["lesson"]["worker"] == "unavailable" and panel["verdicts"]["today"]["right"] == 0


@pytest.mark.process
async def test_a_presenter_teaches_the_digit_on_screen_and_forgets_it(aiohttp_client, tmp_path: Path) -> None:
    client = await client_for(aiohttp_client, SHIPPED_EXPORT, tmp_path)
    app = client.app
    screen, engine = app[SCREEN], app[ENGINE]
    image, meant, was = misread_sample(engine)
    screen.show_sample(first_index_of(engine, image))  # as the presenter's sample button does
    digit = screen.digit
    response = await client.post("/api/admin/lesson", json={"meant": meant}, headers=admin(client))
    assert response.status == 200 and await response.json() == {"lesson": 1, "meant": meant, "was": was}
    busy = await client.post("/api/admin/lesson", json={"meant": meant}, headers=admin(client))
    assert busy.status == 409 and (await busy.json())["reason"] == "busy"
    deadline = time.monotonic() + 60
    while app[TEACHER].busy:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert app[TEACHER].payload["state"] == "learned" and engine.infer(digit.image).digit == meant
    assert status(app)["lesson"]["state"] == "learned" and "changes" not in status(app)["lesson"]
    forget = await client.post("/api/admin/lesson/forget", json={}, headers=admin(client))
    assert await forget.json() == {"forgotten": True} and engine.infer(digit.image).digit == was
    assert app[VERDICTS].totals == {}  # a presenter's lesson is no visitor's verdict


@pytest.mark.process
async def test_a_visitors_lesson_lasts_their_turn_and_idle_brings_the_shipped_network_back(
    aiohttp_client, tmp_path: Path
) -> None:
    config = make_config(SHIPPED_EXPORT, tmp_path / "state")
    config = config.model_copy(update={"display": config.display.model_copy(update={"idle_seconds": 3})})
    client = await aiohttp_client(create_app(config, Engine(load_timeline(SHIPPED_EXPORT))))
    app = client.app
    engine, director, teacher = app[ENGINE], app[DIRECTOR], app[TEACHER]
    samples = engine.timeline.samples
    probes = samples.images.reshape(-1, 784)
    shipped = engine.forward(probes, app[DEFAULT_SNAPSHOT])
    image, meant, was = misread_sample(engine)  # a visitor's digit the shipped network gets wrong
    teacher.start()
    await until(lambda: teacher.worker == "ready", 60)
    # A visitor draws and says it was another digit: the lesson runs, the copy reads their drawings.
    director.stroke()
    assert director.verdict(VerdictNews(False, meant, was, image, seq=1)) is None
    await until(lambda: teacher.payload["state"] == "learned", 30)
    assert engine.infer(image).digit == meant and director.machine.state == "visitor"
    metrics = await (await client.get("/metrics")).text()
    assert "nn_kiosk_network_taught 1.0" in metrics
    assert f'nn_kiosk_visitor_verdicts_total{{digit="{meant}",verdict="wrong"}} 1.0' in metrics
    # They leave: idle_seconds later the playlist is back, and with it the shipped network, bit for bit.
    await until(lambda: director.machine.state == "attract", 10)
    lesson = next(e for e in app[SCREEN].initial_events() if e.kind == "lesson")  # what a screen gets
    assert teacher.payload == {"state": "idle"} and json.loads(lesson.data) == {"state": "idle"}
    again = engine.forward(probes, app[DEFAULT_SNAPSHOT])
    assert all(np.array_equal(a, b) for a, b in zip(shipped, again, strict=True))
    assert "nn_kiosk_network_taught 0.0" in await (await client.get("/metrics")).text()


async def until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.05)


def first_index_of(engine: Engine, image: np.ndarray) -> int:
    samples = engine.timeline.samples
    assert samples is not None
    return next(i for i, sample in enumerate(samples.images) if np.array_equal(sample, image))
