"""End to end with the real server process and a real WebRTC tablet: a visitor's first touch takes
the exhibit screen within 100 ms, the playlist comes back ``display.idle_seconds`` after the last
stroke, and outside the opening hours the screen and the tablet say closed and strokes change nothing.

The screen is watched as the kiosk browser watches it: ``/api/display/events``."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import yaml
from support.api import post_json

from kiosk.display.screen import EVENT_ORDER
from kiosk.tablet.virtual import VirtualTablet
from tools.exhibit_process import ExhibitProcess
from tools.sse_client import SseReader

pytestmark = pytest.mark.process

IDLE_S = 3
ZONE = "Europe/Berlin"
INVITATION = "Your turn: draw a digit!"
PLAYLIST = [
    {"scene": "timeline", "seconds": 3600},  # long: only a visitor or idle time ends it here
    {"scene": "call_to_action", "seconds": 3600, "text": INVITATION},
]
ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]  # a "1", [x, y, t_ms]
TOUCH_TO_SCREEN_S = 0.100

SCENE = {"v": 1, "type": "scene", "language": "en"}  # what tablets hear, in the staff's language


@pytest.fixture
def start_kiosk(tmp_path: Path, export_dir: Path):
    """Start the real server with an ``attract:`` section of our own; stopped afterwards (SIGTERM,
    and its log must hold no traceback)."""
    started: list[ExhibitProcess] = []

    def start(attract: dict) -> tuple[ExhibitProcess, str]:
        settings = {
            "display": {"idle_seconds": IDLE_S},
            "attract": {"timezone": ZONE, "playlist": PLAYLIST, **attract},
        }
        kiosk = ExhibitProcess(tmp_path, export_dir, settings=yaml.safe_dump(settings))
        started.append(kiosk)
        kiosk.start()
        return kiosk, pair(kiosk)

    yield start
    for kiosk in started:
        kiosk.stop()
        assert kiosk.tracebacks() == []


def pair(kiosk: ExhibitProcess) -> str:
    """A paired tablet's credential, as staff pair one: a window opened with the admin token."""
    status, window = post_json(f"{kiosk.base}/api/admin/pairing", {}, kiosk.admin_token)
    assert status == 200, window
    status, paired = post_json(f"{kiosk.base}/api/tablet/pair", {"code": window["code"], "name": "virtual"})
    assert status == 200, paired
    return paired["credential"]


async def open_screen(http: aiohttp.ClientSession, base: str) -> tuple[SseReader, dict[str, dict]]:
    """A screen's event stream and what it was sent first (the whole state, up to the last kind)."""
    response = await http.get(f"{base}/api/display/events")
    assert response.status == 200
    reader, opening = SseReader(response), {}
    while True:
        message = await reader.next_event(timeout=5)
        opening[message.event] = message.json
        if message.event == EVENT_ORDER[-1]:
            return reader, opening


async def touch_to_screen(tablet: VirtualTablet, reader: SseReader, stroke: int) -> float:
    """Seconds from the first stroke message leaving the tablet to ``scene: live`` on the screen."""
    sent = time.perf_counter()
    tablet.send(type="stroke_begin", stroke=stroke, points=ONE)
    scene = await reader.until("scene", timeout=5)
    arrived = time.perf_counter()
    assert scene == {"scene": "live"}
    tablet.send(type="stroke_end", stroke=stroke)
    return arrived - sent


async def quiet(reader: SseReader, seconds: float) -> list[tuple[str, dict]]:
    """Every event the screen gets in the next ``seconds``."""
    events, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await reader.next_event(timeout=left)
        except TimeoutError:
            break
        events.append((message.event, message.json))
    return events


async def test_a_touch_takes_the_screen_at_once_and_idle_time_brings_the_playlist_back(start_kiosk) -> None:
    kiosk, credential = start_kiosk({})  # always open (the default hours)
    tablet = VirtualTablet()
    async with aiohttp.ClientSession() as http:
        reader, opening = await open_screen(http, kiosk.base)
        assert opening["scene"] == {"scene": "timeline"}
        assert (opening["exhibit"]["state"], opening["exhibit"]["index"]) == ("attract", 0)
        try:
            await tablet.connect(kiosk.base, credential)
            assert await tablet.next("scene") == {**SCENE, "scene": "attract"}

            # (a) The first touch: the live network, on the screen's stream, within 100 ms.
            first = await touch_to_screen(tablet, reader, 1)
            assert await tablet.next("scene") == {**SCENE, "scene": "visitor"}
            status = await reader.until("exhibit")
            assert status["state"] == "visitor"
            activation = await reader.until("activation", lambda data: data["source"] == "visitor")
            assert activation["digit"] == (await tablet.next("prediction"))["digit"]

            # (b) idle_seconds after the last stroke: the playlist's next item, not a moment before.
            tablet.send(type="stroke_begin", stroke=2, points=ONE)
            last_stroke = time.perf_counter()
            scene = await reader.until("scene", timeout=IDLE_S + 3)
            waited = time.perf_counter() - last_stroke
            assert scene == {"scene": "call_to_action", "text": INVITATION}
            assert IDLE_S - 0.1 < waited < IDLE_S + 1.0
            assert await tablet.next("scene") == {**SCENE, "scene": "attract"}
            status = await reader.until("exhibit")
            assert (status["state"], status["index"], status["item"]["scene"]) == (
                "attract",
                1,
                "call_to_action",
            )

            # The next visitor's first touch takes it again. Only the first is held to 100 ms: on a shared
            # two-core test machine the second (the training process loading PyTorch beside it) has
            # taken up to 90 ms; a few ms to 35 ms otherwise.
            second = await touch_to_screen(tablet, reader, 3)
            print(f"\ntouch to screen: first {first * 1000:.1f} ms, second {second * 1000:.1f} ms")
            assert first < TOUCH_TO_SCREEN_S and second < 2.5 * TOUCH_TO_SCREEN_S
            # After the last item the playlist starts over. (Waited for, also so that the server is not
            # stopped in the middle of a scene change: that raced the playground's shutdown.)
            assert await reader.until("scene", timeout=IDLE_S + 3) == {"scene": "timeline"}
            status = await reader.until("exhibit")
            assert (status["state"], status["index"]) == ("attract", 0)
        finally:
            await tablet.close()


def closed_days() -> tuple[list[str], datetime]:
    """Holidays today and tomorrow in the exhibit's zone, and when it opens after them: the day after
    tomorrow at midnight (the default hours are all day), also if midnight passes during the test."""
    zone = ZoneInfo(ZONE)
    today = datetime.now(zone).date()
    opens = today + timedelta(days=2)
    return [today.isoformat(), (today + timedelta(days=1)).isoformat()], datetime(
        opens.year, opens.month, opens.day, tzinfo=zone
    )


async def test_outside_the_opening_hours_screen_and_tablet_say_closed_and_strokes_change_nothing(
    start_kiosk,
) -> None:
    holidays, opens = closed_days()
    kiosk, credential = start_kiosk({"holidays": holidays})
    tablet = VirtualTablet()
    async with aiohttp.ClientSession() as http:
        reader, opening = await open_screen(http, kiosk.base)
        assert opening["scene"]["scene"] == "closed"
        opens_at = opening["scene"]["opens_at"]
        assert datetime.fromisoformat(opens_at) == opens  # the same instant...
        assert datetime.fromisoformat(opens_at).utcoffset() == opens.utcoffset()  # ...in the exhibit's zone
        assert opening["activation"]["source"] == "none" and opening["timeline"]["playing"] is False
        assert opening["exhibit"]["state"] == "closed" and opening["exhibit"]["opens_at"] == opens_at
        try:
            await tablet.connect(kiosk.base, credential)
            greeting = await tablet.next("scene")
            assert greeting == {**SCENE, "scene": "closed", "opens_at": opens_at}

            tablet.send(type="stroke_begin", stroke=1, points=ONE)
            tablet.send(type="stroke_end", stroke=1)
            tablet.send(type="ping", t=1)
            await tablet.next("pong")  # the exhibit has handled the stroke by now
            events = await quiet(reader, 0.5)
            assert [kind for kind, _ in events if kind in ("scene", "exhibit")] == []
            assert [data for kind, data in events if kind == "activation"] == []
        finally:
            await tablet.close()
        _, again = await open_screen(http, kiosk.base)  # a screen that connects now
        assert again["scene"] == {"scene": "closed", "opens_at": opens_at}
