"""Pairing and the WebRTC offer over HTTP: only a paired tablet gets a peer connection."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription

from kiosk.app import create_app
from kiosk.config import Config, ModelConfig, TabletConfig
from kiosk.keys import ADMIN, TABLETS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline

SCENE = {"v": 1, "type": "scene", "language": "en"}  # what tablets hear, in the staff's language


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, tmp_path: Path):
    config = Config(model=ModelConfig(export=export_dir), tablet=TabletConfig(state_dir=tmp_path / "state"))
    app = create_app(config, Engine(load_timeline(export_dir)))
    return await aiohttp_client(app)


def admin(client) -> dict:
    return {"Authorization": f"Bearer {client.app[ADMIN].token}"}


async def open_window(client) -> str:
    response = await client.post("/api/admin/pairing", headers=admin(client))
    assert response.status == 200
    body = await response.json()
    assert body["code"].isdigit() and len(body["code"]) == 6 and body["expires_in_s"] == 600
    return body["code"]


async def paired(client) -> str:
    code = await open_window(client)
    response = await client.post("/api/tablet/pair", json={"code": code, "name": "by the door"})
    assert response.status == 200
    return (await response.json())["credential"]


async def test_a_code_from_the_pairing_window_buys_a_credential_once(client) -> None:
    code = await open_window(client)
    response = await client.post("/api/tablet/pair", json={"code": code[:3] + " " + code[3:], "name": "door"})
    body = await response.json()
    assert response.status == 200 and len(body["credential"]) >= 32 and body["name"] == "door"
    again = await client.post("/api/tablet/pair", json={"code": code, "name": "thief"})
    assert again.status == 403 and "wrong or expired" in (await again.json())["error"]
    assert [d.name for d in client.app[TABLETS].devices.list()] == ["door"]


async def test_opening_a_pairing_window_needs_the_admin_token(client) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        response = await client.post("/api/admin/pairing", headers=headers)
        assert response.status == 401
    assert client.app[TABLETS].pairing.current() is None


async def test_wrong_codes_are_throttled(client) -> None:
    await open_window(client)
    statuses = []
    for _ in range(7):
        response = await client.post("/api/tablet/pair", json={"code": "000000", "name": "x"})
        statuses.append(response.status)
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429, 429]
    assert int(response.headers["Retry-After"]) > 0


async def test_an_unpaired_or_revoked_tablet_gets_no_peer_connection(client) -> None:
    offer = {"type": "offer", "sdp": "v=0"}
    for headers in ({}, {"Authorization": "Bearer not-a-credential"}):
        response = await client.post("/api/tablet/offer", json=offer, headers=headers)
        assert response.status == 401
    credential = await paired(client)
    tablets = client.app[TABLETS]
    device = tablets.devices.list()[0]
    assert tablets.devices.revoke(device.id)
    response = await client.post(
        "/api/tablet/offer", json=offer, headers={"Authorization": f"Bearer {credential}"}
    )
    assert response.status == 401 and tablets.peers.peers == []


@pytest.mark.parametrize(
    ("body", "status"), [("{", 400), ('{"type": "offer"}', 400), ('{"type": "offer", "sdp": "garbage"}', 400)]
)
async def test_a_paired_tablets_unusable_offer_is_refused(client, body: str, status: int) -> None:
    credential = await paired(client)
    headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
    response = await client.post("/api/tablet/offer", data=body, headers=headers)
    assert response.status == status and "error" in await response.json()
    assert client.app[TABLETS].peers.peers == []


async def test_a_paired_tablet_connects_over_http_signalling_and_draws(client) -> None:
    credential = await paired(client)
    pc = RTCPeerConnection()
    channel = pc.createDataChannel("strokes")
    inbox: asyncio.Queue[dict] = asyncio.Queue()
    opened = asyncio.Event()
    channel.on("open", opened.set)
    channel.on("message", lambda text: inbox.put_nowait(json.loads(text)))
    await pc.setLocalDescription(await pc.createOffer())
    response = await client.post(
        "/api/tablet/offer",
        json={"type": "offer", "sdp": pc.localDescription.sdp},
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status == 200
    answer = await response.json()
    await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
    await asyncio.wait_for(opened.wait(), 10)
    # First the exhibit says what it is doing (the attract playlist runs: not closed).
    assert await asyncio.wait_for(inbox.get(), 5) == {**SCENE, "scene": "attract"}
    channel.send(json.dumps({"v": 1, "type": "stroke_begin", "stroke": 1, "points": [[0, 0], [3, 90]]}))
    # The touch hands the screen to the visitor, and the drawing is answered.
    assert await asyncio.wait_for(inbox.get(), 5) == {**SCENE, "scene": "visitor"}
    message = await asyncio.wait_for(inbox.get(), 5)
    assert message["type"] == "prediction" and message["seq"] == 1
    await pc.close()
