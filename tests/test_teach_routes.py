"""The presenter's lesson commands over HTTP (kiosk/teach/routes.py), with the real app and, where
a lesson really runs, the real lesson process."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
from support import SHIPPED_EXPORT
from support.exports import write_tiny_export
from test_presenter_routes import admin, make_config

from kiosk.app import create_app
from kiosk.display.payloads import BLANK, Digit
from kiosk.keys import ENGINE, SCREEN, TEACHER, VERDICTS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.presenter.status import status


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
    digit = screen.digit  # the timeline's test sample
    was = engine.infer(digit.image).digit
    meant = (was + 1) % 10
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
