"""Fuzzing the JSON bodies of the HTTP endpoints on the real app: never a 500, always a JSON answer.

Every POST endpoint gets hostile bodies (see fuzz_strategies.py), with the credential it needs so
that the body is really read: a 2xx answers with JSON, a 4xx (or 503) with ``{"error": text}``,
and nothing is logged at ERROR. One app per endpoint serves all its examples; the playground's
training process and the lesson process are not started (a run "starts" without one, a lesson
waits for one), and the passphrase and pairing-code
throttles are wide open so that every body reaches the check behind them.
"""

from __future__ import annotations

import json
import logging
import string
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.fuzz_strategies import NUMBERS, SANE_POINT, encoded, objects, points, weighted

from kiosk.app import create_app
from kiosk.config import AttractConfig, Config, ModelConfig, PresenterConfig, TabletConfig
from kiosk.display.screen import SCENES
from kiosk.keys import ADMIN, PRESENTER, TABLETS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.playground.routes import ACTIONS
from kiosk.playground.session import PlaygroundSession
from kiosk.presenter.passphrase import hash_passphrase
from kiosk.tablet.routes import TABLET_PROBLEMS
from kiosk.tablet.throttle import Throttle
from kiosk.teach.teacher import Teacher

# Hypothesis tries hundreds of inputs a test: seconds of CPU each, so not in make test-fast.
pytestmark = pytest.mark.slow

PASSPHRASE = "a guide's passphrase"
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

sane_stroke = st.lists(SANE_POINT, min_size=1, max_size=12)
strokes = st.lists(weighted((3, sane_stroke), (1, points)), max_size=4)
NAMES = st.text(string.ascii_letters + " ", min_size=1, max_size=45) | st.text(max_size=50)
SPEC = {
    "dataset": st.sampled_from(["moons", "spiral", "xor"]),
    "noise": NUMBERS,
    "points": st.integers(0, 3000),
    "hidden": st.lists(st.integers(-1, 20), max_size=8),
    "activation": st.sampled_from(["relu", "tanh"]),
    "learning_rate": NUMBERS,
    "features": st.lists(st.sampled_from(["x", "y", "xy", "nope"]), max_size=4),
}
# A real data-channel offer from aiortc (ICE candidates left out), whole or with lines dropped or cut.
OFFER_LINES = """v=0
o=- 3913374571 3913374571 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0
a=msid-semantic:WMS *
m=application 9 DTLS/SCTP 5000
c=IN IP4 0.0.0.0
a=mid:0
a=sctpmap:5000 webrtc-datachannel 65535
a=max-message-size:65536
a=ice-ufrag:Ab3d
a=ice-pwd:0123456789abcdefghijkl
a=fingerprint:sha-256 {fingerprint}
a=setup:actpass""".format(
    fingerprint=":".join(["6B", "8B", "5D", "EA", "59", "04", "20", "23"] * 4)
).splitlines()
MANGLED_OFFERS = st.one_of(
    st.just("\r\n".join(OFFER_LINES) + "\r\n"),
    st.lists(st.sampled_from(OFFER_LINES), max_size=len(OFFER_LINES)).map("\r\n".join),
    st.integers(0, 700).map(lambda cut: "\r\n".join(OFFER_LINES)[:cut]),
)
# path → (who may call it, the body's fields with strategies that reach past the first check)
ENDPOINTS = {
    "/api/infer": (None, {"strokes": strokes, "snapshot": st.sampled_from(["final", "nope"])}),
    "/api/tablet/pair": (None, {"code": st.text(string.digits, max_size=8), "name": NAMES}),
    "/api/tablet/offer": (
        "tablet",
        {"type": st.just("offer"), "sdp": st.text(max_size=200) | MANGLED_OFFERS},
    ),
    "/api/tablet/problem": ("tablet", {"code": st.sampled_from(list(TABLET_PROBLEMS)), "browser": st.text()}),
    "/api/admin/timeline": (
        "admin",
        {
            "action": st.sampled_from(["play", "pause", "seek", "speed"]),
            "index": NUMBERS,
            "snapshot": st.text(max_size=10) | NUMBERS,
            "speed": NUMBERS,
        },
    ),
    "/api/display/frame_times": (
        None,
        {"screen": st.text(max_size=40), "frames": NUMBERS, "p50_ms": NUMBERS, "p95_ms": NUMBERS},
    ),
    "/api/admin/scene": ("admin", {"scene": st.sampled_from(SCENES)}),
    "/api/admin/neuron": ("admin", {"index": NUMBERS}),
    "/api/admin/caption": ("admin", {"text": st.text(max_size=200)}),
    "/api/admin/sample": ("admin", {"index": NUMBERS}),
    "/api/admin/pairing": ("admin", {}),
    "/api/admin/tablets/revoke": ("admin", {"device": st.text(max_size=20)}),
    "/api/train": (
        "admin",
        {"action": st.sampled_from(ACTIONS), "config": objects(SPEC), "steps": NUMBERS},
    ),
    "/api/admin/lesson": ("admin", {"meant": NUMBERS}),
    "/api/admin/lesson/forget": ("admin", {}),
    "/api/presenter/login": (
        None,
        {
            "passphrase": weighted((2, st.just(PASSPHRASE)), (1, st.text(max_size=40))),
            "name": NAMES,
        },
    ),
}


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
async def client(aiohttp_client, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(PlaygroundSession, "_ensure_worker", lambda self: None)  # no PyTorch process
    monkeypatch.setattr(Teacher, "start", lambda self: None)  # a lesson waits for a process never started
    config = Config(
        model=ModelConfig(),  # the engine is handed in: nothing is loaded from here
        tablet=TabletConfig(state_dir=tmp_path / "state"),
        attract=AttractConfig(playlist=[{"scene": "timeline", "seconds": 600}]),
        presenter=PresenterConfig(passphrase_hash=hash_passphrase(PASSPHRASE, n=2**10)),
    )
    app = create_app(config, engine)
    wide_open = Throttle(time.monotonic, per_key=10**6, global_=10**6, window_s=60)
    app[PRESENTER].guesses = app[TABLETS].code_guesses = wide_open
    client = await aiohttp_client(app)
    window = app[TABLETS].pairing.open()
    response = await client.post("/api/tablet/pair", json={"code": window.code, "name": "fuzz"})
    client.credentials = {
        "tablet": (await response.json())["credential"],
        "admin": app[ADMIN].token,
    }
    return client


@pytest.mark.parametrize("path", ENDPOINTS)
@FUZZ
@given(data=st.data())
async def test_any_body_gets_json_and_never_a_500(
    client, path: str, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    who, fields = ENDPOINTS[path]
    body = data.draw(weighted((5, encoded(objects(fields))), (1, st.binary(max_size=100))), label="body")
    headers = {"Authorization": f"Bearer {client.credentials[who]}"} if who else {}
    with caplog.at_level(logging.ERROR):
        response = await client.post(path, data=body, headers=headers)
        answer = await response.read()
    event(f"status {response.status}")  # see pytest --hypothesis-show-statistics
    assert response.status < 500 or response.status == 503, (response.status, answer[:300])
    if response.status == 204:  # a screen's frame-time report, taken: nothing to say
        assert answer == b""
        return
    assert response.headers["Content-Type"].startswith("application/json")
    decoded = json.loads(answer)
    if response.status >= 400:
        assert isinstance(decoded, dict) and isinstance(decoded["error"], str) and decoded["error"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def test_every_post_endpoint_is_fuzzed(engine: Engine, tmp_path: Path) -> None:
    config = Config(model=ModelConfig(), tablet=TabletConfig(state_dir=tmp_path / "state"))
    app = create_app(config, engine)
    posts = {r.resource.canonical for r in app.router.routes() if r.method == "POST"}
    # Session-only presenter commands take no body worth fuzzing (and need a log-in first).
    assert posts - set(ENDPOINTS) <= {
        "/api/presenter/logout",
        "/api/presenter/take",
        "/api/presenter/release",
        "/api/presenter/drawing",
    }


@pytest.mark.parametrize("code", [[], {}, ["no_webrtc"]])
async def test_a_problem_report_whose_code_is_not_text_is_a_400(client, code: object) -> None:
    # Found by the fuzzer above: an unhashable "code" made `code not in TABLET_PROBLEMS` raise (500).
    headers = {"Authorization": f"Bearer {client.credentials['tablet']}"}
    response = await client.post("/api/tablet/problem", json={"code": code}, headers=headers)
    assert response.status == 400 and '"code" must be one of' in (await response.json())["error"]
