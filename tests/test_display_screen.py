"""The exhibit screen's scene switching: what a (re)connecting screen gets, each scene and its
settings, the visitor's drawing, the timeline's digit and the test samples, all as events on a real
EventHub. The screen never switches scenes by itself (the attract machine does,
tests/test_attract_director.py): here each ``show_*`` is called directly, and time moves only when
a test moves the fake clock and calls ``tick()`` (no real sleeps).

The overlays (caption, neuron, pairing window) are in tests/test_display_overlays.py, the sample
pool and cycle in tests/test_display_sample_pool.py, the tour's beats in
tests/test_display_explain_scene.py; the helpers here serve them too."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from support.clock import FakeClock

from kiosk.display.screen import EVENT_ORDER, SCENES, ExhibitScreen
from kiosk.hub import Event, EventHub
from kiosk.model.engine import Engine, Inference
from kiosk.model.export import Timeline, load_timeline
from training.samples import write_samples

SEED = 1234
OPENS_AT = "2025-03-04T10:00:00+01:00"


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
    settings = {"seconds_per_snapshot": 60.0, "connections_per_neuron": 24, "language": "en"}
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


def assert_blank(activation: dict) -> None:
    assert activation["source"] == "none" and activation["digit"] is None and activation["label"] is None
    assert "layers" not in activation and "probabilities" not in activation


def a_drawing(seed: int = 0) -> np.ndarray:
    """A stroke-like 28×28 image in [0, 1]."""
    rng = np.random.default_rng(seed)
    image = np.zeros((28, 28), np.float32)
    rows = rng.integers(4, 24, size=3)
    image[rows[0] : rows[0] + 3, 5:23] = 1.0
    image[4:24, rows[1] : rows[1] + 2] = rng.uniform(0.5, 1.0)
    return image


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


def predictions(engine: Engine, timeline: Timeline, snapshot: str | None = None) -> list[int]:
    """What ``snapshot`` (default: the final one) answers for each of the export's samples."""
    return [engine.infer(image, snapshot or timeline.final_id).digit for image in timeline.samples.images]


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


def assert_shows_sample(activation: dict, timeline: Timeline, engine: Engine, snapshot: str) -> int:
    """``activation`` is one of the samples, labelled and read by ``snapshot``; returns its index."""
    i = sample_shown(activation, timeline)
    assert activation["source"] == "sample" and activation["label"] == int(timeline.samples.labels[i])
    assert_activation_is(activation, engine.infer(timeline.samples.images[i], snapshot))
    return i


# --- what a (re)connecting screen gets ----------------------------------------------------------


def test_initial_events_are_the_whole_state_in_order(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    events = screen.initial_events()
    kinds = [event.kind for event in events]
    # Everything but the attract machine's status, which nobody has published yet.
    assert kinds == [kind for kind in EVENT_ORDER if kind != "exhibit"]
    assert set(kinds) == {"network", "scene", "timeline", "activation", "pairing", "neuron", "caption"} | {
        "explain",
        "lesson",
    }
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
    assert_blank(payloads["activation"])
    assert payloads["pairing"] == {"open": False, "paired": False}
    assert payloads["neuron"] == {"index": None}
    assert payloads["caption"] == {"text": None}
    assert payloads["explain"] == {"active": False}
    assert screen.player.playing and screen.player.index == 0


def test_initial_events_follow_the_state(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.player.seek(2)
    screen.show_live()
    screen.select_neuron(5)
    screen.show_caption("Watch the network learn")
    payloads = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert payloads["scene"] == {"scene": "live"}
    assert payloads["timeline"]["index"] == 2 and payloads["timeline"]["playing"] is False
    assert payloads["neuron"]["index"] == 5
    assert payloads["caption"] == {"text": "Watch the network learn"}
    assert payloads["activation"] == hub.last("activation")


def test_the_exhibits_status_takes_its_place_in_the_initial_events(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    first = {"state": "attract", "presenter": None, "index": 0, "seconds_left": 60.0}
    screen.show_status(first)
    assert hub.last("exhibit") == first
    newer = {"state": "presenter", "presenter": "Ada", "index": None, "seconds_left": 300.0}
    screen.show_status(newer)
    assert hub.of("exhibit") == [first, newer]
    events = screen.initial_events()
    assert [event.kind for event in events] == list(EVENT_ORDER)
    # Only the newest status, right after the network (the page needs the network first).
    assert [event.kind for event in events].index("exhibit") == EVENT_ORDER.index("exhibit")
    assert json.loads(events[EVENT_ORDER.index("exhibit")].data) == newer


def test_a_sample_digit_is_chosen_when_the_export_has_samples(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    assert_shows_sample(
        hub.last("activation"), timeline_with_samples, engine, timeline_with_samples.snapshots[0].id
    )


def test_each_round_of_the_timeline_shows_a_sample_afresh(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    last = len(timeline_with_samples.snapshots) - 1
    first = timeline_with_samples.snapshots[0].id
    shown = []
    for _ in range(6):
        screen.player.seek(last)
        screen.player.on_end()  # what the player calls after holding the last snapshot
        assert screen.player.index == 0 and screen.player.playing
        assert hub.last("timeline")["index"] == 0
        shown.append(assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, first))
    assert len(set(shown)) > 1  # 12 samples, a seeded rng: not the same one six times


def test_the_end_of_a_round_replaces_the_visitors_digit_by_a_sample(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.show_drawing(engine.infer(a_drawing()))
    screen.player.seek(1)
    assert hub.last("activation")["source"] == "visitor"
    screen.player.seek(len(timeline_with_samples.snapshots) - 1)
    screen.player.on_end()
    assert hub.last("activation")["source"] == "sample"


# --- the visitor --------------------------------------------------------------------------------


def test_show_live_takes_the_screen_at_once_and_the_timeline_pauses(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.player.seek(1)
    hub.log.clear()
    screen.show_live()
    assert screen.scene == "live" and not screen.player.playing and screen.player.index == 1
    assert hub.last("scene") == {"scene": "live"}
    assert hub.last("timeline")["playing"] is False and hub.last("timeline")["index"] == 1
    # Paused before the scene changes, so the timeline never moves under the live scene.
    kinds = [kind for kind, _ in hub.log]
    assert kinds.index("timeline") < kinds.index("scene") and kinds[-1] == "activation"
    assert hub.last("activation")["snapshot"] == timeline.final_id  # the live network


def test_a_drawing_is_shown_as_the_engine_reads_it(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.show_live()
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
    screen.show_live()
    for seed in range(3):
        screen.show_drawing(engine.infer(a_drawing(seed)))
    screen.show_drawing(None)
    seqs = [payload["seq"] for payload in hub.of("activation")]
    assert len(seqs) >= 5 and seqs == list(range(1, len(seqs) + 1))


def test_a_cleared_drawing_is_a_blank_frame(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.show_live()
    screen.show_drawing(engine.infer(a_drawing()))
    assert hub.last("activation")["source"] == "visitor"
    screen.show_drawing(None)
    assert_blank(hub.last("activation"))
    assert screen.scene == "live"  # clearing does not end the visitor's turn: the attract machine does


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


def test_the_screen_never_leaves_a_scene_by_itself(timeline_with_samples: Timeline, clock: FakeClock) -> None:
    """No idle timer of its own: however long nobody draws, ticks leave the scene as it is."""
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    for show in (screen.show_live, screen.show_call_to_action, lambda: screen.show_closed(None)):
        show()
        published = len(hub.log)
        for _ in range(3):
            clock.now += 10_000
            screen.tick()
        assert len(hub.log) == published
    assert screen.scene == "closed"


def test_each_move_of_the_timeline_is_published_with_its_snapshot(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    """The player moves on its own timers (tests/test_display_player.py) and calls back on each
    move: the screen publishes where it is, and the timeline's digit as that snapshot reads it."""
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    snapshots = [s.id for s in timeline_with_samples.snapshots]
    digit = screen.digit
    hub.log.clear()
    for index in range(1, len(snapshots)):
        screen.player.seek(index)  # as the player's run loop does: index += 1, then on_change
    assert [p["index"] for p in hub.of("timeline")] == list(range(1, len(snapshots)))
    assert [p["snapshot"] for p in hub.of("timeline")] == snapshots[1:]
    assert [p["snapshot"] for p in hub.of("activation")] == snapshots[1:]
    assert_activation_is(hub.last("activation"), engine.infer(digit.image, snapshots[-1]))


# --- the timeline -------------------------------------------------------------------------------


def test_play_timeline_starts_over_on_the_visitors_digit(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.player.seek(2)
    screen.show_live()
    image = a_drawing(1)
    screen.show_drawing(engine.infer(image))
    hub.log.clear()
    screen.play_timeline()
    assert screen.scene == "timeline" and screen.player.index == 0 and screen.player.playing
    assert [kind for kind, _ in hub.log] == ["scene", "timeline", "activation"]
    assert hub.last("scene") == {"scene": "timeline"}
    assert hub.last("timeline")["index"] == 0 and hub.last("timeline")["playing"] is True
    activation = hub.last("activation")
    assert activation["source"] == "visitor"
    assert_activation_is(activation, engine.infer(image, timeline.snapshots[0].id))


def test_play_timeline_without_a_visitors_digit_uses_a_sample(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.show_live()
    screen.show_drawing(engine.infer(a_drawing()))
    screen.show_drawing(None)  # cleared: no visitor digit left
    screen.play_timeline()
    first = timeline_with_samples.snapshots[0].id
    assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, first)


def test_play_timeline_on_a_sample_passes_the_visitors_digit_over(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.show_live()
    screen.show_drawing(engine.infer(a_drawing()))
    screen.play_timeline(digit="sample")
    first = timeline_with_samples.snapshots[0].id
    assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, first)


@pytest.mark.parametrize(("speed", "digit"), [(0.5, 3), (4.0, 3), (2.0, 8)])
def test_play_timeline_at_a_speed_on_a_sample_of_one_digit(
    timeline_with_samples: Timeline, clock: FakeClock, speed: float, digit: int
) -> None:
    labels = timeline_with_samples.samples.labels
    assert (labels == digit).sum() >= 2  # several to choose from, and other digits beside them
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    first = timeline_with_samples.snapshots[0].id
    shown = set()
    for _ in range(8):
        screen.show_live()
        screen.play_timeline(speed, digit)
        assert screen.scene == "timeline" and screen.player.playing and screen.player.index == 0
        assert screen.player.speed == speed
        assert {k: hub.last("timeline")[k] for k in ("index", "playing", "speed")} == {
            "index": 0,
            "playing": True,
            "speed": speed,
        }
        i = assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, first)
        assert labels[i] == digit
        shown.add(i)
    assert shown <= set(np.flatnonzero(labels == digit).tolist())


def test_play_timeline_on_a_digit_without_samples_shows_a_blank_network(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    missing = next(d for d in range(10) if d not in timeline_with_samples.samples.labels)
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    screen.play_timeline(1.0, missing)
    assert screen.scene == "timeline" and screen.player.playing
    assert_blank(hub.last("activation"))


def test_a_new_timeline_sets_the_players_pace_afresh(timeline: Timeline, clock: FakeClock) -> None:
    # The player divides its wait by the speed (tests/test_display_player.py); a new timeline at
    # speed 1 after one at speed 8 starts over at speed 1.
    screen, hub, _ = make_screen(timeline, clock)
    screen.play_timeline(8.0, "sample")
    screen.player.seek(2)
    assert screen.player.speed == 8.0 and hub.last("timeline")["speed"] == 8.0
    screen.play_timeline(1.0, "sample")
    assert screen.player.index == 0 and screen.player.playing
    assert screen.player.speed == 1.0 and hub.last("timeline")["speed"] == 1.0


# --- samples ------------------------------------------------------------------------------------


def cycle(
    screen: ExhibitScreen,
    hub: RecordingHub,
    clock: FakeClock,
    timeline: Timeline,
    engine: Engine,
    seconds: float,
    count: int,
) -> list[int]:
    """The ``count`` samples the samples scene shows from now on, each checked to be one of the
    export's samples as the live network reads it, and to follow the one before after exactly
    ``seconds``: not a moment earlier (``tick`` at ``seconds`` - 0.25 publishes nothing)."""
    shown = [assert_shows_sample(hub.last("activation"), timeline, engine, timeline.final_id)]
    for _ in range(count - 1):
        since, published = clock.now, len(hub.log)
        clock.now = since + seconds - 0.25
        screen.tick()
        assert len(hub.log) == published, "the next sample came too early"
        clock.now = since + seconds
        screen.tick()
        assert [kind for kind, _ in hub.log[published:]] == ["activation"]
        shown.append(assert_shows_sample(hub.last("activation"), timeline, engine, timeline.final_id))
    return shown


@pytest.mark.parametrize("which", ["any", "wrong", 3, 8])
def test_samples_pass_by_one_every_few_seconds(
    timeline_with_samples: Timeline, clock: FakeClock, which: str | int
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    labels = timeline_with_samples.samples.labels.tolist()
    predicted = predictions(engine, timeline_with_samples)
    if which == "any":
        pool = list(range(len(labels)))
    elif which == "wrong":
        pool = [i for i, label in enumerate(labels) if predicted[i] != label]
    else:
        pool = [i for i, label in enumerate(labels) if label == which]
    assert len(pool) > 1 and (which == "any" or len(pool) < len(labels))  # the choice matters
    hub.log.clear()
    screen.play_samples(which, 7)
    assert screen.scene == "samples" and hub.of("scene") == [{"scene": "samples", "which": which}]
    assert not screen.player.playing and hub.last("timeline")["playing"] is False
    shown = cycle(screen, hub, clock, timeline_with_samples, engine, 7, len(pool) + 1)
    assert sorted(shown[:-1]) == pool  # a round shows each of them once
    assert shown[-1] in pool  # and the next round goes on with them
    if which == "wrong":
        assert all(predicted[i] != labels[i] for i in shown)
    assert len(hub.of("scene")) == 1  # the scene itself stays


def test_the_wrong_samples_are_those_the_live_snapshot_gets_wrong(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    live = timeline_with_samples.snapshots[1].id
    screen, hub, engine = make_screen(timeline_with_samples, clock, live_snapshot=live)
    labels = timeline_with_samples.samples.labels.tolist()
    by_live = {
        i for i, digit in enumerate(predictions(engine, timeline_with_samples, live)) if digit != labels[i]
    }
    by_final = {i for i, digit in enumerate(predictions(engine, timeline_with_samples)) if digit != labels[i]}
    assert by_live != by_final and len(by_live) > 1
    screen.play_samples("wrong", 5)
    shown = set()
    for _ in range(len(by_live)):
        shown.add(sample_shown(hub.last("activation"), timeline_with_samples))
        assert hub.last("activation")["snapshot"] == live
        clock.now += 5
        screen.tick()
    assert shown == by_live


def test_a_samples_scene_of_a_single_sample_holds_it(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    labels = timeline_with_samples.samples.labels.tolist()
    single = next(digit for digit in range(10) if labels.count(digit) == 1)
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.play_samples(single, 2)
    i = assert_shows_sample(
        hub.last("activation"), timeline_with_samples, engine, timeline_with_samples.final_id
    )
    assert labels[i] == single
    published = len(hub.log)
    clock.now += 1000
    screen.tick()
    assert len(hub.log) == published


def test_samples_of_a_digit_the_export_lacks_show_a_blank_network(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    missing = next(d for d in range(10) if d not in timeline_with_samples.samples.labels)
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    screen.play_samples(missing, 5)
    assert hub.last("scene") == {"scene": "samples", "which": missing}
    assert_blank(hub.last("activation"))
    published = len(hub.log)
    clock.now += 100
    screen.tick()
    assert len(hub.log) == published


@pytest.mark.parametrize("which", ["any", "wrong", 3])
def test_an_export_without_samples_shows_a_blank_network(timeline: Timeline, clock: FakeClock, which) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.play_samples(which, 5)
    assert screen.scene == "samples" and hub.last("scene") == {"scene": "samples", "which": which}
    assert_blank(hub.last("activation"))
    assert screen.sample_catalogue() == [] and screen.sample_catalogue(wrong=True) == []


def test_samples_stop_when_another_scene_takes_the_screen(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    screen.play_samples("any", 5)
    screen.show_call_to_action()
    published = len(hub.log)
    clock.now += 60
    screen.tick()
    assert len(hub.log) == published and screen.scene == "call_to_action"


def test_show_sample_shows_exactly_that_sample_and_holds_it(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    samples = timeline_with_samples.samples
    screen.play_samples("any", 5)  # a running cycle stops for the presenter's pick
    for i in reversed(range(len(samples))):
        screen.show_sample(i)
        assert screen.scene == "samples" and not screen.player.playing
        assert hub.last("scene") == {"scene": "samples", "which": int(samples.labels[i])}
        activation = hub.last("activation")
        assert activation["layers"][0] == rounded(samples.images[i].reshape(-1), 3)
        assert sample_shown(activation, timeline_with_samples) == i
        assert activation["source"] == "sample" and activation["label"] == int(samples.labels[i])
        assert_activation_is(activation, engine.infer(samples.images[i], timeline_with_samples.final_id))
        published = len(hub.log)
        clock.now += 1000
        screen.tick()
        assert len(hub.log) == published


@pytest.mark.parametrize("bad", [-1, 12, 100, True, False, "3", 2.0, None])
def test_show_sample_refuses_what_is_not_a_sample_number(
    timeline_with_samples: Timeline, clock: FakeClock, bad: object
) -> None:
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    screen.show_live()
    published = len(hub.log)
    with pytest.raises(ValueError, match=rf"^sample must be 0 to 11, not {re.escape(repr(bad))}$"):
        screen.show_sample(bad)
    assert screen.scene == "live" and len(hub.log) == published


def test_show_sample_without_samples_is_refused(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    published = len(hub.log)
    with pytest.raises(ValueError, match="^sample must be"):
        screen.show_sample(0)
    assert screen.scene == "timeline" and len(hub.log) == published


@pytest.mark.parametrize("snapshot", [-1, 1])
def test_the_sample_catalogue_lists_what_the_live_network_answers(
    timeline_with_samples: Timeline, clock: FakeClock, snapshot: int
) -> None:
    live = timeline_with_samples.snapshots[snapshot].id
    screen, _, engine = make_screen(timeline_with_samples, clock, live_snapshot=live)
    labels = timeline_with_samples.samples.labels.tolist()
    predicted = predictions(engine, timeline_with_samples, live)
    everything = [{"index": i, "label": labels[i], "predicted": predicted[i]} for i in range(len(labels))]
    wrong = [entry for entry in everything if entry["predicted"] != entry["label"]]
    assert 0 < len(wrong) < len(everything)  # the filter keeps some and drops some
    assert screen.sample_catalogue() == everything
    assert screen.sample_catalogue(wrong=True) == wrong
    for digit in range(10):
        assert screen.sample_catalogue(digit=digit) == [e for e in everything if e["label"] == digit]
        assert screen.sample_catalogue(digit=digit, wrong=True) == [e for e in wrong if e["label"] == digit]


# --- call to action, closed, playground ---------------------------------------------------------


def test_the_call_to_action_carries_its_text_and_pauses_the_timeline(
    timeline: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.player.seek(1)
    screen.show_call_to_action("Come and draw a digit!")
    assert screen.scene == "call_to_action"
    assert hub.last("scene") == {"scene": "call_to_action", "text": "Come and draw a digit!"}
    assert not screen.player.playing and hub.last("timeline")["playing"] is False
    assert hub.last("activation")["snapshot"] == timeline.final_id  # the trained network behind it
    screen.show_call_to_action()
    assert hub.last("scene") == {"scene": "call_to_action", "text": ""}  # "": the page's own sentence
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["scene"] == {"scene": "call_to_action", "text": ""}


@pytest.mark.parametrize("opens_at", [OPENS_AT, None])
def test_closed_is_a_blank_screen_saying_when_it_opens(
    timeline_with_samples: Timeline, clock: FakeClock, opens_at: str | None
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.show_live()
    screen.show_drawing(engine.infer(a_drawing()))
    screen.play_timeline()
    assert hub.last("activation")["source"] == "visitor" and screen.player.playing
    screen.show_closed(opens_at)
    assert screen.scene == "closed" and not screen.player.playing
    assert hub.last("scene") == {"scene": "closed", "opens_at": opens_at}
    assert hub.last("timeline")["playing"] is False
    assert_blank(hub.last("activation"))
    # The pen changes nothing on a closed screen.
    published = len(hub.log)
    screen.show_drawing(engine.infer(a_drawing(1)))
    screen.show_drawing(None)
    clock.now += 100
    screen.tick()
    assert len(hub.log) == published
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["scene"] == {"scene": "closed", "opens_at": opens_at}
    assert_blank(initial["activation"])
    assert initial["timeline"]["playing"] is False


def test_the_playground_scene_pauses_the_timeline(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.show_playground()
    assert screen.scene == "playground" and not screen.player.playing
    assert hub.last("scene") == {"scene": "playground"}
    assert hub.last("timeline")["playing"] is False


# --- language -----------------------------------------------------------------------------------


def test_a_new_language_republishes_the_network(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    before = hub.last("network")
    screen.set_language("de")
    assert len(hub.of("network")) == 2
    assert hub.last("network") == before | {"language": "de"}
    initial = {event.kind: json.loads(event.data) for event in screen.initial_events()}
    assert initial["network"]["language"] == "de"
    screen.set_language("de")  # the same language again: nothing to tell the screens
    assert len(hub.of("network")) == 2


# --- commands -----------------------------------------------------------------------------------


def test_set_scene_gives_each_scene_its_default_settings(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    expected = {
        "live": {"scene": "live"},
        "timeline": {"scene": "timeline"},
        "playground": {"scene": "playground"},
        "samples": {"scene": "samples", "which": "any"},
        "call_to_action": {"scene": "call_to_action", "text": ""},
        "explain": {"scene": "explain", "digit": "sample", "seconds_per_step": 8.0},
        "closed": {"scene": "closed", "opens_at": None},
    }
    assert tuple(expected) == SCENES
    for scene in (*SCENES, *reversed(SCENES)):
        screen.set_scene(scene)
        assert screen.scene == scene and hub.last("scene") == expected[scene]
        assert screen.player.playing == (scene == "timeline")
        assert hub.last("timeline")["playing"] == (scene == "timeline")


def test_the_timeline_button_resumes_where_the_timeline_stopped(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, engine = make_screen(timeline, clock)
    screen.player.seek(2)
    screen.show_live()
    image = a_drawing(4)
    screen.show_drawing(engine.infer(image))
    screen.set_scene("timeline")
    assert screen.player.index == 2 and screen.player.playing
    assert hub.last("scene") == {"scene": "timeline"}
    assert hub.last("timeline")["index"] == 2 and hub.last("timeline")["playing"] is True
    activation = hub.last("activation")
    assert activation["source"] == "visitor"
    assert_activation_is(activation, engine.infer(image, timeline.snapshots[2].id))


def test_a_timeline_chosen_right_after_a_visitor_cleared_shows_a_test_sample(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    # Issue 12: the timeline button right after a clear showed a blank input labelled "your digit"
    # and no answer. A cleared drawing never becomes the timeline's digit: a test sample does.
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    screen.player.seek(2)
    screen.show_live()
    screen.show_drawing(engine.infer(a_drawing(4)))
    screen.show_drawing(None)  # cleared on the tablet
    screen.set_scene("timeline")
    assert screen.scene == "timeline" and screen.player.index == 2 and screen.player.playing
    assert screen.digit.source == "sample"
    third = timeline_with_samples.snapshots[2].id
    assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, third)
    # Also when nobody had drawn at all since the screen went live.
    screen.show_live()
    screen.set_scene("timeline")
    assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, third)


def test_set_scene_publishes_and_refuses_unknown_scenes(timeline: Timeline, clock: FakeClock) -> None:
    screen, hub, _ = make_screen(timeline, clock)
    screen.set_scene("live")
    assert hub.last("scene") == {"scene": "live"}
    assert hub.last("activation")["snapshot"] == timeline.final_id  # the live network
    published = len(hub.log)
    for bad in ("attract", "", "LIVE", "visitor"):
        with pytest.raises(ValueError, match=f"^scene must be one of {', '.join(SCENES)}, not {bad!r}$"):
            screen.set_scene(bad)
    assert screen.scene == "live" and len(hub.log) == published


# --- what the screen remembers of the visitor -------------------------------------------------


def test_show_live_without_a_visitors_drawing_shows_a_blank_network(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    # A visitor's first touch (or a presenter's "live" button) after a samples or timeline scene must
    # not show that scene's test digit, labelled, as if the visitor had drawn it.
    screen, hub, _ = make_screen(timeline_with_samples, clock)
    for scene in (lambda: screen.play_samples("any", 5), screen.play_timeline):
        scene()
        assert hub.last("activation")["source"] == "sample"
        screen.show_live()
        assert hub.last("scene") == {"scene": "live"}
        assert_blank(hub.last("activation"))


def test_a_timeline_on_the_visitors_digit_finds_it_after_a_call_to_action(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    image = a_drawing(2)
    screen.show_live()
    screen.show_drawing(engine.infer(image))
    screen.show_call_to_action()
    screen.show_playground()
    screen.play_timeline(1.0, "visitor")
    activation = hub.last("activation")
    assert activation["source"] == "visitor"
    assert_activation_is(activation, engine.infer(image, timeline_with_samples.snapshots[0].id))


def test_a_timeline_on_the_visitors_digit_finds_it_after_a_samples_scene(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    # config/kiosk.yaml: timeline digit "visitor" is "the last visitor's drawing, or a test digit if
    # nobody has drawn yet". In the default playlist (timeline, playground, samples, ...) the samples
    # come between a visitor and the next timeline: they must not make the screen forget the drawing.
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    image = a_drawing(2)
    screen.show_live()
    screen.show_drawing(engine.infer(image))
    screen.play_samples("wrong", 5)
    screen.show_call_to_action()
    screen.play_timeline(1.0, "visitor")
    activation = hub.last("activation")
    assert activation["source"] == "visitor"
    assert_activation_is(activation, engine.infer(image, timeline_with_samples.snapshots[0].id))


def test_a_drawing_cleared_or_a_closing_leaves_no_visitors_digit(
    timeline_with_samples: Timeline, clock: FakeClock
) -> None:
    screen, hub, engine = make_screen(timeline_with_samples, clock)
    first = timeline_with_samples.snapshots[0].id
    for forget in (lambda: screen.show_drawing(None), lambda: screen.show_closed(OPENS_AT)):
        screen.show_live()
        screen.show_drawing(engine.infer(a_drawing(5)))
        screen.play_samples("any", 5)
        forget()  # cleared on the tablet while another scene shows, or closing time
        screen.show_live()
        assert_blank(hub.last("activation"))
        screen.play_timeline(1.0, "visitor")
        assert_shows_sample(hub.last("activation"), timeline_with_samples, engine, first)
