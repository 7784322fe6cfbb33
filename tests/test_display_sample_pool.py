"""The export's test samples as the screen uses them (kiosk/display/sample_pool.py): which samples a
choice means, a random pick, the presenters' catalogue, the live network's answers computed once,
and the samples scene's order. The scene itself (one sample every few seconds on the fake clock)
is in tests/test_display_screen.py."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from test_display_screen import predictions

from kiosk.display.payloads import BLANK
from kiosk.display.sample_pool import SampleCycle, SamplePool
from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from training.samples import write_samples


@pytest.fixture
def timeline(tiny_export: Path) -> Timeline:
    """The tiny export with 12 test samples: some digits twice or more, some missing."""
    rng = np.random.default_rng(5)
    images = (rng.uniform(0, 1, size=(12, 28, 28)) ** 4 * 255).astype(np.uint8)
    write_samples(tiny_export, images, rng.integers(0, 10, size=12))
    return load_timeline(tiny_export)


class CountingEngine(Engine):
    def __init__(self, timeline: Timeline) -> None:
        super().__init__(timeline)
        self.calls = 0

    def infer(self, *args, **kwargs):
        self.calls += 1
        return super().infer(*args, **kwargs)


def test_each_choice_is_the_samples_it_names(timeline: Timeline) -> None:
    engine = Engine(timeline)
    pool = SamplePool(engine, timeline.final_id)
    labels = timeline.samples.labels.tolist()
    predicted = predictions(engine, timeline)
    assert len(pool) == 12
    assert pool.indices("any").tolist() == list(range(12))
    assert pool.indices("wrong").tolist() == [i for i in range(12) if predicted[i] != labels[i]]
    for digit in range(10):
        assert pool.indices(digit).tolist() == [i for i in range(12) if labels[i] == digit]


def test_a_sample_is_its_image_labelled_with_its_true_digit(timeline: Timeline) -> None:
    pool = SamplePool(Engine(timeline), timeline.final_id)
    digit = pool.digit(4)
    assert digit.source == "sample" and digit.label == int(timeline.samples.labels[4])
    assert np.array_equal(digit.image, timeline.samples.images[4])


def test_a_random_pick_is_of_the_digit_asked_for_or_blank_without_one(timeline: Timeline) -> None:
    pool, rng = SamplePool(Engine(timeline), timeline.final_id), random.Random(3)
    labels = timeline.samples.labels.tolist()
    present = max(set(labels), key=labels.count)
    missing = next(d for d in range(10) if d not in labels)
    picks = [pool.random_digit(rng, present) for _ in range(20)]
    assert {pick.label for pick in picks} == {present}
    assert pool.random_digit(rng, missing) is BLANK
    assert len({pool.random_digit(rng).label for _ in range(40)}) > 2  # any digit: several kinds


def test_the_live_networks_answers_are_computed_once(timeline: Timeline) -> None:
    engine = CountingEngine(timeline)
    pool = SamplePool(engine, timeline.snapshots[1].id)
    first = pool.catalogue()
    assert engine.calls == 12
    pool.catalogue(wrong=True), pool.catalogue(digit=3), pool.indices("wrong")
    assert engine.calls == 12 and pool.catalogue() == first
    assert [entry["predicted"] for entry in first] == predictions(engine, timeline, timeline.snapshots[1].id)


@pytest.mark.parametrize("which", ["any", "wrong", 0, 7])
def test_an_export_without_samples_is_an_empty_pool(tiny_export: Path, which) -> None:
    timeline = load_timeline(tiny_export)
    pool = SamplePool(Engine(timeline), timeline.final_id)
    assert len(pool) == 0 and pool.indices(which).size == 0
    assert pool.random_digit(random.Random(1)) is BLANK
    assert pool.catalogue() == [] and pool.catalogue(digit=3, wrong=True) == []


def test_the_cycle_shows_each_sample_once_a_round_each_for_its_seconds() -> None:
    cycle = SampleCycle(np.array([3, 5, 8, 9]), 7.0, random.Random(2))
    now, shown = 100.0, []
    for _ in range(8):
        assert cycle.due(now) or not shown
        shown.append(cycle.next(now))
        assert not cycle.due(now + 6.99) and cycle.due(now + 7)
        now += 7
    assert sorted(shown[:4]) == sorted(shown[4:]) == [3, 5, 8, 9]
    assert shown[:4] == shown[4:]  # the same shuffled order, round after round


def test_a_cycle_of_one_holds_it_and_an_empty_one_shows_nothing() -> None:
    single = SampleCycle(np.array([6]), 5.0)
    assert single.next(0.0) == 6 and not single.due(1e9)
    empty = SampleCycle()
    assert empty.next(0.0) is None and not empty.due(1e12)
