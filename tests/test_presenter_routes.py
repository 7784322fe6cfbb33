"""The presenter's HTTP side against the real app: log-in, Origin checks, holding, commands, events."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from support.clock import FakeClock

from kiosk.app import create_app
from kiosk.config import AttractConfig, Config, DisplayConfig, ModelConfig, PresenterConfig, TabletConfig
from kiosk.display.screen import EVENT_ORDER
from kiosk.keys import ADMIN, DIRECTOR, PRESENTER, SCREEN, TABLETS
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from kiosk.presenter.login import COOKIE
from kiosk.presenter.passphrase import hash_passphrase
from kiosk.presenter.status import status
from kiosk.tablet.virtual import VirtualTablet, VirtualTabletError
from tools.sse_client import SseReader

PASSPHRASE = "a guide's passphrase"
HASH = hash_passphrase(PASSPHRASE, n=2**10)  # cheap for tests; the format carries its cost

# Every route that needs a presenter session or the admin token, with a harmless body.
PROTECTED = [
    ("GET", "/api/presenter/session", None),
    ("POST", "/api/presenter/take", {}),
    ("POST", "/api/presenter/release", {}),
    ("GET", "/api/presenter/events", None),
    ("POST", "/api/presenter/drawing", {}),
    ("POST", "/api/admin/scene", {"scene": "live"}),
    ("POST", "/api/admin/timeline", {"action": "pause"}),
    ("POST", "/api/admin/neuron", {"index": 1}),
    ("POST", "/api/admin/caption", {"text": "hello"}),
    ("POST", "/api/admin/sample", {"index": 0}),
    ("GET", "/api/admin/samples", None),
    ("POST", "/api/train", {"action": "pause"}),
    ("POST", "/api/admin/pairing", {}),
    ("GET", "/api/admin/tablets", None),
    ("POST", "/api/admin/tablets/revoke", {"device": "abc"}),
    ("POST", "/api/admin/lesson", {"meant": 3}),
    ("POST", "/api/admin/lesson/forget", {}),
]


def make_config(export: Path, state: Path, **presenter) -> Config:
    return Config(
        model=ModelConfig(export=export),
        tablet=TabletConfig(state_dir=state),
        display=DisplayConfig(seconds_per_snapshot=60),
        # Timeline only: a presenter giving the exhibit back must not start a training process.
        attract=AttractConfig(playlist=[{"scene": "timeline", "seconds": 600}]),
        presenter=PresenterConfig(**({"passphrase_hash": HASH} | presenter)),
    )


@pytest.fixture
def timeline(export_dir: Path) -> Timeline:
    return load_timeline(export_dir)


@pytest.fixture
async def server(aiohttp_server, export_dir: Path, tmp_path: Path, timeline: Timeline):
    return await aiohttp_server(create_app(make_config(export_dir, tmp_path / "state"), Engine(timeline)))


@pytest.fixture
async def client(aiohttp_client, server):
    return await aiohttp_client(server)


async def app_client(aiohttp_client, config: Config, timeline: Timeline):
    return await aiohttp_client(create_app(config, Engine(timeline)))


def page(client) -> dict:
    """The headers a browser adds to a POST from the presenter page served by this exhibit."""
    return {"Origin": str(client.make_url("/").origin())}


def admin(client) -> dict:
    return {"Authorization": f"Bearer {client.app[ADMIN].token}"}


async def login(client, name: str = "Ada", passphrase: str = PASSPHRASE, headers: dict | None = None):
    body = {"passphrase": passphrase, "name": name}
    return await client.post(
        "/api/presenter/login", json=body, headers=page(client) if headers is None else headers
    )


async def logged_in(client, name: str = "Ada") -> str:
    """Log in; returns the session token (the client's cookie jar keeps it too)."""
    response = await login(client, name)
    assert response.status == 200, await response.text()
    return response.cookies[COOKIE].value


async def post(client, path: str, body: object = None, headers: dict | None = None) -> tuple[int, dict]:
    response = await client.post(
        path, json={} if body is None else body, headers=page(client) | (headers or {})
    )
    return response.status, await response.json()


async def rejected(client) -> dict:
    return (await (await client.get("/healthz")).json())["rejected"]


def caption_shown(client) -> str | None:
    event = next(e for e in client.app[SCREEN].initial_events() if e.kind == "caption")
    return json.loads(event.data)["text"]


# --- who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
async def test_every_protected_route_needs_a_session_or_the_admin_token(client, method, path, body) -> None:
    scene = client.app[SCREEN].scene
    for cookies in ({}, {COOKIE: "a-made-up-or-expired-session"}):
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies(cookies)
        response = await client.request(method, path, json=body, headers=page(client))
        assert response.status == 401, (cookies, await response.text())
        assert "error" in await response.json()
    assert client.app[SCREEN].scene == scene and client.app[DIRECTOR].holder is None
    assert caption_shown(client) is None


async def test_a_good_log_in_sets_a_strict_http_only_cookie(client) -> None:
    response = await login(client, "  Ada   Lovelace ")
    assert response.status == 200 and await response.json() == {"name": "Ada Lovelace"}
    cookie = SimpleCookie(response.headers["Set-Cookie"])[COOKIE]
    assert len(cookie.value) >= 43
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http: a Secure cookie would never come back
    assert not cookie["max-age"] and not cookie["expires"]  # the server decides when it ends
    session = await client.get("/api/presenter/session")
    assert session.status == 200 and await session.json() == {"name": "Ada Lovelace"}


@pytest.mark.parametrize(("behind_proxy", "secure"), [(True, True), (False, False)])
async def test_the_cookie_is_secure_behind_a_trusted_https_proxy(
    aiohttp_client, export_dir, tmp_path, timeline, behind_proxy: bool, secure: bool
) -> None:
    config = make_config(export_dir, tmp_path / "state", behind_https_proxy=behind_proxy)
    client = await app_client(aiohttp_client, config, timeline)
    response = await login(client, headers=page(client) | {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert bool(SimpleCookie(response.headers["Set-Cookie"])[COOKIE]["secure"]) is secure


async def test_wrong_passphrases_get_401_then_429_with_retry_after(client) -> None:
    statuses = []
    for _ in range(6):
        response = await login(client, passphrase="not the passphrase")
        statuses.append(response.status)
    assert statuses == [401] * 5 + [429]
    assert 0 < int(response.headers["Retry-After"]) <= 60 and COOKIE not in response.cookies
    assert (await login(client)).status == 429  # throttled: even the right one must wait
    counts = await rejected(client)
    assert (counts["unauthorized"], counts["throttled"]) == (5, 2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "Ada"}, '"passphrase" must be text'),
        ({"passphrase": PASSPHRASE}, '"name" must be text'),
        ({"passphrase": PASSPHRASE, "name": "   "}, "1 to 40 characters"),
        ({"passphrase": PASSPHRASE, "name": "x" * 41}, "1 to 40 characters"),
        ({"passphrase": PASSPHRASE, "name": "Ada\x1b[31m"}, "control characters"),
        ({"passphrase": 1234567890, "name": "Ada"}, '"passphrase" must be text'),
    ],
)
async def test_a_bad_log_in_gets_a_400_naming_the_field(client, body: dict, message: str) -> None:
    status, answer = await post(client, "/api/presenter/login", body)
    assert status == 400 and message in answer["error"]


async def test_without_a_passphrase_hash_log_in_is_off(
    aiohttp_client, export_dir, tmp_path, timeline
) -> None:
    client = await app_client(
        aiohttp_client, make_config(export_dir, tmp_path / "s", passphrase_hash=""), timeline
    )
    response = await login(client)
    assert response.status == 503 and "presenter.passphrase_hash" in (await response.json())["error"]


async def test_a_log_in_from_another_sites_page_is_refused(client) -> None:
    response = await login(client, headers={"Origin": "http://evil.example"})
    assert response.status == 403 and COOKIE not in response.cookies


# --- cross-site requests ------------------------------------------------------------------------


async def test_posts_without_our_origin_are_refused(client) -> None:
    await logged_in(client)
    for headers in ({}, {"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"}):
        response = await client.post("/api/admin/caption", json={"text": "pwned"}, headers=headers)
        assert response.status == 403, headers
        assert "refused" in (await response.json())["error"]
    assert caption_shown(client) is None and client.app[DIRECTOR].holder is None
    assert (await rejected(client))["forbidden"] == 3
    referer = {"Referer": f"{page(client)['Origin']}/presenter"}
    response = await client.post("/api/admin/caption", json={"text": "hello"}, headers=referer)
    assert response.status == 200 and caption_shown(client) == "hello"


async def test_allowed_origins_let_a_proxied_page_in(aiohttp_client, export_dir, tmp_path, timeline) -> None:
    config = make_config(export_dir, tmp_path / "state", allowed_origins=["https://exhibit.example"])
    client = await app_client(aiohttp_client, config, timeline)
    await logged_in(client)
    response = await client.post(
        "/api/admin/caption", json={"text": "hi"}, headers={"Origin": "https://exhibit.example"}
    )
    assert response.status == 200 and caption_shown(client) == "hi"


# --- holding the exhibit ------------------------------------------------------------------------


async def test_one_presenter_holds_the_exhibit_and_another_must_take_over(aiohttp_client, server) -> None:
    alice, bob = await aiohttp_client(server), await aiohttp_client(server)
    await logged_in(alice, "Alice")
    await logged_in(bob, "Bob")
    director, screen = server.app[DIRECTOR], server.app[SCREEN]
    assert await post(alice, "/api/admin/scene", {"scene": "live"}) == (200, {"scene": "live"})
    assert director.holder == "Alice" and director.status()["state"] == "presenter"
    status, answer = await post(bob, "/api/admin/scene", {"scene": "timeline"})
    assert (status, answer["holder"]) == (409, "Alice") and "take over first" in answer["error"]
    assert screen.scene == "live"
    assert (await post(bob, "/api/train", {"action": "pause"}))[0] == 409
    assert (await post(bob, "/api/presenter/release"))[0] == 409  # only the holder releases
    assert (await rejected(bob))["conflict"] == 3
    assert await post(bob, "/api/presenter/take") == (200, {"holder": "Bob"})
    assert (await post(bob, "/api/admin/scene", {"scene": "timeline"}))[0] == 200
    assert screen.scene == "timeline"
    assert (await post(alice, "/api/admin/caption", {"text": "mine"}))[1]["holder"] == "Bob"
    assert await post(bob, "/api/presenter/release") == (200, {"holder": None})
    assert director.holder is None and director.status()["state"] != "presenter"


async def test_a_presenter_cannot_choose_the_closed_scene(client) -> None:
    await logged_in(client)
    status, answer = await post(client, "/api/admin/scene", {"scene": "closed"})
    assert status == 400 and "closed" not in answer["error"] and "call_to_action" in answer["error"]


async def test_the_admin_token_neither_takes_nor_needs_the_hold(client) -> None:
    await logged_in(client, "Alice")
    await post(client, "/api/presenter/take")
    response = await client.post("/api/admin/scene", json={"scene": "samples"}, headers=admin(client))
    assert response.status == 200 and client.app[SCREEN].scene == "samples"
    response = await client.post("/api/admin/timeline", json={"action": "pause"}, headers=admin(client))
    assert response.status == 200 and client.app[DIRECTOR].holder == "Alice"
    response = await client.post("/api/presenter/release", json={}, headers=admin(client))
    assert response.status == 200 and client.app[DIRECTOR].holder is None


async def test_the_admin_token_cannot_hold_the_exhibit(client) -> None:
    response = await client.post("/api/presenter/take", json={}, headers=admin(client))
    assert response.status == 401 and client.app[DIRECTOR].holder is None


# --- the session's life -------------------------------------------------------------------------


async def test_logging_out_ends_the_session_and_gives_the_exhibit_back(client) -> None:
    token = await logged_in(client)
    await post(client, "/api/presenter/take")
    response = await client.post("/api/presenter/logout", json={}, headers=page(client))
    assert response.status == 200 and await response.json() == {}
    assert response.cookies[COOKIE].value == "" and response.cookies[COOKIE]["max-age"] == "0"
    assert client.app[DIRECTOR].holder is None
    stale = {COOKIE: token}
    assert (await client.get("/api/presenter/session", cookies=stale)).status == 401
    response = await client.post(
        "/api/admin/scene", json={"scene": "live"}, headers=page(client), cookies=stale
    )
    assert response.status == 401


async def test_a_session_expires_after_its_idle_hours(client, clock: FakeClock) -> None:
    client.app[PRESENTER].sessions.clock = clock
    await logged_in(client)
    credential = (await post(client, "/api/presenter/drawing"))[1]["credential"]
    devices = client.app[TABLETS].devices
    assert [d.name for d in devices.list()] == ["presenter: Ada"]
    clock.now += 7.5 * 3600
    assert (await client.get("/api/presenter/session")).status == 200  # used: 8 more hours
    clock.now += 8 * 3600
    response = await client.get("/api/presenter/session")
    assert response.status == 401 and "log in" in (await response.json())["error"]
    assert devices.list() == [] and devices.verify(credential, 1e9) is None  # its drawing seat went too


# --- commands -----------------------------------------------------------------------------------


async def test_captions_are_shown_cleared_and_checked(client) -> None:
    await logged_in(client)
    assert await post(client, "/api/admin/caption", {"text": " Layer two "}) == (200, {"text": "Layer two"})
    assert caption_shown(client) == "Layer two"
    for bad in ("x" * 141, 5, "two\nlines"):
        status, answer = await post(client, "/api/admin/caption", {"text": bad})
        assert status == 400 and '"text"' in answer["error"]
    assert caption_shown(client) == "Layer two"
    assert await post(client, "/api/admin/caption", {"text": None}) == (200, {"text": None})
    assert caption_shown(client) is None


async def test_samples_come_with_their_pixels_and_one_can_be_shown(client, timeline: Timeline) -> None:
    if getattr(timeline, "samples", None) is None:
        pytest.skip("this export ships no test samples")
    await logged_in(client)
    threes = (await (await client.get("/api/admin/samples", params={"digit": "3"})).json())["samples"]
    assert threes and {s["label"] for s in threes} == {3}
    pixels = base64.b64decode(threes[0]["pixels"])
    assert len(pixels) == 784 and max(pixels) > 200
    expected = (timeline.samples.images[threes[0]["index"]] * 255).round().astype("uint8").tobytes()
    assert pixels == expected
    wrong = (await (await client.get("/api/admin/samples?wrong=1")).json())["samples"]
    assert all(s["label"] != s["predicted"] for s in wrong)
    for query in ("digit=10", "digit=x", "wrong=maybe", "colour=red"):
        assert (await client.get(f"/api/admin/samples?{query}")).status == 400, query
    assert await post(client, "/api/admin/sample", {"index": threes[0]["index"]}) == (
        200,
        {"index": threes[0]["index"]},
    )
    assert client.app[SCREEN].scene == "samples" and client.app[SCREEN].digit.label == 3
    for bad in (-1, len(timeline.samples), "3", None):
        assert (await post(client, "/api/admin/sample", {"index": bad}))[0] == 400


async def test_timeline_seeks_by_index_as_the_contract_says(client, timeline: Timeline) -> None:
    await logged_in(client)
    status, state = await post(client, "/api/admin/timeline", {"action": "seek", "index": 2})
    assert status == 200 and state["index"] == 2
    status, answer = await post(client, "/api/admin/timeline", {"action": "seek", "index": 10_000})
    assert status == 400 and answer["error"].startswith('"index" must be')


async def test_tablets_are_listed_and_revoked(client) -> None:
    window = await (await client.post("/api/admin/pairing", headers=admin(client))).json()
    paired = await (
        await client.post("/api/tablet/pair", json={"code": window["code"], "name": "door"})
    ).json()
    await logged_in(client)
    listed = (await (await client.get("/api/admin/tablets")).json())["tablets"]
    assert [(t["device"], t["name"], t["connected"]) for t in listed] == [(paired["device"], "door", False)]
    assert {"paired_at", "last_seen"} <= listed[0].keys() and "T" in listed[0]["paired_at"]
    assert listed[0]["problem"] is None
    # The tablet's page says it cannot connect: staff see why, in the list and the status panel.
    report = await client.post(
        "/api/tablet/problem",
        json={"code": "no_webrtc", "browser": "Kiosk Browser 1.0"},
        headers={"Authorization": f"Bearer {paired['credential']}"},
    )
    assert report.status == 200
    listed = (await (await client.get("/api/admin/tablets")).json())["tablets"]
    assert (
        listed[0]["problem"]["code"] == "no_webrtc" and "Kiosk Browser 1.0" in listed[0]["problem"]["detail"]
    )
    assert status(client.app)["tablets"] == [
        {"device": paired["device"], "name": "door", "connected": False, "problem": listed[0]["problem"]}
    ]
    assert await post(client, "/api/admin/tablets/revoke", {"device": paired["device"]}) == (
        200,
        {"revoked": paired["device"]},
    )
    assert client.app[TABLETS].devices.list() == []
    assert (await post(client, "/api/admin/tablets/revoke", {"device": paired["device"]}))[0] == 404
    assert (await post(client, "/api/admin/tablets/revoke", {"device": 7}))[0] == 400


async def test_a_presenter_may_open_a_pairing_window(client) -> None:
    await logged_in(client)
    status, window = await post(client, "/api/admin/pairing")
    assert status == 200 and len(window["code"]) == 6 and client.app[TABLETS].pairing.current() is not None


# --- remote drawing -----------------------------------------------------------------------------


async def test_the_presenters_pen_never_takes_the_visitors_seat(client, server) -> None:
    base = str(server.make_url("/"))
    window = await (await client.post("/api/admin/pairing", headers=admin(client))).json()
    paired = await (
        await client.post("/api/tablet/pair", json={"code": window["code"], "name": "door"})
    ).json()
    visitor_device, visitor_credential = paired["device"], paired["credential"]
    await logged_in(client)
    credential = (await post(client, "/api/presenter/drawing"))[1]["credential"]
    assert (await post(client, "/api/presenter/drawing"))[1]["credential"] == credential  # one per session
    peers = client.app[TABLETS].peers
    pen, visitor, again, stranger = VirtualTablet(), VirtualTablet(), VirtualTablet(), VirtualTablet()
    try:
        await pen.connect(base, credential)
        await visitor.connect(base, visitor_credential)  # tablet.drawers is 1: the pen took no seat
        await again.connect(base, credential)  # the pen reconnects: the visitor stays
        assert len(peers.peers) == 2  # the pen's old connection was replaced, the visitor's kept
        visitor.send(type="ping", t=7)
        assert (await visitor.next("pong"))["t"] == 7
        status = await (await client.get("/api/admin/tablets")).json()
        assert sorted((t["name"], t["connected"]) for t in status["tablets"]) == [
            ("door", True),
            ("presenter: Ada", True),
        ]
        await client.post("/api/presenter/logout", json={}, headers=page(client))
        assert [d.name for d in client.app[TABLETS].devices.list()] == ["door"]
        with pytest.raises(VirtualTabletError, match="401"):
            await stranger.connect(base, credential)  # revoked with the session
        for _ in range(100):  # the pen's connection is closed as its credential goes
            if len(peers.peers) == 1:
                break
            await asyncio.sleep(0.05)
        assert [p.device for p in peers.peers] == [visitor_device]
        visitor.send(type="ping", t=8)
        assert (await visitor.next("pong"))["t"] == 8
    finally:
        for tablet in (pen, visitor, again, stranger):
            await tablet.close()


# --- live events --------------------------------------------------------------------------------


async def test_the_event_stream_has_the_screens_state_and_a_status(aiohttp_client, server) -> None:
    alice, bob = await aiohttp_client(server), await aiohttp_client(server)
    await logged_in(alice, "Alice")
    response = await alice.get("/api/presenter/events")
    assert response.status == 200 and response.headers["Content-Type"] == "text/event-stream"
    reader = SseReader(response)
    assert (await reader.next()).retry == 2000
    opening = []
    while not opening or opening[-1].event != "status":
        opening.append(await reader.next_event())
    kinds = [m.event for m in opening]
    assert set(EVENT_ORDER) | {"exhibit"} <= set(kinds) and kinds[-1] == "status"
    status = opening[-1].json
    assert status["screens"] == 0 and status["presenters"] == ["Alice"] and status["uptime_s"] >= 0
    screen_stream = await bob.get("/api/display/events")  # an exhibit screen connects
    logging.getLogger("kiosk.test").warning("projector lamp is low")
    await logged_in(bob, "Bob")  # a change: status comes at once
    status = await reader.until("status", lambda s: "Bob" in s["presenters"])
    assert status["screens"] == 1 and status["presenters"] == ["Alice", "Bob"]
    assert status["errors"][-1]["message"] == "kiosk.test: projector lamp is low"
    await post(bob, "/api/admin/caption", {"text": "hello"})  # takes the exhibit, then shows it
    assert (await reader.until("exhibit"))["presenter"] == "Bob"
    assert (await reader.until("caption"))["text"] == "hello"
    await alice.post("/api/presenter/logout", json={}, headers=page(alice))
    with pytest.raises(EOFError):  # the stream ends with the session
        while True:
            await reader.next(timeout=5)
    screen_stream.close()
