"""The "How does it work?" tour on the server: its numbers come from the real weights (the neuron's
sum is the engine's own pre-activation), its steps follow an injected clock, and it starts from
the playlist, the tablet's button (refused while closed or held by a presenter) and the
presenter's scene command, then goes back to what the exhibit was doing."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import numpy as np
import pytest
from support import REPO
from test_attract_director import BEFORE_OPENING, OPEN, PLAYLIST, Exhibit, make_config, timeline
from test_tablet_session import Tablet

from kiosk.display.explanation import CELLS, TERMS, explain_digit, neuron_sum, pixel_window
from kiosk.display.tour import BEATS, STEPS, Tour
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from kiosk.tablet.session import SessionHooks

__all__ = ["timeline"]  # the fixture: a tiny export with two test samples of each digit

SHIPPED = REPO / "exports" / "mnist-mlp"


@pytest.fixture(scope="module")
def shipped() -> Engine:
    return Engine(load_timeline(SHIPPED))


def pre_activations(engine: Engine, pixels: np.ndarray, snapshot: str) -> np.ndarray:
    """The first layer's sums as the engine computes them: normalised pixels, weights, bias."""
    timeline = engine.timeline
    weight, bias = timeline.layers(snapshot)[0]
    x = (pixels.reshape(-1).astype(np.float32) - np.float32(timeline.mean)) / np.float32(timeline.std)
    return (x @ weight.T + bias).astype(np.float64)


# --- the numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [0, 1, 7, 42])
def test_the_neurons_sum_is_the_engines_pre_activation(shipped: Engine, sample: int) -> None:
    image = shipped.timeline.samples.images[sample]
    snapshot = shipped.timeline.final_id
    sums = pre_activations(shipped, image, snapshot)
    neuron = neuron_sum(shipped, image, snapshot)
    lit = shipped.infer(image, snapshot).activations[0]
    assert neuron["index"] == int(lit.argmax())  # the neuron this digit lights up most
    assert neuron["total"] == pytest.approx(sums[neuron["index"]], abs=2e-3)
    assert neuron["output"] == pytest.approx(lit[neuron["index"]], abs=2e-3) and neuron["output"] > 0
    # The parts written out add up to the total: shown terms, the rest, the bias.
    parts = sum(term["product"] for term in neuron["terms"]) + neuron["rest"] + neuron["bias"]
    assert parts == pytest.approx(neuron["total"], abs=3e-3)
    assert neuron["more"] == 784 - TERMS and neuron["count"] == 128
    assert neuron["dark"] == int((sums <= 0).sum())


def test_the_terms_are_pixel_value_times_weight_largest_first(shipped: Engine) -> None:
    image = shipped.timeline.samples.images[3]
    neuron = neuron_sum(shipped, image, shipped.timeline.final_id)
    pixels = image.reshape(-1)
    weight = shipped.timeline.layers(shipped.timeline.final_id)[0][0][neuron["index"]] / shipped.timeline.std
    products = np.abs(weight * pixels)
    shown = [term["pixel"] for term in neuron["terms"]]
    assert sorted(products[shown], reverse=True) == list(products[shown])
    assert products[shown].min() >= np.delete(products, shown).max()
    for term in neuron["terms"]:
        assert term["value"] == pytest.approx(pixels[term["pixel"]], abs=0.006)
        assert term["weight"] == pytest.approx(weight[term["pixel"]], abs=0.006)
        assert term["product"] == pytest.approx(pixels[term["pixel"]] * weight[term["pixel"]], abs=1e-3)


def test_a_neuron_with_a_negative_total_stays_dark(shipped: Engine) -> None:
    image = shipped.timeline.samples.images[5]
    snapshot = shipped.timeline.final_id
    sums = pre_activations(shipped, image, snapshot)
    darkest = int(sums.argmin())
    neuron = neuron_sum(shipped, image, snapshot, darkest)
    assert neuron["total"] < 0 and neuron["output"] == 0
    assert neuron["total"] == pytest.approx(sums[darkest], abs=2e-3)


def test_the_pixel_window_shows_real_values_with_an_edge_in_it(shipped: Engine) -> None:
    image = shipped.timeline.samples.images[0]
    window = pixel_window(image)
    row, col = window["row"], window["col"]
    assert window["size"] == CELLS
    assert np.allclose(window["values"], image[row : row + CELLS, col : col + CELLS], atol=0.006)
    values = np.array(window["values"])
    assert ((values > 0) & (values < 1)).any()  # grey: the edge of a stroke
    assert pixel_window(np.zeros((28, 28), np.float32))["values"] == np.zeros((CELLS, CELLS)).tolist()


def test_layers_answer_and_learning_come_from_the_engine(shipped: Engine) -> None:
    timeline = shipped.timeline
    image = timeline.samples.images[9]
    explained = explain_digit(shipped, image, timeline.final_id)
    now = shipped.infer(image, timeline.final_id)
    first = shipped.infer(image, timeline.snapshots[0].id)
    assert explained["layers"] == [
        {"count": int(layer.size), "lit": int((layer > 0).sum())} for layer in now.activations[:-1]
    ]
    answer = explained["answer"]
    assert answer["digit"] == now.digit and answer["probability"] == pytest.approx(
        now.probabilities.max(), abs=1e-4
    )
    assert answer["runner_up"] == int(np.argsort(-now.probabilities)[1])
    learned = explained["learned"]
    assert learned["before"]["digit"] == first.digit and learned["after"]["digit"] == now.digit
    assert learned["images"] == timeline.snapshots[-1].images_seen
    assert learned["rounds"] == timeline.snapshots[-1].images_seen // 60_000
    json.dumps(explained)  # plain JSON for the event


# --- the pacing -----------------------------------------------------------------------------------


def test_the_tour_walks_its_beats_on_the_clock_and_ends() -> None:
    tour = Tour(started=100.0, seconds_per_step=8)
    assert tour.seconds == pytest.approx(len(STEPS) * 8)
    seen, t = [], 100.0
    while (beat := tour.beat(t)) is not None:
        if not seen or seen[-1] != (beat.step, beat.phase):
            seen.append((beat.step, beat.phase))
        t += 0.25
    assert seen == [(step, phase) for step, phase, _ in BEATS]
    assert t - 100.0 == pytest.approx(tour.seconds, abs=0.25)
    # A late look lands on the beat that is on then, with the time it has left.
    late = tour.beat(100.0 + 8 + 10 + 3)  # 3 s into the third step
    assert (late.step, late.phase) == (2, 0) and late.ends_in == pytest.approx(5)
    assert tour.beat(50.0).index == 0  # before the start: the first
    for bad in (4, 21):
        with pytest.raises(ValueError, match="seconds_per_step"):
            Tour(0.0, bad)


# --- on the screen, from the playlist, the tablet and presenters -------------------------------


EXPLAIN_FIRST = [{"scene": "explain", "seconds": 45, "digit": 4, "seconds_per_step": 8}, *PLAYLIST]


def steps_published(exhibit: Exhibit) -> list[tuple[int, int]]:
    beats = [(e["step"], e["phase"]) for e in exhibit.hub.of("explain") if e.get("active")]
    return [b for i, b in enumerate(beats) if i == 0 or beats[i - 1] != b]


def walk(exhibit: Exhibit, seconds: float) -> None:
    for _ in range(int(seconds / 0.25)):
        exhibit.tick_after(0.25)


def test_the_playlist_item_runs_the_tour_and_holds_its_last_step(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN, make_config(EXPLAIN_FIRST))
    exhibit.director.machine.start()
    assert exhibit.screen.scene == "explain"
    assert exhibit.hub.last("scene") == {"scene": "explain", "digit": 4, "seconds_per_step": 8.0}
    first = exhibit.hub.last("explain")
    assert first["active"] and (first["step"], first["total"], first["name"]) == (0, 5, "pixels")
    assert first["source"] == "sample" and first["label"] == 4
    # A screen that connects now is shown the step that is on.
    initial = {e.kind: json.loads(e.data) for e in exhibit.screen.initial_events()}
    assert initial["explain"]["step"] == 0 and initial["scene"]["scene"] == "explain"
    exhibit.clock.advance(3)  # no tick: the screen asks between two
    late = {e.kind: json.loads(e.data) for e in exhibit.screen.initial_events()}["explain"]
    assert late["step"] == 0 and late["ends_in"] == pytest.approx(first["ends_in"] - 3)
    assert {k: v for k, v in late.items() if k != "ends_in"} == {
        k: v for k, v in first.items() if k != "ends_in"
    }
    walk(exhibit, 41)
    assert steps_published(exhibit) == [(step, phase) for step, phase, _ in BEATS]
    assert exhibit.screen.scene == "explain" and exhibit.hub.last("explain")["step"] == 4  # held
    walk(exhibit, 4.5)
    assert exhibit.screen.scene == PLAYLIST[0]["scene"]  # the item's 45 s are over: the next one
    assert exhibit.hub.last("explain") == {"active": False}


def test_the_learned_step_replays_the_untrained_network_then_the_trained_one(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN, make_config(EXPLAIN_FIRST))
    exhibit.director.machine.start()
    explained = exhibit.hub.last("explain")
    image = timeline.samples.images[[i for i in range(20) if timeline.samples.labels[i] == 4]]
    assert exhibit.hub.last("activation")["snapshot"] == timeline.final_id
    walk(exhibit, 8 + 10 + 8 + 6 + 0.5)  # into step 5, phase 0
    assert exhibit.hub.last("explain")["phase"] == 0
    early = exhibit.hub.last("activation")
    assert early["snapshot"] == timeline.snapshots[0].id
    assert early["digit"] == explained["learned"]["before"]["digit"]
    walk(exhibit, 4)
    late = exhibit.hub.last("activation")
    assert late["snapshot"] == timeline.final_id and late["digit"] == explained["learned"]["after"]["digit"]
    assert any(np.allclose(late["layers"][0], img.reshape(-1), atol=1e-3) for img in image)


def test_the_tablets_button_explains_the_visitors_drawing_then_goes_live(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    drawing = Engine(timeline).infer(timeline.samples.images[3])
    exhibit.director.stroke()
    exhibit.screen.show_drawing(drawing)
    walk(exhibit, 5)
    assert exhibit.director.explain() is None
    assert exhibit.screen.scene == "explain" and exhibit.director.machine.state == "visitor"
    tour = exhibit.hub.last("explain")
    assert tour["source"] == "visitor" and tour["answer"]["digit"] == drawing.digit
    assert exhibit.director.explain() is None  # pressed again: the tour goes on, not from the start
    walk(exhibit, 30)
    assert exhibit.screen.scene == "explain"  # longer than idle_seconds (20): the visitor's turn lasts
    assert exhibit.director.machine.state == "visitor"
    walk(exhibit, 10.5)
    assert exhibit.screen.scene == "live" and exhibit.hub.last("explain") == {"active": False}
    walk(exhibit, 19)
    assert exhibit.director.machine.state == "visitor"
    walk(exhibit, 1.5)  # idle_seconds after the tour: the playlist goes on
    assert exhibit.director.machine.state == "attract"


def test_from_attract_the_button_takes_the_screen_for_the_visitor(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    assert exhibit.director.machine.state == "attract"
    assert exhibit.director.explain() is None
    assert exhibit.director.machine.state == "visitor" and exhibit.screen.scene == "explain"
    assert exhibit.hub.last("explain")["source"] == "sample"  # nobody drew: a test digit


def test_a_stroke_during_the_visitors_tour_shows_their_drawing(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    exhibit.director.explain()
    walk(exhibit, 3)
    exhibit.director.stroke()
    assert exhibit.screen.scene == "live"


def test_the_button_is_refused_while_closed_or_held_by_a_presenter(timeline: Timeline) -> None:
    closed = Exhibit(timeline, BEFORE_OPENING)
    closed.director.machine.start()
    assert closed.director.explain() == "closed" and closed.screen.scene == "closed"
    held = Exhibit(timeline, OPEN)
    held.director.take("Ada")
    scene = held.screen.scene
    assert held.director.explain() == "presenter" and held.screen.scene == scene


def test_a_presenters_tour_goes_back_to_the_scene_it_interrupted(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.take("Ada")
    exhibit.screen.play_samples(7, 5)
    shown = exhibit.hub.last("activation")["layers"][0]
    exhibit.screen.set_scene("explain")
    assert exhibit.screen.scene == "explain"
    assert np.allclose(exhibit.hub.last("activation")["layers"][0], shown)  # the digit on screen
    exhibit.screen.show_drawing(Engine(timeline).infer(timeline.samples.images[0]))  # a pen meanwhile
    walk(exhibit, 40.5)
    assert exhibit.screen.scene == "samples" and exhibit.hub.last("scene") == {"scene": "samples", "which": 7}


# --- the tablet's message -------------------------------------------------------------------------


@pytest.fixture
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


async def test_the_explain_message_is_answered_started_or_refused_with_the_reason(engine: Engine) -> None:
    answers = iter([None, "presenter", "closed"])
    tablet = Tablet(engine, hooks=SessionHooks(on_explain=lambda: next(answers)))
    try:
        for _ in range(3):
            tablet.say(type="explain")
        tablet.say(type="explain", digit=3)
        await asyncio.sleep(0)
    finally:
        tablet.stop()
    assert tablet.of_type("explain") == [
        {"v": 1, "type": "explain", "status": "started", "reason": None},
        {"v": 1, "type": "explain", "status": "refused", "reason": "presenter"},
        {"v": 1, "type": "explain", "status": "refused", "reason": "closed"},
    ]
    assert tablet.of_type("error")[0]["code"] == "bad_message"


# --- the presenter's command ----------------------------------------------------------------------


async def test_the_scene_command_starts_the_tour_and_the_stream_carries_it(
    aiohttp_client, export_dir, tmp_path
):
    from kiosk.app import create_app
    from kiosk.config import Config, ModelConfig, TabletConfig
    from kiosk.keys import ADMIN, SCREEN

    app = create_app(
        Config(model=ModelConfig(export=export_dir), tablet=TabletConfig(state_dir=tmp_path / "s"))
    )
    client = await aiohttp_client(app)
    token = {"Authorization": f"Bearer {app[ADMIN].token}"}
    response = await client.post("/api/admin/scene", json={"scene": "explain"}, headers=token)
    assert response.status == 200 and await response.json() == {"scene": "explain"}
    assert app[SCREEN].scene == "explain" and app[SCREEN].explaining
    latest = {event.kind: json.loads(event.data) for event in app[SCREEN].initial_events()}
    assert latest["explain"]["active"] and latest["explain"]["step"] == 0
    assert latest["explain"]["neuron"]["total"] == pytest.approx(
        pre_activations(app[SCREEN].engine, app[SCREEN].digit.image, app[SCREEN].live_snapshot)[
            latest["explain"]["neuron"]["index"]
        ],
        abs=2e-3,
    )


def test_the_presenter_page_has_a_button_for_every_scene_a_presenter_may_choose() -> None:
    from kiosk.display.routes import PRESENTER_SCENES

    page = (REPO / "presenter_client" / "index.html").read_text(encoding="utf-8")
    buttons = re.findall(r'<button[^>]*data-scene="([a-z_]+)"', page)
    assert sorted(buttons) == sorted(PRESENTER_SCENES) and "explain" in buttons
    for language in ("en", "de", "fr", "es", "nl"):
        texts = json.loads(
            (REPO / "presenter_client" / "i18n" / f"{language}.json").read_text(encoding="utf-8")
        )
        assert texts.get("sceneExplain"), language


def test_picking_a_language_during_the_visitors_tour_does_not_cut_it_short(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    exhibit.director.explain()
    walk(exhibit, 5)
    exhibit.director.machine.stroke()  # what a language pick does: a touch, not a drawing
    walk(exhibit, 30)  # 35 s in: longer than idle_seconds (20) after that touch
    assert exhibit.screen.scene == "explain" and exhibit.director.machine.state == "visitor"
    walk(exhibit, 5.5)
    assert exhibit.screen.scene == "live"
    walk(exhibit, 19)
    assert exhibit.director.machine.state == "visitor"
    walk(exhibit, 1.5)
    assert exhibit.director.machine.state == "attract"


def test_drawing_ends_the_tour_and_idle_time_counts_from_the_stroke(timeline: Timeline) -> None:
    exhibit = Exhibit(timeline, OPEN)
    exhibit.director.machine.start()
    exhibit.director.explain()
    walk(exhibit, 3)
    exhibit.director.stroke()
    assert exhibit.screen.scene == "live"
    walk(exhibit, 19.5)
    assert exhibit.director.machine.state == "visitor"
    walk(exhibit, 1)  # idle_seconds after the stroke, long before the tour would have ended
    assert exhibit.director.machine.state == "attract"
