"""The visitor's language on the server: the tablet's ``language`` message is checked against the
languages the exhibit speaks; the director lets the screen and the tablets speak it for the
visitor's turn, and the staff's language comes back when the exhibit goes idle, closes or a
presenter takes it. A reload that changes the staff's language applies it (not over a visitor's pick).
"""

from __future__ import annotations

import json

import pytest
from test_attract_director import IDLE, OPEN, Exhibit, make_config, timeline  # noqa: F401 (fixture)
from test_tablet_session import LIMITS, Tablet, engine  # noqa: F401 (fixture)

from kiosk.languages import languages
from kiosk.tablet.protocol import Language, ProtocolError, parse_message
from kiosk.tablet.session import SessionHooks


def _message(**fields) -> str:
    return json.dumps({"v": 1, "type": "language", **fields})


# ---- the message ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", languages())
def test_every_language_the_exhibit_speaks_may_be_picked(language: str) -> None:
    assert parse_message(_message(language=language), LIMITS) == Language(language)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"language": "xx"}, "unknown_language"),
        ({"language": "EN"}, "unknown_language"),
        ({"language": "../en"}, "unknown_language"),
        ({"language": 3}, "bad_message"),
        ({"language": None}, "bad_message"),
        ({}, "bad_message"),
        ({"language": "en", "voice": "loud"}, "bad_message"),
    ],
)
def test_a_bad_language_is_refused_with_a_clear_code(fields: dict, code: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_message(_message(**fields), LIMITS)
    assert refused.value.code == code
    if code == "unknown_language":
        assert ", ".join(languages()) in str(refused.value)  # says which ones it knows


async def test_the_session_answers_a_pick_and_counts_a_bad_one(engine) -> None:  # noqa: F811
    picked: list[str] = []
    tablet = Tablet(engine, hooks=SessionHooks(on_language=lambda language: picked.append(language)))
    try:
        tablet.say(type="language", language="de")
        tablet.say(type="language", language="klingon")
        assert picked == ["de"]
        answers = tablet.of_type("language")
        assert answers == [{"v": 1, "type": "language", "language": "de", "status": "ok", "reason": None}]
        assert tablet.of_type("error")[0]["code"] == "unknown_language"
        assert tablet.session.errors["unknown_language"] == 1
    finally:
        tablet.stop()


async def test_a_refused_pick_is_answered_with_why(engine) -> None:  # noqa: F811
    tablet = Tablet(engine, hooks=SessionHooks(on_language=lambda language: "presenter"))
    try:
        tablet.say(type="language", language="de")
        assert tablet.of_type("language")[-1] == {
            "v": 1,
            "type": "language",
            "language": "de",
            "status": "refused",
            "reason": "presenter",
        }
    finally:
        tablet.stop()


# ---- the director --------------------------------------------------------------------------------


def _spoken(exhibit: Exhibit) -> tuple[str, str]:
    """(what the screen was last told to speak, what the tablets were last told)."""
    return exhibit.hub.last("network")["language"], exhibit.tablets_heard[-1]["language"]


def test_a_visitors_language_lasts_their_turn(timeline) -> None:  # noqa: F811
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    assert exhibit.director.language("fr") is None
    # Picking is a touch: the visitor has the screen, and screen and tablets speak French.
    assert exhibit.director.machine.state == "visitor" and exhibit.screen.scene == "live"
    assert _spoken(exhibit) == ("fr", "fr")
    assert exhibit.tablets_heard[-1]["scene"] == "visitor"
    assert all(message["language"] == "fr" for message in exhibit.tablets_heard)  # no flash of English
    assert exhibit.director.current_language == "fr"
    # Drawing keeps it; a second pick changes it.
    exhibit.tick_after(IDLE - 1)
    exhibit.director.stroke()
    assert exhibit.director.language("es") is None and _spoken(exhibit) == ("es", "es")
    # Idle: the playlist comes back in the staff's language.
    exhibit.tick_after(IDLE)
    assert exhibit.director.machine.state == "attract"
    assert _spoken(exhibit) == ("en", "en") and exhibit.tablets_heard[-1]["scene"] == "attract"


def test_no_pick_while_closed_or_held_by_a_presenter(timeline) -> None:  # noqa: F811
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    exhibit.director.language("de")
    exhibit.director.take("Ana")
    assert _spoken(exhibit) == ("en", "en")  # the guide speaks the staff's language
    assert exhibit.director.language("fr") == "presenter" and _spoken(exhibit) == ("en", "en")
    exhibit.director.release()
    closed = Exhibit(timeline, OPEN.replace(hour=22))
    closed.director.machine.start()
    assert closed.director.language("fr") == "closed"
    assert closed.hub.last("network")["language"] == "en"


def test_a_reload_applies_the_staffs_new_language_but_not_over_a_visitors_pick(timeline) -> None:  # noqa: F811
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    german = make_config().model_copy(update={"language": "de"})
    exhibit.director.apply(german)
    assert _spoken(exhibit) == ("de", "de")
    exhibit.director.language("nl" if "nl" in languages() else "en")
    picked = exhibit.director.current_language
    exhibit.director.apply(make_config())  # back to English meanwhile
    assert _spoken(exhibit) == (picked, picked)
    exhibit.tick_after(IDLE)
    assert _spoken(exhibit) == ("en", "en")
