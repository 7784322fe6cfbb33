"""The screen's HTTP side: its event stream, connection sets, admin commands and page files."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import segno
from support import REPO
from yarl import URL

from kiosk.address import exhibit_url
from kiosk.app import create_app
from kiosk.config import Config, DisplayConfig, ModelConfig, TabletConfig
from kiosk.display.connections import ConnectionSets
from kiosk.display.player import SPEEDS
from kiosk.display.screen import EVENT_ORDER, SCENES, ExhibitScreen
from kiosk.exhibit import SCREEN_TICK_S
from kiosk.keys import ADMIN, SCREEN
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from tools.sse_client import Message, SseReader

DISPLAY = REPO / "display"
PER_NEURON = 24


async def open_stream(client) -> tuple[SseReader, list[Message]]:
    """The stream and its opening: the state snapshot, one event per kind."""
    response = await client.get("/api/display/events")
    assert response.status == 200
    reader = SseReader(response)
    assert (await reader.next()).retry == 2000
    initial = [await reader.next_event() for _ in EVENT_ORDER]
    return reader, initial


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def config(export_dir: Path, tmp_path: Path) -> Config:
    # 60 s a snapshot: the timeline stays put while a test looks at it.
    return Config(
        model=ModelConfig(export=export_dir),
        tablet=TabletConfig(state_dir=tmp_path / "state"),
        display=DisplayConfig(seconds_per_snapshot=60, connections_per_neuron=PER_NEURON),
    )


@pytest.fixture
def timeline(export_dir: Path) -> Timeline:
    return load_timeline(export_dir)


@pytest.fixture
async def client(aiohttp_client, config: Config, timeline: Timeline):
    return await aiohttp_client(create_app(config, Engine(timeline)))


def admin(client) -> dict:
    return {"Authorization": f"Bearer {client.app[ADMIN].token}"}


async def command(client, path: str, body: object, headers: dict | None = None) -> tuple[int, dict]:
    response = await client.post(path, json=body, headers=admin(client) if headers is None else headers)
    return response.status, await response.json()


async def rejected_counts(client) -> dict:
    response = await client.get("/healthz")
    return (await response.json())["rejected"]


# --- the event stream ---------------------------------------------------------------------------


async def test_the_event_stream_starts_with_the_whole_state(client, timeline: Timeline) -> None:
    response = await client.get("/api/display/events")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    reader = SseReader(response)
    assert (await reader.next()).retry == 2000
    initial = [await reader.next_event() for _ in EVENT_ORDER]
    assert [m.event for m in initial] == list(EVENT_ORDER)
    expected = {event.kind: json.loads(event.data) for event in client.app[SCREEN].initial_events()}
    assert {m.event: m.json for m in initial} == expected
    state = {m.event: m.json for m in initial}
    assert state["network"]["architecture"] == timeline.architecture
    assert state["network"]["live_snapshot"] == timeline.final_id  # model.snapshot: final
    assert state["network"]["per_neuron"] == PER_NEURON
    assert [s["id"] for s in state["network"]["snapshots"]] == [s.id for s in timeline.snapshots]
    assert state["scene"] == {"scene": "timeline"}
    assert state["timeline"]["index"] == 0 and state["timeline"]["playing"] is True
    assert state["timeline"]["count"] == len(timeline.snapshots)
    assert state["pairing"] == {"open": False, "paired": False}
    assert state["neuron"] == {"index": None}
    response.close()


async def test_two_screens_get_the_same_state(client) -> None:
    first, initial_a = await open_stream(client)
    second, initial_b = await open_stream(client)
    assert [(m.event, m.data) for m in initial_a] == [(m.event, m.data) for m in initial_b]
    await command(client, "/api/admin/timeline", {"action": "seek", "snapshot": 1})
    assert (await first.until("timeline"))["index"] == 1
    assert (await second.until("timeline"))["index"] == 1


async def test_the_running_app_plays_the_timeline_and_ticks_the_screen(
    aiohttp_client, config: Config, timeline: Timeline, monkeypatch, caplog
) -> None:
    """The screen has no loop of its own: the app plays its timeline and calls its ``tick`` every
    SCREEN_TICK_S (real time, here only); a tick that fails is logged and the next one still comes."""
    fast = config.model_copy(update={"display": DisplayConfig(seconds_per_snapshot=0.1)})
    ticks: list[float] = []

    def tick(screen: ExhibitScreen) -> None:
        ticks.append(time.monotonic())
        if len(ticks) == 1:
            raise RuntimeError("a bug in the screen")

    monkeypatch.setattr(ExhibitScreen, "tick", tick)  # before the app is built: its loop calls this
    client = await aiohttp_client(create_app(fast, Engine(timeline)))
    reader, _ = await open_stream(client)
    moved = await reader.until("timeline", lambda data: data["index"] == 1)
    assert moved["snapshot"] == timeline.snapshots[1].id
    deadline = time.monotonic() + 5
    while len(ticks) < 3:
        assert time.monotonic() < deadline, "the screen was not ticked"
        await asyncio.sleep(0.05)
    assert ticks[2] - ticks[1] == pytest.approx(SCREEN_TICK_S, abs=0.2)
    assert "screen tick failed" in caplog.text and "a bug in the screen" in caplog.text


# --- connection sets ----------------------------------------------------------------------------


async def test_connection_sets_match_the_computed_ones(client, timeline: Timeline) -> None:
    reference = ConnectionSets(timeline, PER_NEURON)
    for snapshot in {timeline.snapshots[0].id, timeline.snapshots[len(timeline.snapshots) // 2].id}:
        response = await client.get(f"/api/display/connections/{snapshot}")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.headers["Cache-Control"] == "no-cache"
        body = await response.json()
        assert body == reference.for_snapshot(snapshot)
        assert [layer["per_neuron"] for layer in body["layers"]] == [
            min(PER_NEURON, n_in) for n_in in timeline.architecture[:-1]
        ]


@pytest.mark.parametrize("snapshot", ["nope", "s999999", "final", "snapshots%2Fs000.f16", "x" * 300])
async def test_an_unknown_snapshot_is_a_404_with_a_json_error(client, snapshot: str) -> None:
    response = await client.get(f"/api/display/connections/{snapshot}")
    assert response.status == 404
    body = await response.json()
    assert set(body) == {"error"} and "no snapshot" in body["error"] and len(body["error"]) < 200
    assert (await rejected_counts(client))["unknown_snapshot"] == 1


# --- commands: the admin token ------------------------------------------------------------------

COMMANDS = [
    ("/api/admin/timeline", {"action": "pause"}),
    ("/api/admin/scene", {"scene": "live"}),
    ("/api/admin/neuron", {"index": 1}),
    ("/api/admin/pairing", {}),
]


@pytest.mark.parametrize(("path", "body"), COMMANDS)
async def test_commands_need_the_admin_token(client, path: str, body: dict) -> None:
    screen = client.app[SCREEN]
    before = (screen.scene, screen.player.state(), len(screen.initial_events()))
    token = client.app[ADMIN].token
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {token}"},
        {"Authorization": f"Bearer {token}x"},
        {"Authorization": "Bearer"},
    ):
        status, answer = await command(client, path, body, headers)
        assert status == 401 and answer == {"error": "a valid admin token is needed"}
    assert (screen.scene, screen.player.state(), len(screen.initial_events())) == before
    assert (await rejected_counts(client))["unauthorized"] == 5
    # The real token (the check is on the scheme's value, case-insensitive scheme).
    status, _ = await command(client, path, body, {"Authorization": f"bearer {token}"})
    assert status == 200


async def test_wrong_tokens_are_throttled(client) -> None:
    statuses = []
    for _ in range(12):
        response = await client.post(
            "/api/admin/timeline", json={"action": "pause"}, headers={"Authorization": "Bearer guess"}
        )
        statuses.append(response.status)
    assert statuses == [401] * 10 + [429] * 2
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "too many wrong attempts" in (await response.json())["error"]
    # While throttled, this address gets nowhere, not even with the right token.
    status, _ = await command(client, "/api/admin/timeline", {"action": "pause"})
    assert status == 429
    assert client.app[SCREEN].player.playing
    counts = await rejected_counts(client)
    assert (counts["unauthorized"], counts["throttled"]) == (10, 3)


# --- commands: bad values -----------------------------------------------------------------------

ACTION = '"action" must be one of play, pause, seek, speed'
SPEED = f'"speed" must be a number from {SPEEDS[0]} to {SPEEDS[1]}'
SCENE = f'"scene" must be one of {", ".join(SCENES)}'


def seek_message(t: Timeline) -> str:
    return f'"snapshot" must be a snapshot id or a position 0 to {len(t.snapshots) - 1}'


def neuron_message(t: Timeline) -> str:
    return f'"index" must be a first-layer neuron, 0 to {t.architecture[1] - 1}, or null'


# (path, body for this timeline, status, message for this timeline)
BAD = {
    "no action": ("/api/admin/timeline", lambda t: {}, 400, lambda t: ACTION),
    "unknown action": ("/api/admin/timeline", lambda t: {"action": "rewind"}, 400, lambda t: ACTION),
    "action not text": ("/api/admin/timeline", lambda t: {"action": ["play"]}, 400, lambda t: ACTION),
    "no speed": ("/api/admin/timeline", lambda t: {"action": "speed"}, 400, lambda t: SPEED),
    "speed too low": (
        "/api/admin/timeline",
        lambda t: {"action": "speed", "speed": 0.2},
        400,
        lambda t: SPEED,
    ),
    "speed too high": (
        "/api/admin/timeline",
        lambda t: {"action": "speed", "speed": 8.5},
        400,
        lambda t: SPEED,
    ),
    "speed zero": ("/api/admin/timeline", lambda t: {"action": "speed", "speed": 0}, 400, lambda t: SPEED),
    "speed bool": ("/api/admin/timeline", lambda t: {"action": "speed", "speed": True}, 400, lambda t: SPEED),
    "speed text": ("/api/admin/timeline", lambda t: {"action": "speed", "speed": "2"}, 400, lambda t: SPEED),
    "speed null": ("/api/admin/timeline", lambda t: {"action": "speed", "speed": None}, 400, lambda t: SPEED),
    "no snapshot": ("/api/admin/timeline", lambda t: {"action": "seek"}, 400, seek_message),
    "seek negative": ("/api/admin/timeline", lambda t: {"action": "seek", "snapshot": -1}, 400, seek_message),
    "seek past the end": (
        "/api/admin/timeline",
        lambda t: {"action": "seek", "snapshot": len(t.snapshots)},
        400,
        seek_message,
    ),
    "seek float": ("/api/admin/timeline", lambda t: {"action": "seek", "snapshot": 1.0}, 400, seek_message),
    "seek bool": ("/api/admin/timeline", lambda t: {"action": "seek", "snapshot": True}, 400, seek_message),
    "seek unknown id": (
        "/api/admin/timeline",
        lambda t: {"action": "seek", "snapshot": "no-such-snapshot"},
        404,
        seek_message,
    ),
    "seek empty id": ("/api/admin/timeline", lambda t: {"action": "seek", "snapshot": ""}, 404, seek_message),
    "no scene": ("/api/admin/scene", lambda t: {}, 400, lambda t: SCENE),
    "unknown scene": ("/api/admin/scene", lambda t: {"scene": "attract"}, 400, lambda t: SCENE),
    "scene not text": ("/api/admin/scene", lambda t: {"scene": 1}, 400, lambda t: SCENE),
    "neuron negative": ("/api/admin/neuron", lambda t: {"index": -1}, 400, neuron_message),
    "neuron past the layer": (
        "/api/admin/neuron",
        lambda t: {"index": t.architecture[1]},
        400,
        neuron_message,
    ),
    "neuron bool": ("/api/admin/neuron", lambda t: {"index": True}, 400, neuron_message),
    "neuron float": ("/api/admin/neuron", lambda t: {"index": 1.0}, 400, neuron_message),
    "neuron text": ("/api/admin/neuron", lambda t: {"index": "3"}, 400, neuron_message),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_bad_values_get_a_clear_message_and_change_nothing(
    client, timeline: Timeline, case: str
) -> None:
    path, body, status, message = BAD[case]
    screen = client.app[SCREEN]
    before = [(e.kind, e.data) for e in screen.initial_events()]
    got, answer = await command(client, path, body(timeline))
    assert (got, answer) == (status, {"error": message(timeline)})
    assert [(e.kind, e.data) for e in screen.initial_events()] == before


@pytest.mark.parametrize("path", ["/api/admin/timeline", "/api/admin/scene", "/api/admin/neuron"])
@pytest.mark.parametrize(
    ("data", "fragment"), [("{", "not valid JSON"), ("[1]", "must be a JSON object"), ("null", "JSON object")]
)
async def test_a_body_that_is_no_json_object_is_refused(client, path: str, data: str, fragment: str) -> None:
    headers = admin(client) | {"Content-Type": "application/json"}
    response = await client.post(path, data=data, headers=headers)
    assert response.status == 400 and fragment in (await response.json())["error"]


# --- commands: what they do ---------------------------------------------------------------------


async def test_timeline_commands_change_what_the_stream_reports(client, timeline: Timeline) -> None:
    reader, _ = await open_stream(client)
    status, answer = await command(client, "/api/admin/timeline", {"action": "pause"})
    assert status == 200 and answer["playing"] is False
    assert (await reader.until("timeline"))["playing"] is False

    last = len(timeline.snapshots) - 1
    status, answer = await command(client, "/api/admin/timeline", {"action": "seek", "snapshot": last})
    assert status == 200 and answer == {"index": last, "count": last + 1, "playing": False, "speed": 1.0}
    event = await reader.until("timeline")
    assert event["index"] == last and event["snapshot"] == timeline.snapshots[last].id
    assert event["test_accuracy"] == timeline.snapshots[last].test_accuracy
    activation = await reader.until("activation")
    assert activation["snapshot"] == timeline.snapshots[last].id  # the digit, now seen by that snapshot

    middle = timeline.snapshots[last // 2]
    status, answer = await command(client, "/api/admin/timeline", {"action": "seek", "snapshot": middle.id})
    assert status == 200 and answer["index"] == last // 2
    assert (await reader.until("timeline"))["snapshot"] == middle.id

    status, answer = await command(client, "/api/admin/timeline", {"action": "speed", "speed": 2.5})
    assert status == 200 and answer["speed"] == 2.5
    assert (await reader.until("timeline"))["speed"] == 2.5

    status, answer = await command(client, "/api/admin/timeline", {"action": "play"})
    assert status == 200 and answer["playing"] is True
    assert (await reader.until("timeline"))["playing"] is True
    assert client.app[SCREEN].player.state() == answer


async def test_scene_and_neuron_commands_reach_the_stream(client, timeline: Timeline) -> None:
    reader, _ = await open_stream(client)
    status, answer = await command(client, "/api/admin/scene", {"scene": "timeline"})
    assert (status, answer) == (200, {"scene": "timeline"})
    assert await reader.until("scene") == {"scene": "timeline"}

    index = timeline.architecture[1] - 1
    status, answer = await command(client, "/api/admin/neuron", {"index": index})
    assert (status, answer) == (200, {"index": index})
    neuron = await reader.until("neuron")
    row = timeline.layers(timeline.snapshots[0].id)[0][0][index]
    assert neuron["index"] == index and neuron["snapshot"] == timeline.snapshots[0].id
    assert len(neuron["weights"]) == 784 and max(map(abs, neuron["weights"])) == 1.0
    strongest = int(abs(row).argmax())
    assert neuron["weights"][strongest] == (1.0 if row[strongest] > 0 else -1.0)

    status, answer = await command(client, "/api/admin/neuron", {"index": None})
    assert (status, answer) == (200, {"index": None})
    assert await reader.until("neuron") == {"index": None}


# --- pairing on the screen ----------------------------------------------------------------------


async def test_a_pairing_window_is_shown_until_a_tablet_pairs(client, config: Config) -> None:
    reader, _ = await open_stream(client)
    status, body = await command(client, "/api/admin/pairing", {})
    assert status == 200
    code = body["code"]
    assert code.isdigit() and len(code) == 6 and body["display"] == f"{code[:3]} {code[3:]}"
    assert body["expires_in_s"] == config.tablet.pairing_minutes * 60
    assert body["url"] == f"{exhibit_url(config)}/tablet#code={code}"
    assert body["url"].endswith(f"/tablet#code={code}")

    shown = await reader.until("pairing")
    assert shown["open"] is True and shown["code"] == body["display"]
    assert shown["url"] == body["url"].split("#")[0]
    assert shown["qr"].startswith("data:image/svg+xml")
    assert body["expires_in_s"] - 1 <= shown["expires_in_s"] <= body["expires_in_s"]
    # A screen that connects now sees the window too.
    _, initial = await open_stream(client)
    assert {m.event: m.json for m in initial}["pairing"]["code"] == body["display"]

    response = await client.post("/api/tablet/pair", json={"code": code, "name": "by the door"})
    assert response.status == 200
    # (The second screen's connecting re-sent the open window to every screen: skip that one.)
    assert await reader.until("pairing", lambda data: not data["open"]) == {"open": False, "paired": True}


def qr_of(text: str) -> str:
    """The data URI the screen would show for a QR code holding ``text``."""
    return segno.make(text, error="m").svg_data_uri(scale=10, border=2, dark="#000", light="#fff")


async def test_the_qr_code_on_screen_holds_the_tablet_address(client) -> None:
    reader, _ = await open_stream(client)
    _, body = await command(client, "/api/admin/pairing", {})
    shown = await reader.until("pairing")
    assert shown["qr"] in (qr_of(body["url"]), qr_of(body["url"].split("#")[0]))


async def test_the_qr_code_on_screen_carries_the_pairing_code(client) -> None:
    reader, _ = await open_stream(client)
    _, body = await command(client, "/api/admin/pairing", {})
    shown = await reader.until("pairing")
    assert shown["qr"] == qr_of(body["url"])  # …/tablet#code=123456: a scan pairs without typing


async def test_a_new_window_replaces_the_code_on_screen(client) -> None:
    reader, _ = await open_stream(client)
    _, first = await command(client, "/api/admin/pairing", {})
    assert (await reader.until("pairing"))["code"] == first["display"]
    _, second = await command(client, "/api/admin/pairing", {})
    if second["code"] != first["code"]:  # one in a million they are equal
        assert (await reader.until("pairing"))["code"] == second["display"]
    stale = await client.post("/api/tablet/pair", json={"code": first["code"], "name": "x"})
    assert stale.status == 403 or first["code"] == second["code"]


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/display", "/display/"])
async def test_the_page_is_served_uncached(client, path: str) -> None:
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Cache-Control"] == "no-cache"
    assert await response.read() == (DISPLAY / "index.html").read_bytes()


@pytest.mark.parametrize(
    ("path", "file", "content_type"),
    [
        ("/display/js/main.js", "js/main.js", ("text/javascript", "application/javascript")),
        ("/display/css/display.css", "css/display.css", ("text/css",)),
        ("/display/i18n/en.json", "i18n/en.json", ("application/json",)),
        (
            "/display/vendor/three/three.module.js",
            "node_modules/three/build/three.module.js",
            ("text/javascript", "application/javascript"),
        ),
    ],
)
async def test_the_pages_files_are_served(
    client, path: str, file: str, content_type: tuple[str, ...]
) -> None:
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"].split(";")[0] in content_type
    assert await response.read() == (DISPLAY / file).read_bytes()


async def test_the_font_is_served_from_node_modules(client) -> None:
    fonts = sorted((DISPLAY / "node_modules/@fontsource/atkinson-hyperlegible/files").glob("*.woff2"))
    if not fonts:
        pytest.skip("the font package is not installed")
    response = await client.get(f"/display/vendor/fonts/{fonts[0].name}")
    assert response.status == 200 and await response.read() == fonts[0].read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/display/node_modules/three/package.json",
        "/display/package.json",
        "/display/package-lock.json",
        "/display/README.md",
        "/display/vendor/three/../package.json",
        "/display/vendor/three/..%2f..%2fpackage.json",
        "/display/vendor/three/%2e%2e/package.json",
        "/display/vendor/three/",
        "/display/js/",
        "/display/../kiosk/app.py",
        "/display/js/../../kiosk/app.py",
        "/display/js/%2e%2e/%2e%2e/kiosk/app.py",
        "/display/js/..%2f..%2fkiosk%2fapp.py",
        "/display/css/..%5c..%5ckiosk%5capp.py",
    ],
)
async def test_nothing_outside_the_served_folders_is_served(client, path: str) -> None:
    # encoded=True: the path reaches the server as written, "..", "%2e" and all.
    url = URL(str(client.make_url("/")).rstrip("/") + path, encoded=True)
    async with client.session.get(url) as response:
        body = await response.read()
    assert response.status in (403, 404), (path, response.status)
    for secret in (
        REPO / "kiosk/app.py",
        DISPLAY / "package.json",
        DISPLAY / "node_modules/three/package.json",
    ):
        assert secret.read_bytes()[:200] not in body


def test_the_checks_above_would_see_a_leak() -> None:
    # The files the path-traversal test guards exist, so a leak would show in the body.
    for secret in (
        REPO / "kiosk/app.py",
        DISPLAY / "package.json",
        DISPLAY / "node_modules/three/package.json",
    ):
        assert secret.is_file() and len(secret.read_bytes()) > 50
