"""What is drawn over any scene: a presenter's caption (kiosk/display/caption.py), a first-layer
neuron's weights (kiosk/display/neuron_view.py) and the pairing window's QR code and code
(kiosk/display/pairing_overlay.py), as the screen publishes them and as a (re)connecting screen
gets them. The pairing window's time runs on the fake clock: the screen's ``tick`` takes an
expired window down (no real sleeps)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import segno
from support.clock import FakeClock
from test_display_screen import make_screen

from kiosk.display.caption import MAX_CAPTION, caption_payload
from kiosk.display.pairing_overlay import PairingOverlay, qr_svg
from kiosk.model.export import Timeline, load_timeline
from kiosk.tablet.pairing import PairingCode


@pytest.fixture
def timeline(tiny_export: Path) -> Timeline:
    return load_timeline(tiny_export)


# --- captions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Look at layer two", "Look at layer two"),
        ("  Neurons at work \n", "Neurons at work"),
        ("x" * MAX_CAPTION, "x" * MAX_CAPTION),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_caption_is_shown_trimmed_or_taken_down(
    timeline: Timeline, clock: FakeClock, text: str | None, shown: str | None
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_caption("Before")
    assert hub.last("caption") == {"text": "Before"}
    screen.show_caption(text)
    assert hub.last("caption") == {"text": shown}
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["caption"] == {"text": shown}


@pytest.mark.parametrize("bad", ["x" * (MAX_CAPTION + 1), 42, ["a caption"], b"bytes", {"text": "hi"}])
def test_a_caption_that_is_too_long_or_not_text_is_refused(timeline: Timeline, clock: FakeClock, bad) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_caption("Before")
    published = len(hub.log)
    with pytest.raises(
        ValueError, match=rf"^caption must be text of at most {MAX_CAPTION} characters, or null$"
    ):
        screen.show_caption(bad)
    assert len(hub.log) == published and hub.last("caption") == {"text": "Before"}


@pytest.mark.parametrize("text", ["x" * (MAX_CAPTION + 1), 7, None, "  ", " Hello "])
def test_the_caption_payload_is_what_the_screen_publishes(timeline: Timeline, clock: FakeClock, text) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    try:
        expected = caption_payload(text)
    except ValueError:
        with pytest.raises(ValueError, match="^caption must be"):
            screen.show_caption(text)
        return
    screen.show_caption(text)
    assert hub.last("caption") == expected


# --- a neuron's weights -------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 7, 15])
def test_a_neuron_is_shown_as_its_weights_scaled_to_1(
    timeline: Timeline, clock: FakeClock, index: int
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.player.seek(1)
    screen.select_neuron(index)
    shown = timeline.snapshots[1].id
    row = timeline.layers(shown)[0][0][index].astype(np.float64)
    neuron = hub.last("neuron")
    assert neuron["index"] == index and neuron["snapshot"] == shown
    assert_scaled_row(neuron["weights"], row)


def assert_scaled_row(weights: list[float], row: np.ndarray) -> None:
    """``weights`` is ``row`` / max |row|, to 3 decimals (float32 arithmetic may round the last digit
    the other way), and its largest magnitude is exactly 1."""
    assert len(weights) == len(row) == 784
    np.testing.assert_allclose(weights, row / np.abs(row).max(), rtol=0, atol=0.0005 + 1e-6)
    assert max(abs(w) for w in weights) == 1.0
    assert np.sign(weights)[np.abs(row) > 0.001 * np.abs(row).max()].tolist() == (
        np.sign(row)[np.abs(row) > 0.001 * np.abs(row).max()].tolist()
    )


def test_in_the_live_scene_a_neuron_comes_from_the_live_snapshot(
    timeline: Timeline, clock: FakeClock
) -> None:
    live = timeline.snapshots[1].id
    screen, hub, _ = make_screen(timeline, clock, live_snapshot=live)
    screen.show_live()
    screen.select_neuron(2)
    row = timeline.layers(live)[0][0][2].astype(np.float64)
    neuron = hub.last("neuron")
    assert neuron["index"] == 2 and neuron["snapshot"] == live
    assert_scaled_row(neuron["weights"], row)


def test_a_neuron_out_of_range_is_refused_and_none_hides_it(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    hidden = timeline.architecture[1]
    for bad in (-1, hidden, hidden + 100):
        with pytest.raises(ValueError, match=rf"^neuron must be 0 to {hidden - 1}, not {bad}$"):
            screen.select_neuron(bad)
    screen.select_neuron(3)
    screen.select_neuron(None)
    assert hub.last("neuron") == {"index": None}


# --- pairing ------------------------------------------------------------------------------------

URL = "http://192.0.2.5:8080/tablet"


def test_an_open_pairing_window_is_shown_with_code_url_qr_and_time_left(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    window = PairingCode("123456", clock.now + 600)
    screen.show_pairing(window, f"{URL}#code=123456")
    pairing = hub.last("pairing")
    assert pairing["open"] is True and pairing["code"] == "123 456" == window.display()
    assert pairing["url"] == URL  # the address to type: without the code
    assert pairing["qr"].startswith("data:image/svg+xml")
    assert pairing["expires_in_s"] == 600
    # A screen that connects later counts down from then, not from when the window opened.
    clock.now += 99.5
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["pairing"]["expires_in_s"] == math.ceil(600 - 99.5)
    assert initial["pairing"]["code"] == "123 456"


def test_closing_the_window_says_whether_a_tablet_paired(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_pairing(PairingCode("654321", clock.now + 600), URL)
    screen.show_pairing(None, URL, paired=True)
    assert hub.last("pairing") == {"open": False, "paired": True}
    # "Tablet paired" is news for screens watching now; one that connects later just sees no window.
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["pairing"] == {"open": False, "paired": False}
    screen.show_pairing(PairingCode("111222", clock.now + 600), URL)
    screen.show_pairing(None, URL)
    assert hub.last("pairing") == {"open": False, "paired": False}


def test_an_expired_window_is_taken_down_at_the_first_tick_after_its_time(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_pairing(PairingCode("123456", clock.now + 60), URL)
    clock.now += 59.9
    screen.tick()
    assert hub.last("pairing")["open"] is True and hub.last("pairing")["expires_in_s"] == 60
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["pairing"]["open"] is True and initial["pairing"]["expires_in_s"] == 1
    clock.now += 0.1
    screen.tick()
    assert hub.last("pairing") == {"open": False, "paired": False}
    published = len(hub.log)
    screen.tick()
    assert len(hub.log) == published  # taken down once
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["pairing"] == {"open": False, "paired": False}


def test_the_expiry_of_a_replaced_window_leaves_the_new_one_up(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_pairing(PairingCode("123456", clock.now + 5), URL)
    screen.show_pairing(PairingCode("999888", clock.now + 600), URL)
    clock.now += 10  # the first window's expiry has come and gone
    screen.tick()
    assert [p["open"] for p in hub.of("pairing")] == [False, True, True]  # start-up, then two windows
    assert hub.last("pairing")["code"] == "999 888"


def test_the_overlay_counts_down_from_now_and_expires_on_its_clock(clock: FakeClock) -> None:
    overlay = PairingOverlay(clock)
    assert overlay.payload() == {"open": False, "paired": False} and not overlay.expired()
    overlay.open(PairingCode("246810", clock.now + 30), f"{URL}#code=246810")
    assert overlay.payload()["expires_in_s"] == 30
    clock.now += 29.2
    assert overlay.payload()["expires_in_s"] == 1 and not overlay.expired()  # rounded up: never 0 early
    clock.now += 0.8
    assert overlay.expired() and overlay.payload()["expires_in_s"] == 0
    overlay.close()
    assert not overlay.expired() and overlay.payload() == {"open": False, "paired": False}


def test_the_qr_code_is_an_svg_of_exactly_the_text() -> None:
    text = f"{URL}#code=123456"
    svg = qr_svg(text)
    assert svg.startswith("data:image/svg+xml")
    assert svg == segno.make(text, error="m").svg_data_uri(scale=10, border=2, dark="#000", light="#fff")
    assert qr_svg(URL) != svg
