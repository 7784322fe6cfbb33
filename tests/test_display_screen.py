"""The exhibit screen's state: what a (re)connecting screen gets, scenes, the visitor's drawing, the
timeline's digit, a neuron's weights and the pairing overlay, all as events on a real EventHub."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeClock

from kiosk.display.screen import EVENT_ORDER, SCENES, ExhibitScreen
from kiosk.hub import Event, EventHub
from kiosk.model.engine import Engine, Inference
from kiosk.model.export import Timeline, load_timeline
from kiosk.tablet.pairing import PairingCode
from training.samples import write_samples

IDLE_S = 20
SEED = 1234


class RecordingHub(EventHub):
    """A real hub that also keeps every published event, decoded, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, dict]] = []

    def publish(self, kind: str, payload: object, *, key: str | None = None) -> Event:
        event = super().publish(kind, payload, key=key)
        self.log.append((kind, json.loads(event.data)))
        return event

    def of(self, kind: str) -> list[dict]:
        return [payload for k, payload in self.log if k == kind]

    def last(self, kind: str) -> dict:
        return self.of(kind)[-1]


def make_screen(timeline: Timeline, clock: FakeClock, live_snapshot: str | None = None, **options):
    hub = RecordingHub()
    engine = Engine(timeline)
    settings = {
        "seconds_per_snapshot": 60.0,
        "idle_s": IDLE_S,
        "connections_per_neuron": 24,
        "language": "en",
    }
    screen = ExhibitScreen(
        hub,
        engine,
        live_snapshot or timeline.final_id,
        clock=clock,
        rng=random.Random(SEED),
        **(settings | options),
    )
    return screen, hub, engine


def rounded(values, digits: int) -> list[float]:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


def expected_activation(result: Inference) -> dict:
    """What the screen must send for ``result``, computed here from the engine's own numbers."""
    layers = [result.image.reshape(-1), *result.activations]
    return {
        "snapshot": result.snapshot,
        "digit": result.digit,
        "probabilities": rounded(result.probabilities, 4),
        "layers": [rounded(layer, 3) for layer in layers],
        "scales": [round(max(float(np.max(layer)), 1e-6), 4) for layer in layers],
    }


def assert_activation_is(payload: dict, result: Inference) -> None:
    assert {key: payload[key] for key in expected_activation(result)} == expected_activation(result)


def a_drawing(seed: int = 0) -> np.ndarray:
    """A stroke-like 28×28 image in [0, 1]."""
    rng = np.random.default_rng(seed)
    image = np.zeros((28, 28), np.float32)
    rows = rng.integers(4, 24, size=3)
    image[rows[0] : rows[0] + 3, 5:23] = 1.0
    image[4:24, rows[1] : rows[1] + 2] = rng.uniform(0.5, 1.0)
    return image


async def eventually(condition: Callable[[], bool], timeout: float = 1.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


@pytest.fixture
def timeline(tiny_export: Path) -> Timeline:
    return load_timeline(tiny_export)


@pytest.fixture
def timeline_with_samples(tiny_export: Path) -> Timeline:
    rng = np.random.default_rng(5)
    images = (rng.uniform(0, 1, size=(12, 28, 28)) ** 4 * 255).astype(np.uint8)
    labels = rng.integers(0, 10, size=12)
    write_samples(tiny_export, images, labels)
    loaded = load_timeline(tiny_export)
    assert loaded.samples is not None and len(loaded.samples) == 12
    return loaded


# --- what a (re)connecting screen gets ----------------------------------------------------------


def test_initial_events_are_the_whole_state_in_order(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    events = screen.initial_events()
    kinds = [event.kind for event in events]
    assert kinds == list(EVENT_ORDER) == ["network", "scene", "timeline", "activation", "pairing", "neuron"]
    payloads = {event.kind: json.loads(event.data) for event in events}
    # Each is the newest of its kind that went out on the hub.
    assert payloads == {kind: hub.last(kind) for kind in kinds}

    network = payloads["network"]
    assert network["architecture"] == timeline.architecture
    assert network["activations"] == timeline.activations
    assert network["per_neuron"] == 24 and network["language"] == "en"
    assert network["live_snapshot"] == timeline.final_id
    assert network["snapshots"] == [
        {"id": s.id, "label": s.label, "images_seen": s.images_seen, "test_accuracy": s.test_accuracy}
        for s in timeline.snapshots
    ]
    first = timeline.snapshots[0]
    assert payloads["scene"] == {"scene": "timeline"}
    assert payloads["timeline"] == {
        "index": 0,
        "count": len(timeline.snapshots),
        "playing": True,
        "speed": 1.0,
        "snapshot": first.id,
        "label": first.label,
        "images_seen": first.images_seen,
        "test_accuracy": first.test_accuracy,
    }
    # The tiny export ships no samples: the timeline runs on a blank digit.
    activation = payloads["activation"]
    assert activation["source"] == "none" and activation["digit"] is None and activation["label"] is None
    assert "layers" not in activation
    assert payloads["pairing"] == {"open": False, "paired": False}
    assert payloads["neuron"] == {"index": None}
    assert screen.player.playing and screen.player.index == 0


def test_initial_events_follow_the_state(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.player.seek(2)
    screen.visitor_active()
    screen.select_neuron(5)
    payloads = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert payloads["scene"] == {"scene": "live"}
    assert payloads["timeline"]["index"] == 2 and payloads["timeline"]["playing"] is False
    assert payloads["neuron"]["index"] == 5
    assert payloads["activation"] == hub.last("activation")


def sample_shown(activation: dict, timeline: Timeline) -> int:
    """Which of the export's samples ``activation`` shows (its input layer), checking it is exactly one."""
    samples = timeline.samples
    pixels = np.array(activation["layers"][0])
    matches = [
        i for i in range(len(samples)) if np.array_equal(pixels, rounded(samples.images[i].reshape(-1), 3))
    ]
    assert len(matches) >= 1, "the input layer is none of the samples"
    assert all(np.array_equal(samples.images[i], samples.images[matches[0]]) for i in matches)
    return matches[0]


def test_a_sample_digit_is_chosen_when_the_export_has_samples(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    samples = timeline_with_samples.samples
    activation = hub.last("activation")
    assert activation["source"] == "sample"
    i = sample_shown(activation, timeline_with_samples)
    assert activation["label"] == int(samples.labels[i])
    first = timeline_with_samples.snapshots[0].id
    assert_activation_is(activation, engine.infer(samples.images[i], first))


def test_each_round_of_the_timeline_shows_a_sample_afresh(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    samples = timeline_with_samples.samples
    last = len(timeline_with_samples.snapshots) - 1
    shown = []
    for _ in range(6):
        screen.player.seek(last)
        screen._timeline_ended()  # what the player calls after holding the last snapshot
        assert screen.player.index == 0 and screen.player.playing
        assert hub.last("timeline")["index"] == 0
        activation = hub.last("activation")
        assert activation["source"] == "sample"
        i = sample_shown(activation, timeline_with_samples)
        assert activation["label"] == int(samples.labels[i])
        assert_activation_is(
            activation, engine.infer(samples.images[i], timeline_with_samples.snapshots[0].id)
        )
        shown.append(i)
    assert len(set(shown)) > 1  # 12 samples, a seeded rng: not the same one six times


def test_the_end_of_a_round_replaces_the_visitors_digit_by_a_sample(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.show_drawing(engine.infer(a_drawing()))
    screen.player.seek(1)
    assert hub.last("activation")["source"] == "visitor"
    screen.player.seek(len(timeline_with_samples.snapshots) - 1)
    screen._timeline_ended()
    assert hub.last("activation")["source"] == "sample"


# --- the visitor --------------------------------------------------------------------------------


def test_a_visitor_takes_the_screen_at_once_and_the_timeline_pauses(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    hub.log.clear()
    screen.visitor_active()
    assert screen.scene == "live" and not screen.player.playing
    assert hub.last("scene") == {"scene": "live"}
    assert hub.last("timeline")["playing"] is False
    assert screen.last_activity == clock.now
    # More pen movement changes nothing on screen, only the idle clock.
    published = len(hub.log)
    clock.now += 3
    screen.visitor_active()
    assert len(hub.log) == published and screen.last_activity == clock.now


def test_a_drawing_is_shown_as_the_engine_reads_it(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.visitor_active()
    image = a_drawing()
    result = engine.infer(image)  # as the tablet session does
    screen.show_drawing(result)
    activation = hub.last("activation")
    assert activation["source"] == "visitor" and activation["label"] is None
    assert_activation_is(activation, engine.infer(image, timeline.final_id))
    assert activation["layers"][0] == rounded(image.reshape(-1), 3)  # the input layer is the image
    assert len(activation["layers"]) == len(timeline.architecture)
    assert [len(layer) for layer in activation["layers"]] == timeline.architecture
    assert activation["scales"] == [
        round(max(max(layer_values), 1e-6), 4) for layer_values in ([*image.reshape(-1)], *result.activations)
    ]


def test_activations_are_numbered_in_order(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.visitor_active()
    for seed in range(3):
        screen.show_drawing(engine.infer(a_drawing(seed)))
    screen.show_drawing(None)
    seqs = [payload["seq"] for payload in hub.of("activation")]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_cleared_drawing_is_a_blank_frame(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.visitor_active()
    screen.show_drawing(engine.infer(a_drawing()))
    clock.now += 2
    screen.show_drawing(None)
    activation = hub.last("activation")
    assert activation["digit"] is None and activation["source"] == "none" and activation["label"] is None
    assert "layers" not in activation and "probabilities" not in activation
    assert screen.last_activity == clock.now


def test_a_drawing_outside_the_live_scene_waits_for_the_timeline(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    before = len(hub.of("activation"))
    image = a_drawing(3)
    screen.show_drawing(engine.infer(image))
    assert len(hub.of("activation")) == before  # the timeline keeps the screen
    screen.player.seek(1)  # the timeline moves on: now on the visitor's digit
    activation = hub.last("activation")
    assert activation["source"] == "visitor"
    assert_activation_is(activation, engine.infer(image, timeline.snapshots[1].id))


async def test_after_idle_seconds_the_timeline_starts_over_on_the_visitors_digit(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.player.seek(2)
    screen.visitor_active()
    image = a_drawing(1)
    screen.show_drawing(engine.infer(image))
    task = asyncio.ensure_future(screen.run())
    try:
        clock.now += IDLE_S - 0.5
        await asyncio.sleep(0.3)  # the loop checks every 0.25 s
        assert screen.scene == "live"
        hub.log.clear()
        clock.now += 1
        await eventually(lambda: screen.scene == "timeline")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert screen.player.index == 0 and screen.player.playing
    assert [kind for kind, _ in hub.log] == ["scene", "timeline", "activation"]
    assert hub.last("scene") == {"scene": "timeline"}
    assert hub.last("timeline")["index"] == 0 and hub.last("timeline")["playing"] is True
    activation = hub.last("activation")
    assert activation["source"] == "visitor"
    assert_activation_is(activation, engine.infer(image, timeline.snapshots[0].id))


async def test_without_a_visitor_digit_the_timeline_starts_over_on_a_sample(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.visitor_active()
    screen.show_drawing(engine.infer(a_drawing()))
    screen.show_drawing(None)  # cleared: no visitor digit left
    task = asyncio.ensure_future(screen.run())
    try:
        clock.now += IDLE_S
        await eventually(lambda: screen.scene == "timeline")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert hub.last("activation")["source"] == "sample"


async def test_the_run_loop_plays_the_timeline(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock, seconds_per_snapshot=0.02)
    task = asyncio.ensure_future(screen.run())
    try:
        await eventually(lambda: screen.player.index == len(timeline.snapshots) - 1)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [p["index"] for p in hub.of("timeline")] == list(range(len(timeline.snapshots)))
    assert [p["snapshot"] for p in hub.of("timeline")] == [s.id for s in timeline.snapshots]


# --- commands -----------------------------------------------------------------------------------


def test_set_scene_publishes_and_refuses_unknown_scenes(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.set_scene("live")
    assert hub.last("scene") == {"scene": "live"}
    assert hub.last("activation")["snapshot"] == timeline.final_id  # the live network
    published = len(hub.log)
    for bad in ("attract", "", "LIVE"):
        with pytest.raises(ValueError, match=f"^scene must be one of {', '.join(SCENES)}, not {bad!r}$"):
            screen.set_scene(bad)
    assert screen.scene == "live" and len(hub.log) == published


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
    screen.visitor_active()
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


async def test_an_open_pairing_window_is_shown_with_code_url_qr_and_time_left(
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


async def test_closing_the_window_says_whether_a_tablet_paired(timeline: Timeline, clock: FakeClock) -> None:
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


async def test_an_expired_window_is_taken_down(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_pairing(PairingCode("123456", clock.now + 0.05), URL)
    assert hub.last("pairing")["open"] is True
    await eventually(lambda: hub.last("pairing")["open"] is False, timeout=1.0)
    assert hub.last("pairing") == {"open": False, "paired": False}
    assert "pairing" in [event.kind for event in screen.initial_events()]
    assert json.loads(screen.initial_events()[4].data)["open"] is False


async def test_the_expiry_of_a_replaced_window_leaves_the_new_one_up(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_pairing(PairingCode("123456", clock.now + 0.05), URL)
    screen.show_pairing(PairingCode("999888", clock.now + 600), URL)
    await asyncio.sleep(0.15)  # the first window's expiry has come and gone
    assert [p["open"] for p in hub.of("pairing")] == [False, True, True]  # start-up, then two windows
    assert hub.last("pairing")["code"] == "999 888"


async def test_a_commanded_live_scene_stays_for_idle_seconds(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.player.seek(2)
    task = asyncio.ensure_future(screen.run())
    try:
        screen.set_scene("live")
        await asyncio.sleep(0.4)  # more than one idle check; the (fake) clock has not moved
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert screen.scene == "live"
    assert hub.last("scene") == {"scene": "live"}
