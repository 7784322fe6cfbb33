"""The attract machine carried out on a real exhibit screen: each playlist item becomes its scene
with its settings, a visitor's first stroke takes the screen in the same call, idle time hands it
back, opening hours close it (tablets told), presenters hold it; its loop (kiosk/background.py,
as kiosk/exhibit.py runs it) ticks by itself, and the exhibit wires it to the tablets.

The screen is real (a tiny export with test samples, events on a recording hub); the playground's
training process and the tablets are stand-ins that record what they are asked; one fake clock
drives the machine (aware datetimes) and the screen's samples (seconds)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from support import REPO
from support.exports import write_tiny_export
from test_display_screen import RecordingHub

from kiosk.app import create_app
from kiosk.attract.director import TICK_S, ExhibitDirector
from kiosk.attract.schedule import WEEKDAYS
from kiosk.background import BackgroundTasks
from kiosk.config import Config
from kiosk.display.screen import ExhibitScreen
from kiosk.keys import DIRECTOR, SCREEN, TABLETS
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from kiosk.playground.spec import PlaygroundSpec
from kiosk.tablet.session import VerdictNews
from kiosk.tablet.signalling import Peer
from kiosk.teach.teacher import LessonRefused
from kiosk.teach.verdicts import VerdictCounts
from training.samples import write_samples

BERLIN = ZoneInfo("Europe/Berlin")
IDLE = 20
SCENE = {"v": 1, "type": "scene", "language": "en"}  # what tablets hear, in the staff's language
PRESENTER_IDLE = 60
RUN = {"dataset": "moons", "noise": 0.1, "hidden": [6, 6]}
PLAYLIST = [
    {"scene": "timeline", "seconds": 60, "speed": 2.0, "digit": 3},
    {"scene": "playground", "seconds": 45, "run": RUN},
    {"scene": "samples", "seconds": 30, "which": "wrong", "seconds_per_sample": 7},
    {"scene": "call_to_action", "seconds": 20, "text": "Come and draw a digit!"},
]
HOURS = {day: ["10:00-18:00"] for day in WEEKDAYS}  # every day 10 to 18, Berlin time


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


OPEN = berlin(2025, 3, 4, 12, 0)  # a Tuesday, open
BEFORE_OPENING = berlin(2025, 3, 4, 9, 0)


def make_config(playlist: list[dict[str, Any]] = PLAYLIST, holidays: tuple[str, ...] = ()) -> Config:
    data = {
        "attract": {
            "opening_hours": HOURS,
            "holidays": list(holidays),
            "playlist": playlist,
            "presenter_idle_seconds": PRESENTER_IDLE,
        },
        "display": {"idle_seconds": IDLE},
    }
    return Config.model_validate(data, context={"base_dir": REPO / "config"})


class WallClock:
    """The exhibit's clock, moved by hand: aware datetimes for the machine (Berlin time), and the
    same instant in seconds for the screen's samples."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now.astimezone(BERLIN)

    def seconds(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def set(self, at: datetime) -> None:
        self.now = at.astimezone(UTC)


class FakePlayground:
    """The playground session's commands, recorded (no training process)."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.fail_starts = 0  # how many of the next starts raise

    def start(self, spec: PlaygroundSpec) -> int:
        self.calls.append(("start", spec))
        if self.fail_starts:
            self.fail_starts -= 1
            raise RuntimeError("the training process is gone")
        return len(self.calls)

    def pause(self) -> None:
        self.calls.append(("pause",))

    def reset(self) -> None:
        self.calls.append(("reset",))


class FakeTeacher:
    """The teacher's commands, recorded (no lesson process); ``refuse`` makes ``begin`` refuse."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.busy = False
        self.refuse: str | None = None

    def begin(self, image, meant: int, was: int, seq: int | None = None) -> int:
        self.calls.append(("begin", meant, was, seq))
        if self.refuse:
            raise LessonRefused(self.refuse)
        return len(self.calls)

    def forget(self) -> bool:
        self.calls.append(("forget",))
        return False


class Exhibit:
    """A director over a real screen, with everything it touches recorded."""

    def __init__(self, timeline: Timeline, start: datetime, config: Config | None = None) -> None:
        self.timeline, self.engine = timeline, Engine(timeline)
        self.clock = WallClock(start)
        self.hub = RecordingHub()
        self.screen = ExhibitScreen(
            self.hub,
            self.engine,
            timeline.final_id,
            seconds_per_snapshot=60.0,
            connections_per_neuron=24,
            language="en",
            clock=self.clock.seconds,
            rng=random.Random(7),
        )
        self.playground = FakePlayground()
        self.teacher = FakeTeacher()
        self.verdicts = VerdictCounts(None, lambda: self.clock().date())
        self.told: list[str] = []
        self.director = ExhibitDirector(
            config or make_config(),
            self.screen,
            self.playground,
            self.teacher,  # type: ignore[arg-type]
            self.verdicts,
            tell_tablets=self.told.append,
            clock=self.clock,
        )

    @property
    def tablets_heard(self) -> list[dict]:
        return [json.loads(message) for message in self.told]

    def tick_after(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.director.machine.tick()
        self.screen.tick()


@pytest.fixture
def timeline(tmp_path: Path) -> Timeline:
    """A tiny export with 20 test samples, two of each digit."""
    folder = write_tiny_export(tmp_path / "export")
    rng = np.random.default_rng(11)
    images = (rng.uniform(0, 1, size=(20, 28, 28)) ** 4 * 255).astype(np.uint8)
    write_samples(folder, images, np.arange(20) % 10)
    return load_timeline(folder)


@pytest.fixture
def exhibit(timeline: Timeline) -> Exhibit:
    return Exhibit(timeline, OPEN)


def shown_sample(exhibit: Exhibit) -> int:
    """Which sample the screen's newest activation shows (its input layer), and that it is labelled so."""
    activation = exhibit.hub.last("activation")
    assert activation["source"] == "sample"
    samples = exhibit.timeline.samples
    pixels = np.array(activation["layers"][0])
    matches = [
        i
        for i in range(len(samples))
        if np.array_equal(pixels, np.round(samples.images[i].reshape(-1).astype(np.float64), 3))
    ]
    assert len(matches) == 1
    assert activation["label"] == int(samples.labels[matches[0]])
    return matches[0]


def assert_shows_item(exhibit: Exhibit, index: int) -> None:
    """The screen, the playground and the status are what playlist item ``index`` asks for."""
    item = PLAYLIST[index]
    screen, hub, calls = exhibit.screen, exhibit.hub, exhibit.playground.calls
    assert screen.scene == item["scene"]
    if item["scene"] == "timeline":
        assert hub.last("scene") == {"scene": "timeline"}
        assert screen.player.playing and screen.player.speed == item["speed"]
        assert {k: hub.last("timeline")[k] for k in ("index", "playing", "speed")} == {
            "index": 0,
            "playing": True,
            "speed": item["speed"],
        }
        assert exhibit.timeline.samples.labels[shown_sample(exhibit)] == item["digit"]
        assert hub.last("activation")["snapshot"] == exhibit.timeline.snapshots[0].id
    elif item["scene"] == "playground":
        assert hub.last("scene") == {"scene": "playground"}
        assert not screen.player.playing
        assert calls[-1] == ("start", PlaygroundSpec(**item["run"]))
    elif item["scene"] == "samples":
        assert hub.last("scene") == {"scene": "samples", "which": item["which"]}
        i = shown_sample(exhibit)
        digit = exhibit.engine.infer(exhibit.timeline.samples.images[i], exhibit.timeline.final_id).digit
        assert digit != exhibit.timeline.samples.labels[i]  # "wrong": one the network gets wrong
    else:
        assert hub.last("scene") == {"scene": "call_to_action", "text": item["text"]}
        assert not screen.player.playing
    if item["scene"] != "playground":
        assert calls[-1] == ("pause",)  # no training behind another scene
    status, now = hub.last("exhibit"), exhibit.director.status()
    moving = ("now", "seconds_left")  # the status went out when the item began; time has passed since
    assert {k: v for k, v in status.items() if k not in moving} == {
        k: v for k, v in now.items() if k not in moving
    }
    assert (status["state"], status["index"], status["item"]["scene"]) == ("attract", index, item["scene"])


# --- the playlist -------------------------------------------------------------------------------


def test_start_shows_the_first_item(exhibit: Exhibit) -> None:
    exhibit.hub.log.clear()
    exhibit.director.machine.start()
    assert_shows_item(exhibit, 0)
    assert exhibit.told == []  # the tablets were greeted with "attract" and nothing has changed
    assert json.loads(exhibit.director.tablet_notice()) == {**SCENE, "scene": "attract"}


def test_each_item_becomes_its_scene_with_its_settings_round_and_round(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    for index in [*range(len(PLAYLIST)), 0, 1]:
        assert_shows_item(exhibit, index)
        seconds = PLAYLIST[index]["seconds"]
        scenes = len(exhibit.hub.of("scene"))
        exhibit.tick_after(seconds - 1)
        assert len(exhibit.hub.of("scene")) == scenes, "the item ended early"
        exhibit.tick_after(1)
    assert exhibit.told == []


def test_the_samples_item_moves_on_every_seconds_per_sample(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.tick_after(PLAYLIST[0]["seconds"])
    exhibit.tick_after(PLAYLIST[1]["seconds"])
    assert_shows_item(exhibit, 2)
    every = PLAYLIST[2]["seconds_per_sample"]
    seen = [shown_sample(exhibit)]
    for _ in range(3):
        seq = exhibit.hub.last("activation")["seq"]
        exhibit.tick_after(every - 0.5)
        assert exhibit.hub.last("activation")["seq"] == seq
        exhibit.tick_after(0.5)
        assert exhibit.hub.last("activation")["seq"] > seq
        assert_shows_item(exhibit, 2)
        seen.append(shown_sample(exhibit))
    assert len(set(seen)) == len(seen)  # a new one each time


# --- visitors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("interrupted", range(len(PLAYLIST)))
def test_a_stroke_takes_the_screen_at_once_and_idle_brings_the_next_item(
    exhibit: Exhibit, interrupted: int
) -> None:
    exhibit.director.machine.start()
    for index in range(interrupted):
        exhibit.tick_after(PLAYLIST[index]["seconds"])
    exhibit.tick_after(3)
    exhibit.hub.log.clear()
    assert exhibit.director.stroke() is True
    # Within that one call: the live scene, the playground paused, the tablets told.
    assert exhibit.screen.scene == "live" and exhibit.hub.of("scene") == [{"scene": "live"}]
    assert exhibit.playground.calls[-1] == ("pause",)
    assert exhibit.tablets_heard == [{**SCENE, "scene": "visitor"}]
    assert exhibit.director.tablet_notice() == exhibit.told[-1]
    assert exhibit.hub.last("exhibit")["state"] == "visitor"
    # The visitor draws on: nothing changes on screen, and the idle time starts again each stroke.
    for _ in range(3):
        exhibit.clock.advance(IDLE - 1)
        assert exhibit.director.stroke() is True
        exhibit.director.machine.tick()
    assert exhibit.hub.of("scene") == [{"scene": "live"}] and len(exhibit.told) == 1
    exhibit.tick_after(IDLE - 0.5)
    assert exhibit.screen.scene == "live"
    exhibit.tick_after(0.5)
    following = (interrupted + 1) % len(PLAYLIST)
    assert_shows_item(exhibit, following)
    assert exhibit.tablets_heard[-1] == {**SCENE, "scene": "attract"}
    assert exhibit.director.tablet_notice() == exhibit.told[-1] and len(exhibit.told) == 2


def test_the_visitors_drawing_is_live_and_a_visitor_timeline_learns_it(timeline: Timeline) -> None:
    playlist = [
        {"scene": "call_to_action", "seconds": 30},
        {"scene": "samples", "seconds": 30, "which": "any"},
        {"scene": "timeline", "seconds": 60, "digit": "visitor"},
    ]
    exhibit = Exhibit(timeline, OPEN, make_config(playlist))
    exhibit.director.machine.start()
    exhibit.tick_after(5)
    exhibit.director.stroke()
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:15] = 1.0
    result = exhibit.engine.infer(image)
    exhibit.screen.show_drawing(result)  # the tablet's answer, as the app wires it
    live = exhibit.hub.last("activation")
    assert live["source"] == "visitor" and live["digit"] == result.digit
    exhibit.tick_after(IDLE)
    assert exhibit.screen.scene == "samples"
    exhibit.tick_after(30)
    assert exhibit.screen.scene == "timeline"
    activation = exhibit.hub.last("activation")
    assert activation["source"] == "visitor"
    assert activation["layers"][0] == np.round(image.reshape(-1).astype(np.float64), 3).tolist()
    assert activation["snapshot"] == timeline.snapshots[0].id


# --- opening hours ------------------------------------------------------------------------------


def test_before_opening_the_screen_is_closed_and_strokes_change_nothing(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, BEFORE_OPENING)
    exhibit.hub.log.clear()
    exhibit.director.machine.start()
    opens_at = berlin(2025, 3, 4, 10, 0).isoformat()
    assert exhibit.screen.scene == "closed"
    assert exhibit.hub.of("scene") == [{"scene": "closed", "opens_at": opens_at}]
    activation = exhibit.hub.last("activation")
    assert activation["source"] == "none" and activation["digit"] is None
    assert not exhibit.screen.player.playing
    assert exhibit.playground.calls == [("reset",)]
    assert exhibit.tablets_heard == [{**SCENE, "scene": "closed", "opens_at": opens_at}]
    assert exhibit.director.tablet_notice() == exhibit.told[-1]
    assert exhibit.hub.last("exhibit")["state"] == "closed"
    published = len(exhibit.hub.log)
    for _ in range(3):
        exhibit.clock.advance(60)
        assert exhibit.director.stroke() is False
    assert exhibit.screen.scene == "closed" and len(exhibit.hub.log) == published
    assert len(exhibit.told) == 1
    # Opening time: the playlist from its top, the tablets told.
    exhibit.clock.set(berlin(2025, 3, 4, 10, 0))
    exhibit.director.machine.tick()
    assert_shows_item(exhibit, 0)
    assert exhibit.tablets_heard[-1] == {**SCENE, "scene": "attract"}
    assert exhibit.director.tablet_notice() == exhibit.told[-1]


def test_closing_time_ends_a_visitors_turn_and_names_the_next_opening(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, berlin(2025, 3, 4, 17, 59, 0))
    exhibit.director.machine.start()
    exhibit.tick_after(50)
    assert exhibit.director.stroke() is True and exhibit.screen.scene == "live"
    exhibit.tick_after(9.5)
    assert exhibit.screen.scene == "live"
    exhibit.tick_after(0.5)  # 18:00
    opens_at = berlin(2025, 3, 5, 10, 0).isoformat()
    assert exhibit.hub.last("scene") == {"scene": "closed", "opens_at": opens_at}
    assert exhibit.playground.calls[-1] == ("reset",)
    assert exhibit.tablets_heard[-1] == {**SCENE, "scene": "closed", "opens_at": opens_at}
    assert exhibit.director.tablet_notice() == exhibit.told[-1]
    assert exhibit.director.stroke() is False and exhibit.screen.scene == "closed"


def test_a_holiday_is_closed_until_the_next_day(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN, make_config(holidays=("2025-03-04",)))
    exhibit.director.machine.start()
    opens_at = berlin(2025, 3, 5, 10, 0).isoformat()
    assert exhibit.hub.last("scene") == {"scene": "closed", "opens_at": opens_at}
    assert json.loads(exhibit.director.tablet_notice())["opens_at"] == opens_at


# --- presenters ---------------------------------------------------------------------------------


def test_a_presenter_holds_the_screen_against_strokes_until_released(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.tick_after(10)
    scenes = len(exhibit.hub.of("scene"))
    exhibit.director.take("Ada")
    assert exhibit.director.holder == "Ada"
    assert exhibit.tablets_heard == [{**SCENE, "scene": "presenter"}]
    assert exhibit.director.tablet_notice() == exhibit.told[-1]
    status = exhibit.hub.last("exhibit")
    assert (status["state"], status["presenter"]) == ("presenter", "Ada")
    # The screen keeps what it showed; strokes are accepted but switch nothing.
    assert exhibit.screen.scene == "timeline" and len(exhibit.hub.of("scene")) == scenes
    for _ in range(3):
        exhibit.clock.advance(IDLE + 1)
        exhibit.director.presenter_activity()
        assert exhibit.director.stroke() is True
        exhibit.director.machine.tick()
    assert exhibit.screen.scene == "timeline" and len(exhibit.hub.of("scene")) == scenes
    assert len(exhibit.told) == 1
    exhibit.clock.advance(IDLE + 1)  # the last stroke is long past
    exhibit.director.release()
    assert exhibit.director.holder is None
    assert_shows_item(exhibit, 1)  # the playlist goes on after the item the presenter took
    assert exhibit.tablets_heard[-1] == {**SCENE, "scene": "attract"}
    assert exhibit.hub.last("exhibit")["presenter"] is None


def test_a_release_while_someone_draws_hands_the_screen_to_the_visitor(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.director.take("Ada")
    exhibit.tick_after(5)
    exhibit.director.stroke()
    exhibit.director.release()
    assert exhibit.screen.scene == "live" and exhibit.hub.last("scene") == {"scene": "live"}
    assert exhibit.tablets_heard[-1] == {**SCENE, "scene": "visitor"}


def test_an_idle_presenter_gives_the_exhibit_back(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.director.take("Ada")
    exhibit.tick_after(PRESENTER_IDLE - 1)
    assert exhibit.director.holder == "Ada"
    exhibit.tick_after(1)
    assert exhibit.director.holder is None
    assert_shows_item(exhibit, 1)


# --- the loop and the wiring --------------------------------------------------------------------


async def eventually(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def director_loop(director: ExhibitDirector) -> BackgroundTasks:
    """The director started and its loop running, as kiosk/exhibit.py does at start-up."""
    tasks = BackgroundTasks()
    tasks.every("attract machine tick", director.tick, TICK_S, next_in=director.seconds_to_next_event)
    director.start()
    tasks.start()
    return tasks


async def test_the_loop_ticks_by_itself_until_stopped(exhibit: Exhibit) -> None:
    tasks = director_loop(exhibit.director)
    try:
        assert exhibit.hub.of("exhibit") != []  # start() has the machine decide at once
        assert_shows_item(exhibit, 0)
        exhibit.clock.advance(PLAYLIST[0]["seconds"])
        started = time.monotonic()
        await eventually(lambda: exhibit.screen.scene == "playground")
        assert time.monotonic() - started < 4 * TICK_S  # at one of its next looks at the clock
        assert_shows_item(exhibit, 1)
        exhibit.director.stroke()
        assert exhibit.screen.scene == "live"
        exhibit.clock.advance(IDLE)
        await eventually(lambda: exhibit.screen.scene == "samples")
        assert_shows_item(exhibit, 2)
    finally:
        await tasks.stop()
    exhibit.clock.advance(PLAYLIST[2]["seconds"])
    await asyncio.sleep(2 * TICK_S)
    assert exhibit.screen.scene == "samples"  # stopped: nobody looks at the clock any more


async def test_a_failing_action_is_logged_and_the_loop_goes_on(
    exhibit: Exhibit, caplog: pytest.LogCaptureFixture
) -> None:
    exhibit.playground.fail_starts = 1
    tasks = director_loop(exhibit.director)
    try:
        with caplog.at_level(logging.ERROR, logger="kiosk.background"):
            exhibit.clock.advance(PLAYLIST[0]["seconds"])  # the playground item: its start fails
            await eventually(lambda: "attract machine tick failed" in caplog.text)
        exhibit.clock.advance(PLAYLIST[1]["seconds"])
        await eventually(lambda: exhibit.screen.scene == "samples")
        assert_shows_item(exhibit, 2)
    finally:
        await tasks.stop()


class RecordingSession:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: str) -> None:
        self.sent.append(message)


async def test_the_exhibit_wires_the_director_to_the_tablets_pens_and_tells_every_tablet(
    timeline: Timeline,
) -> None:
    # The exhibit's director runs on the real clock: a holiday today and tomorrow (Berlin) closes
    # the exhibit now, whenever the test runs (also across midnight).
    today = datetime.now(BERLIN).date()
    holidays = (today.isoformat(), (today + timedelta(days=1)).isoformat())
    app = create_app(make_config(holidays=holidays), Engine(timeline))
    director, peers, screen = app[DIRECTOR], app[TABLETS].peers, app[SCREEN]
    sessions = [RecordingSession(), RecordingSession()]
    peers.peers = [Peer(f"tablet-{i}", pc=None, session=session) for i, session in enumerate(sessions)]
    peers.peers.append(Peer("still-connecting", pc=None))  # no channel yet: nothing to send to
    director.start()
    closed = json.loads(director.tablet_notice())
    assert closed["scene"] == "closed" and closed["opens_at"] is not None
    assert screen.scene == "closed"
    assert json.loads(peers.greeting()) == closed  # what a tablet that connects now is told
    assert [[json.loads(m) for m in session.sent] for session in sessions] == [[closed], [closed]]
    assert peers.hooks.on_activity() is False  # the pen moves the machine, refused while closed
    assert screen.scene == "closed"
    director.take("Ada")  # a guide may show the exhibit on a closed day
    assert json.loads(peers.greeting())["scene"] == "presenter"
    assert peers.hooks.on_activity() is True and screen.scene == "closed"
    director.release()
    assert [json.loads(m)["scene"] for m in sessions[0].sent] == ["closed", "presenter", "closed"]
    assert sessions[1].sent == sessions[0].sent


# --- Teach it: verdicts and lessons --------------------------------------------------------------


def news(correct: bool, meant: int, was: int = 1) -> VerdictNews:
    return VerdictNews(correct, meant, was, np.full((28, 28), 0.5, np.float32), seq=7)


def test_a_verdict_is_counted_and_a_wrong_one_starts_a_lesson_on_the_live_network(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.tick_after(3)
    assert exhibit.director.verdict(news(True, 1)) is None
    assert exhibit.teacher.calls == [("forget",)]  # (the first playlist item) no lesson for a right answer
    assert exhibit.director.verdict(news(False, 9, was=3)) is None
    assert exhibit.teacher.calls[-1] == ("begin", 9, 3, 7)
    # A correction is a touch: the visitor has the screen, shown live.
    assert exhibit.director.machine.state == "visitor" and exhibit.screen.scene == "live"
    assert exhibit.verdicts.totals == {"1": [1, 0], "9": [0, 1]}
    assert exhibit.verdicts.summary()["today"]["date"] == OPEN.date().isoformat()


def test_a_correction_while_a_lesson_runs_is_not_counted(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.teacher.busy = True
    with pytest.raises(LessonRefused):
        exhibit.director.verdict(news(False, 9))
    assert exhibit.director.verdict(news(True, 4)) is None  # a right answer needs no lesson: counted
    assert exhibit.verdicts.totals == {"4": [1, 0]}


def test_while_a_presenter_holds_the_exhibit_a_correction_counts_but_teaches_nothing(
    exhibit: Exhibit,
) -> None:
    exhibit.director.machine.start()
    exhibit.director.take("Ada")
    assert exhibit.director.verdict(news(False, 9)) == "presenter"
    assert not any(call[0] == "begin" for call in exhibit.teacher.calls)
    assert exhibit.verdicts.totals == {"9": [0, 1]}
    exhibit.teacher.refuse = "unavailable"
    exhibit.director.release()
    exhibit.director.stroke()
    assert exhibit.director.verdict(news(False, 2)) == "unavailable"


def test_the_exhibit_forgets_a_lesson_when_the_visitors_turn_ends(exhibit: Exhibit) -> None:
    exhibit.director.machine.start()
    exhibit.director.stroke()
    exhibit.director.verdict(news(False, 9))
    exhibit.teacher.calls.clear()
    exhibit.tick_after(IDLE - 1)
    assert exhibit.teacher.calls == []  # the visitor may still be looking
    exhibit.tick_after(1.5)
    assert exhibit.director.machine.state == "attract" and exhibit.teacher.calls == [("forget",)]
