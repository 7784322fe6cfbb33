"""A tablet's verdict on the data channel (kiosk/tablet/session.py, protocol.py): checked against the
drawing and its answer, handed to the director once, and bad input answered with a clear error
that changes nothing."""

from __future__ import annotations

import pytest
from test_tablet_session import ONE, Tablet, engine  # noqa: F401 (fixture)

from kiosk.model.engine import Engine
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.protocol import ProtocolError, Verdict, parse_message
from kiosk.tablet.session import MAX_VERDICTS_PER_MINUTE, SessionHooks, VerdictNews
from kiosk.teach.teacher import LessonRefused


class Director:
    """The director's verdict hook: records each verdict; ``refuse`` is its answer; ``busy`` raises."""

    def __init__(self) -> None:
        self.news: list[VerdictNews] = []
        self.refuse: str | None = None
        self.busy = False

    def __call__(self, news: VerdictNews) -> str | None:
        if self.busy and not news.correct:
            raise LessonRefused("busy")
        self.news.append(news)
        return self.refuse


@pytest.fixture
async def drawn(engine: Engine):  # noqa: F811
    """A tablet that drew a "1" and got its answer."""
    director = Director()
    tablet = Tablet(engine, rate_hz=50, hooks=SessionHooks(on_verdict=director))
    tablet.say(type="stroke_begin", stroke=1, points=ONE)
    tablet.say(type="stroke_end", stroke=1)
    await tablet.settle()
    [prediction] = tablet.of_type("prediction")
    yield tablet, director, prediction
    tablet.stop()


async def test_a_right_answer_is_counted_once(drawn) -> None:
    tablet, director, prediction = drawn
    tablet.say(type="verdict", seq=prediction["seq"], correct=True)
    assert tablet.of_type("verdict") == [
        {"v": 1, "type": "verdict", "seq": prediction["seq"], "status": "counted"}
    ]
    [news] = director.news
    assert news.correct and news.meant == news.was == prediction["digit"] and news.seq == prediction["seq"]
    assert news.image.shape == (28, 28) and news.image.max() > 0.5  # the drawing as the network saw it
    assert tablet.of_type("lesson") == []


async def test_a_wrong_answer_with_the_meant_digit_starts_a_lesson(drawn) -> None:
    tablet, director, prediction = drawn
    meant = (prediction["digit"] + 1) % 10
    tablet.say(type="verdict", seq=prediction["seq"], correct=False, meant=meant)
    [news] = director.news
    assert not news.correct and (news.meant, news.was) == (meant, prediction["digit"])
    assert [m["status"] for m in tablet.of_type("verdict")] == ["counted"]
    [lesson] = tablet.of_type("lesson")
    assert lesson == {
        **{"v": 1, "type": "lesson", "status": "started"},
        **{"seq": prediction["seq"], "meant": meant, "was": prediction["digit"]},
    }


async def test_a_lesson_the_director_refuses_still_counts_and_says_why(drawn) -> None:
    tablet, director, prediction = drawn
    director.refuse = "presenter"
    tablet.say(type="verdict", seq=prediction["seq"], correct=False, meant=3)
    assert len(director.news) == 1
    [lesson] = tablet.of_type("lesson")
    assert (lesson["status"], lesson["reason"]) == ("refused", "presenter")


BAD_VERDICTS = [
    ({"meant": 10}, "bad_message", "0..9"),
    ({"meant": -1}, "bad_message", "0..9"),
    ({"meant": 2**70}, "bad_message", "0..9"),
    ({"meant": "9"}, "bad_message", "0..9"),
    ({"meant": True}, "bad_message", "0..9"),
    ({"meant": 9.0}, "bad_message", "0..9"),
    ({"meant": None}, "bad_message", "0..9"),
    ({"correct": "no", "meant": 9}, "bad_message", "true or false"),
    ({"correct": True, "meant": 9}, "bad_message", "only with correct: false"),
    ({"seq": -1}, "bad_message", "seq"),
    ({"seq": 2**64}, "bad_message", "seq"),
    ({"comment": "hi"}, "bad_message", "unknown field"),
]


@pytest.mark.parametrize(("change", "code", "words"), BAD_VERDICTS)
async def test_a_bad_verdict_gets_a_clear_error_and_changes_nothing(drawn, change, code, words) -> None:
    tablet, director, prediction = drawn
    tablet.say(**{"type": "verdict", "seq": prediction["seq"], "correct": False, "meant": 9, **change})
    [error] = tablet.of_type("error")
    assert error["code"] == code and words in error["message"]
    assert director.news == [] and tablet.of_type("lesson") == [] and tablet.of_type("verdict") == []
    assert tablet.session.errors[code] == 1


async def test_a_verdict_with_no_drawing_is_refused(engine: Engine) -> None:  # noqa: F811
    director = Director()
    tablet = Tablet(engine, hooks=SessionHooks(on_verdict=director))
    tablet.say(type="verdict", seq=0, correct=False, meant=9)
    tablet.say(type="stroke_begin", stroke=1, points=ONE)
    tablet.say(type="clear")
    await tablet.settle()
    tablet.say(type="verdict", seq=tablet.session.drawing.revision, correct=True)
    tablet.stop()
    assert [e["code"] for e in tablet.of_type("error")] == ["no_drawing", "no_drawing"]
    assert director.news == []


async def test_a_verdict_on_a_drawing_that_changed_since_is_stale(drawn) -> None:
    tablet, director, prediction = drawn
    tablet.say(type="stroke_begin", stroke=2, points=[[0, 50, 0], [100, 50, 10]])  # the drawing goes on
    tablet.say(type="verdict", seq=prediction["seq"], correct=False, meant=9)
    tablet.say(type="verdict", seq=prediction["seq"] + 5, correct=True)  # a revision never answered
    assert [e["code"] for e in tablet.of_type("error")] == ["stale", "stale"]
    assert director.news == []


async def test_corrections_flooding_count_once_and_the_rest_are_refused(drawn) -> None:
    tablet, director, prediction = drawn
    for meant in range(10):
        tablet.say(type="verdict", seq=prediction["seq"], correct=False, meant=meant)
    assert len(director.news) == 1 and director.news[0].meant == 0
    assert [e["code"] for e in tablet.of_type("error")] == ["already_answered"] * 9
    assert len(tablet.of_type("lesson")) == 1


async def test_a_correction_while_a_lesson_runs_is_refused_and_not_counted(drawn) -> None:
    tablet, director, prediction = drawn
    director.busy = True
    tablet.say(type="verdict", seq=prediction["seq"], correct=False, meant=4)
    [error] = tablet.of_type("error")
    assert error["code"] == "lesson_running" and director.news == [] and tablet.of_type("verdict") == []
    director.busy = False  # the lesson ended: the same drawing may be judged now
    tablet.say(type="verdict", seq=prediction["seq"], correct=False, meant=4)
    assert len(director.news) == 1


async def test_answer_again_reads_the_same_drawing_once_more(drawn) -> None:
    tablet, _, prediction = drawn
    tablet.session.answer_again()
    await tablet.settle()
    predictions = tablet.of_type("prediction")
    assert len(predictions) == 2 and predictions[1]["seq"] == prediction["seq"]


def test_the_protocol_reads_both_kinds_of_verdict() -> None:
    limits = StrokeLimits()
    assert parse_message('{"v":1,"type":"verdict","seq":4,"correct":true}', limits) == Verdict(4, True)
    assert parse_message('{"v":1,"type":"verdict","seq":4,"correct":false,"meant":9}', limits) == Verdict(
        4, False, 9
    )
    with pytest.raises(ProtocolError, match="meant must be a digit"):
        parse_message('{"v":1,"type":"verdict","seq":4,"correct":false}', limits)
    with pytest.raises(ProtocolError, match="meant must be a digit"):
        parse_message('{"v":1,"type":"verdict","seq":4,"correct":false,"meant":NaN}', limits)


async def test_more_verdicts_than_a_visitor_gives_are_refused(engine: Engine) -> None:  # noqa: F811
    director = Director()
    tablet = Tablet(engine, rate_hz=1000, hooks=SessionHooks(on_verdict=director))
    for stroke in range(MAX_VERDICTS_PER_MINUTE + 3):  # draw, judge, draw on, judge, ... within a minute
        tablet.say(type="stroke_begin", stroke=stroke, points=[[stroke, 0, 0], [stroke, 50, 10]])
        tablet.say(type="stroke_end", stroke=stroke)
        await tablet.settle(0.01)
        tablet.say(type="verdict", seq=tablet.session.drawing.revision, correct=True)
        if stroke % 7 == 6:  # (the drawing's stroke limit)
            tablet.say(type="clear")
        await tablet.settle(0.01)
    tablet.stop()
    assert len(director.news) == MAX_VERDICTS_PER_MINUTE
    assert [e["code"] for e in tablet.of_type("error")] == ["too_many_verdicts"] * 3
