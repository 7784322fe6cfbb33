"""One run of the "How does it work?" tour (kiosk/display/explain_scene.py) on the fake clock: a
step per beat, the snapshot each beat shows, the event for a screen that connects mid-step, and
the end. The pacing alone (``Tour``) and the tour on the screen, from the playlist, the tablet and
presenters, are in tests/test_explain.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_display_screen import a_drawing

from kiosk.display.explain_scene import TourRun
from kiosk.display.explanation import explain_digit
from kiosk.display.payloads import BLANK, Digit
from kiosk.display.tour import BEATS, STEPS
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline


@pytest.fixture
def engine(tiny_export: Path) -> Engine:
    return Engine(load_timeline(tiny_export))


def a_run(engine: Engine, digit: Digit, then=None) -> TourRun:
    live = engine.timeline.final_id
    return TourRun(engine, digit, live, started=100.0, seconds_per_step=8, then=then)


def test_each_beat_is_stepped_to_once_with_the_snapshot_it_shows(engine: Engine) -> None:
    digit = Digit(a_drawing(2), "visitor")
    run = a_run(engine, digit)
    untrained, live = engine.timeline.snapshots[0].id, engine.timeline.final_id
    steps, now = [], 100.0
    while not run.over(now):
        step = run.step(now)
        if step is not None:
            steps.append(step)
        now += 0.25
    assert [(s.payload["step"], s.payload["phase"]) for s in steps] == [(b[0], b[1]) for b in BEATS]
    assert [s.payload["name"] for s in steps] == [STEPS[b[0]] for b in BEATS]
    # The first beat shows the live network's answer; the learned step the untrained one, then the live.
    assert [s.snapshot for s in steps] == [live, None, None, None, untrained, live]
    explained = explain_digit(engine, digit.image, live)
    for step in steps:
        assert step.payload["active"] is True and step.payload["total"] == len(STEPS)
        assert step.payload["source"] == "visitor" and step.payload["label"] is None
        assert {key: step.payload[key] for key in explained} == explained
    assert now - 100.0 == pytest.approx(run.tour.seconds, abs=0.25)


def test_a_late_step_lands_on_the_beat_on_now_and_a_late_screen_gets_its_time_left(engine: Engine) -> None:
    run = a_run(engine, BLANK)
    step = run.step(100.0 + 8 + 10 + 3)  # 3 s into the third step: the first two are not replayed
    assert (step.payload["step"], step.payload["ends_in"]) == (2, 5.0)
    assert run.step(100.0 + 8 + 10 + 4) is None  # the same beat
    late = run.payload_now(100.0 + 8 + 10 + 6.5)
    assert late == step.payload | {"ends_in": 1.5}
    assert run.payload_now(100.0 + 8 + 10 + 8 + 1) is None  # the next beat is due: not stepped to yet


def test_then_is_kept_for_the_screen_to_call_at_the_end(engine: Engine) -> None:
    called = []
    run = a_run(engine, BLANK, then=lambda: called.append(True))
    assert not run.over(100.0 + run.tour.seconds - 0.01) and run.over(100.0 + run.tour.seconds)
    run.then()
    assert called == [True]


@pytest.mark.parametrize("seconds", [4, 21])
def test_a_pace_out_of_range_is_refused(engine: Engine, seconds: float) -> None:
    with pytest.raises(ValueError, match="^seconds_per_step must be 5 to 20"):
        TourRun(engine, BLANK, engine.timeline.final_id, started=0.0, seconds_per_step=seconds, then=None)
