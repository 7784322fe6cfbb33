"""A tablet's data-channel session: predictions for the newest drawing, refusals, abuse."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.session import SessionHooks, TabletSession

LIMITS = StrokeLimits(max_strokes=8, max_points_per_stroke=500, max_points=2000)


class Tablet:
    """The session under test with a fake channel: what it sends is kept, decoded."""

    def __init__(self, engine: Engine, **options) -> None:
        self.sent: list[dict] = []
        self.dropped: list[str] = []
        self.session = TabletSession(engine, LIMITS, self._send, self.dropped.append, **options)
        self.task = asyncio.get_running_loop().create_task(self.session.run())

    def _send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    def say(self, **fields) -> None:
        self.session.receive(json.dumps({"v": 1, **fields}))

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.sent if m["type"] == kind]

    async def settle(self, seconds: float = 0.15) -> None:
        await asyncio.sleep(seconds)

    def stop(self) -> None:
        self.task.cancel()


@pytest.fixture
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
async def tablet(engine: Engine):
    t = Tablet(engine, rate_hz=20)
    yield t
    t.stop()


ONE = [[50, 0, 0], [50, 40, 16], [51, 100, 33]]


async def test_a_stroke_gets_the_networks_answer_for_that_drawing(tablet: Tablet, engine: Engine) -> None:
    tablet.say(type="stroke_begin", stroke=1, points=ONE[:1])
    tablet.say(type="points", stroke=1, points=ONE[1:])
    tablet.say(type="stroke_end", stroke=1)
    await tablet.settle()
    [prediction] = tablet.of_type("prediction")
    expected = engine.infer(rasterise([np.array(ONE, float)[:, :2]]))
    assert prediction["digit"] == expected.digit
    assert prediction["seq"] == tablet.session.drawing.revision == 2
    np.testing.assert_allclose(prediction["probabilities"], expected.probabilities, atol=1e-4)


async def test_changes_while_inference_waits_coalesce_into_one_answer_for_the_newest(tablet: Tablet) -> None:
    tablet.say(type="stroke_begin", stroke=1, points=[[0, 0]])
    for i in range(1, 60):  # all before the session's task gets to run
        tablet.say(type="points", stroke=1, points=[[i, i * 2]])
    await tablet.settle()
    assert [p["seq"] for p in tablet.of_type("prediction")] == [60]


async def test_a_fast_pen_gets_answers_at_the_configured_rate_ending_with_the_newest(tablet: Tablet) -> None:
    tablet.say(type="stroke_begin", stroke=1, points=[[0, 0]])
    for i in range(1, 50):  # 50 changes over about half a second; 20 answers a second at most
        tablet.say(type="points", stroke=1, points=[[i, (i * 7) % 30]])
        await asyncio.sleep(0.01)
    await tablet.settle(0.2)
    seqs = [p["seq"] for p in tablet.of_type("prediction")]
    assert 3 <= len(seqs) <= 16, seqs
    assert seqs == sorted(seqs) and seqs[-1] == 50


async def test_ping_is_answered_at_once_and_an_empty_drawing_gets_no_prediction(tablet: Tablet) -> None:
    tablet.say(type="ping", t=99.5)
    tablet.say(type="stroke_begin", stroke=1, points=ONE)
    tablet.say(type="clear")
    await tablet.settle()
    assert tablet.of_type("pong") == [{"v": 1, "type": "pong", "t": 99.5}]
    assert tablet.of_type("prediction") == []


async def test_undo_gets_a_new_answer_for_what_is_left(tablet: Tablet) -> None:
    tablet.say(type="stroke_begin", stroke=1, points=ONE)
    await tablet.settle()
    tablet.say(type="stroke_begin", stroke=2, points=[[0, 50], [100, 50]])
    tablet.say(type="undo")
    await tablet.settle()
    first, second = tablet.of_type("prediction")
    assert second["seq"] > first["seq"] and second["digit"] == first["digit"]


async def test_bad_messages_get_an_error_back_are_counted_and_change_nothing(tablet: Tablet) -> None:
    tablet.session.receive("not json")
    tablet.say(type="points", stroke=5, points=[[1, 2]])
    tablet.say(type="stroke_begin", stroke=1, points=[[1, float("inf")]])
    await tablet.settle()
    assert [e["code"] for e in tablet.of_type("error")] == ["bad_json", "unknown_stroke", "bad_points"]
    assert tablet.session.errors == {"bad_json": 1, "unknown_stroke": 1, "bad_points": 1}
    assert tablet.session.drawing.revision == 0 and tablet.dropped == []


async def test_a_tablet_that_keeps_sending_bad_messages_is_dropped_once(engine: Engine) -> None:
    tablet = Tablet(engine, max_errors=5)
    for _ in range(10):
        tablet.session.receive("{")
    tablet.say(type="stroke_begin", stroke=1, points=ONE)  # ignored: the session is closed
    await tablet.settle()
    tablet.stop()
    assert len(tablet.dropped) == 1 and "bad messages" in tablet.dropped[0]
    assert tablet.of_type("error")[-1]["code"] == "abuse"
    assert len(tablet.of_type("error")) == 7  # six refusals, the sixth over the limit, then "abuse"
    assert tablet.of_type("prediction") == []


async def test_a_flood_is_dropped_even_of_valid_messages(engine: Engine) -> None:
    tablet = Tablet(engine, max_messages_per_s=100, clock=lambda: 1000.0)  # all in one instant
    for i in range(150):
        tablet.say(type="ping", t=i)
    tablet.stop()
    assert len(tablet.of_type("pong")) == 100
    assert tablet.dropped == ["more than 100 messages a second"]
    assert tablet.session.errors["flood"] == 1


async def test_a_resent_drawing_is_answered_but_is_not_a_touch(engine: Engine) -> None:
    touches: list[int] = []
    tablet = Tablet(engine, rate_hz=20, hooks=SessionHooks(on_activity=lambda: touches.append(1)))
    try:
        # A reconnected tablet sends back the drawing it still shows: rebuilt, answered, no touch.
        tablet.say(type="stroke_begin", stroke=1, points=ONE[:1], resent=True)
        tablet.say(type="points", stroke=1, points=ONE[1:], resent=True)
        tablet.say(type="stroke_end", stroke=1, resent=True)
        await tablet.settle()
        assert touches == [] and len(tablet.of_type("prediction")) == 1
        assert tablet.session.drawing.revision == 2
        # The visitor's next stroke is a touch.
        tablet.say(type="stroke_begin", stroke=2, points=ONE[:1])
        assert touches == [1]
        tablet.say(type="stroke_end", stroke=2, resent="yes")
        assert tablet.of_type("error")[-1]["message"] == "stroke_end: resent must be true or false"
    finally:
        tablet.stop()


async def test_a_ping_with_a_huge_integer_is_refused_and_the_session_goes_on(tablet: Tablet) -> None:
    # Found by fuzzing: a JSON integer beyond 64 bits raised a TypeError that stopped the channel.
    tablet.session.receive('{"v":1,"type":"ping","t":100000000000000000000}')
    tablet.say(type="ping", t=5)
    tablet.say(type="stroke_begin", stroke=1, points=ONE)
    await tablet.settle()
    [error] = tablet.of_type("error")
    assert error["code"] == "bad_message" and "ping: t" in error["message"]
    assert tablet.session.errors == {"bad_message": 1}
    assert tablet.of_type("pong") == [{"v": 1, "type": "pong", "t": 5}]
    assert len(tablet.of_type("prediction")) == 1


async def test_an_unexpected_error_is_logged_counted_answered_and_the_session_goes_on(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    touches: list[int] = []

    def screen_with_a_bug() -> None:  # on_activity: the screen's callback fails once
        touches.append(1)
        if len(touches) == 1:
            raise RuntimeError("bug in the screen")

    tablet = Tablet(engine, rate_hz=20, hooks=SessionHooks(on_activity=screen_with_a_bug))
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.tablet.session"):
            tablet.say(type="stroke_begin", stroke=1, points=ONE)  # raises inside receive
        tablet.say(type="ping", t=7)
        tablet.say(type="stroke_begin", stroke=2, points=[[0, 50], [100, 50]])
        await tablet.settle()
    finally:
        tablet.stop()
    [error] = tablet.of_type("error")
    assert error["code"] == "internal" and "exhibit" in error["message"]
    assert tablet.session.errors == {"internal": 1}
    [record] = [r for r in caplog.records if r.name == "kiosk.tablet.session"]
    assert record.levelno >= logging.WARNING and record.exc_info and "bug in the screen" in caplog.text
    assert tablet.of_type("pong") == [{"v": 1, "type": "pong", "t": 7}]
    assert len(tablet.of_type("prediction")) >= 1 and tablet.dropped == []


async def test_an_error_while_answering_is_logged_and_later_drawings_are_still_answered(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    results: list[object] = []

    def screen_with_a_bug(result) -> None:  # on_drawing: fails on the first answer only
        results.append(result)
        if len(results) == 1:
            raise RuntimeError("bug in the screen")

    tablet = Tablet(engine, rate_hz=20, hooks=SessionHooks(on_drawing=screen_with_a_bug))
    try:
        tablet.say(type="stroke_begin", stroke=1, points=ONE)
        await tablet.settle()
        tablet.say(type="stroke_begin", stroke=2, points=[[0, 50], [100, 50]])
        await tablet.settle()
    finally:
        tablet.stop()
    assert len(results) == 2 and [p["seq"] for p in tablet.of_type("prediction")] == [1, 2]
    assert tablet.session.errors == {"internal": 1}
    assert "bug in the screen" in caplog.text
