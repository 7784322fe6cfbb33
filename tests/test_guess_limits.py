"""Wrong guesses from many addresses (issue 11): strangers are throttled, the real users still get in.

A fuzzer sent 260 wrong tablet credentials from 26 addresses, and the real tablet was refused (429)
for a minute; the same held for the admin token, the presenter passphrase and the pairing code.
Here every request names its source address (a test-only middleware), and the throttles run on a
fake clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiortc import RTCPeerConnection
from support.clock import FakeClock

from kiosk.app import create_app
from kiosk.config import AttractConfig, Config, ModelConfig, PresenterConfig, TabletConfig
from kiosk.keys import ADMIN, PRESENTER, TABLETS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.presenter.passphrase import hash_passphrase

PASSPHRASE = "a guide's passphrase"
STRANGERS = [f"10.66.{i}.7" for i in range(26)]
REAL = "192.168.1.50"  # the real tablet, admin or presenter: no wrong guess of its own


@web.middleware
async def source_address(request: web.Request, handler) -> web.StreamResponse:
    """Requests come from the address in ``X-Test-Remote`` (aiohttp's test client is always 127.0.0.1)."""
    remote = request.headers.get("X-Test-Remote")
    return await handler(request.clone(remote=remote) if remote else request)


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, tmp_path: Path, clock: FakeClock):
    config = Config(
        model=ModelConfig(export=export_dir),
        tablet=TabletConfig(state_dir=tmp_path / "state"),
        attract=AttractConfig(playlist=[{"scene": "timeline", "seconds": 600}]),
        presenter=PresenterConfig(passphrase_hash=hash_passphrase(PASSPHRASE, n=2**10)),
    )
    app = create_app(config, Engine(load_timeline(export_dir)))
    app.middlewares.append(source_address)
    for throttle in (
        app[ADMIN].guesses,
        app[TABLETS].code_guesses,
        app[TABLETS].key_guesses,
        app[PRESENTER].guesses,
    ):
        throttle.clock = clock
    return await aiohttp_client(app)


def source(address: str, token: str | None = None) -> dict:
    return {"X-Test-Remote": address} | ({"Authorization": f"Bearer {token}"} if token else {})


async def post(client, path: str, address: str, body: dict | None = None, token: str | None = None):
    response = await client.post(path, json=body or {}, headers=source(address, token))
    body = await response.json()
    assert response.status < 400 or "error" in body
    return response.status, body


async def open_window(client) -> str:
    status, body = await post(client, "/api/admin/pairing", "127.0.0.1", token=client.app[ADMIN].token)
    assert status == 200
    return body["code"]


async def real_offer() -> tuple[RTCPeerConnection, dict]:
    pc = RTCPeerConnection()
    pc.createDataChannel("strokes")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, {"type": "offer", "sdp": pc.localDescription.sdp}


async def test_strangers_wrong_credentials_do_not_lock_out_the_real_tablet(client, clock: FakeClock) -> None:
    code = await open_window(client)
    status, paired = await post(client, "/api/tablet/pair", REAL, {"code": code, "name": "by the door"})
    assert status == 200
    statuses = []
    for address in STRANGERS:  # 260 wrong credentials from 26 addresses
        for i in range(10):
            statuses.append((await post(client, "/api/tablet/offer", address, token=f"guess-{i}"))[0])
    assert set(statuses) <= {401, 429} and statuses.count(401) >= 200
    pc, offer = await real_offer()
    try:
        status, answer = await post(client, "/api/tablet/offer", REAL, offer, token=paired["credential"])
        assert status == 200 and answer["type"] == "answer" and "m=application" in answer["sdp"]
    finally:
        await pc.close()
    for address in (STRANGERS[0], STRANGERS[-1]):  # the strangers are still refused
        status, body = await post(client, "/api/tablet/offer", address, token="guess-x")
        assert status == 429 and "too many wrong attempts" in body["error"]
    # A new address gets its one check while the budget is spent, then waits like the others.
    assert (await post(client, "/api/tablet/offer", "10.99.0.1", token="guess-y"))[0] == 401
    assert (await post(client, "/api/tablet/offer", "10.99.0.1", token="guess-z"))[0] == 429
    clock.now += 60
    assert (await post(client, "/api/tablet/offer", STRANGERS[0], token="guess-x"))[0] == 401


async def test_strangers_wrong_admin_tokens_do_not_lock_out_the_admin(client) -> None:
    statuses = []
    for address in STRANGERS:
        for i in range(10):
            statuses.append((await post(client, "/api/admin/pairing", address, token=f"guess-{i}"))[0])
    assert set(statuses) <= {401, 429} and statuses.count(401) >= 200
    status, window = await post(client, "/api/admin/pairing", REAL, token=client.app[ADMIN].token)
    assert status == 200 and len(window["code"]) == 6
    status, _ = await post(client, "/api/admin/pairing", STRANGERS[3], token="guess-x")
    assert status == 429


async def test_strangers_wrong_passphrases_do_not_lock_out_the_presenter(client, clock: FakeClock) -> None:
    wrong = {"passphrase": "not the passphrase", "name": "Mallory"}
    statuses = []
    for address in STRANGERS[:5]:  # 5 addresses x 5: more than the 20 a minute overall
        for _ in range(5):
            statuses.append((await post(client, "/api/presenter/login", address, wrong))[0])
    # The fifth address found the budget spent: one check (its record was clean), then it waits.
    assert statuses == [401] * 21 + [429] * 4
    status, body = await post(client, "/api/presenter/login", REAL, {"passphrase": PASSPHRASE, "name": "Ada"})
    assert status == 200 and body == {"name": "Ada"}
    status, _ = await post(client, "/api/presenter/login", STRANGERS[0], wrong | {"passphrase": PASSPHRASE})
    assert status == 429  # at its own limit: not even the right passphrase is checked
    clock.now += 60
    assert (await post(client, "/api/presenter/login", STRANGERS[0], wrong))[0] == 401


async def test_a_new_pairing_window_lets_the_real_tablet_pair_after_strangers_spent_the_budget(
    client,
) -> None:
    code = await open_window(client)
    for address in STRANGERS[:4]:  # 4 x 5 wrong codes: the 20 a minute that bound guessing
        for _ in range(5):
            assert (await post(client, "/api/tablet/pair", address, {"code": "000000"}))[0] == 403
    # In this window nobody is checked any more: that is what keeps 6 digits safe ...
    status, refused = await post(client, "/api/tablet/pair", REAL, {"code": code})
    assert status == 429
    # ... until staff open a new one: a new code with a fresh budget.
    code = await open_window(client)
    status, body = await post(client, "/api/tablet/pair", REAL, {"code": code, "name": "by the door"})
    assert status == 200 and body["name"] == "by the door"
    assert "staff can open a new pairing window" in refused["error"]  # the tablet's page says so
    assert (await post(client, "/api/tablet/pair", STRANGERS[0], {"code": "000000"}))[0] == 429
