"""A lesson (kiosk/teach/lesson.py): the copy learns the visitor's drawing and keeps the rest.

Drawings the shipped network reads wrong come from the export's own test samples (every one it
gets wrong is shipped) and, where the pendigits file is at hand, from real pen-drawn digits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import SHIPPED_EXPORT
from support.pen_digits import pen_file

from kiosk.model.engine import Engine
from kiosk.model.export import Timeline, load_timeline
from kiosk.model.rasterise import rasterise
from kiosk.strokefile import Sample, read_stroke_file
from kiosk.teach.data import TeachingData, load_teaching_data
from kiosk.teach.lesson import Lesson, LessonSettings, accuracy


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return load_timeline(SHIPPED_EXPORT)  # in the repository: the network visitors teach


@pytest.fixture(scope="module")
def data(timeline: Timeline) -> TeachingData:
    assert timeline.teaching is not None, "the shipped export carries the teaching data"
    return load_teaching_data(timeline.teaching)


@pytest.fixture(scope="module")
def wrong(timeline: Timeline) -> list[tuple[np.ndarray, int, int]]:
    return misread(timeline, 8)


def misread(timeline: Timeline, count: int) -> list[tuple[np.ndarray, int, int]]:
    """(image, true digit, what the shipped network reads) for drawings it gets wrong."""
    engine, found = Engine(timeline), []
    images = []
    path = pen_file()
    if path is not None:
        samples = [s for s in read_stroke_file(Path(path)) if isinstance(s, Sample) and s.label is not None]
        images += [(rasterise(s.drawing), s.label) for s in samples[:1500]]
    assert timeline.samples is not None
    images += list(zip(timeline.samples.images, timeline.samples.labels.tolist(), strict=True))
    for image, label in images:
        read = engine.infer(image).digit
        if read != label:
            found.append((np.asarray(image, np.float32), int(label), read))
    assert len(found) >= count, "the shipped network gets some drawings wrong"
    step = len(found) // count  # spread over the pen digits and the test samples
    return found[::step][:count]


def run(lesson: Lesson) -> list:
    steps = [lesson.step()]
    while not steps[-1].done:
        steps.append(lesson.step())
    return steps


def lesson_for(timeline: Timeline, data: TeachingData, image: np.ndarray, meant: int, **settings) -> Lesson:
    layers = timeline.layers(timeline.final_id)
    replay = (data.replay_images, data.replay_labels)
    normalization = (timeline.mean, timeline.std)
    return Lesson(
        layers, timeline.activations[:-1], normalization, image, meant, replay, LessonSettings(**settings)
    )


@pytest.mark.slow
def test_after_a_lesson_the_meant_digit_wins_on_drawings_first_read_wrong(timeline, data, wrong) -> None:
    before_accuracy = accuracy(
        Engine(timeline).network(timeline.final_id),
        data.test_images,
        data.test_labels,
        (timeline.mean, timeline.std),
    )
    for image, meant, was in wrong:
        lesson = lesson_for(timeline, data, image, meant)
        steps = run(lesson)
        assert int(steps[-1].probabilities.argmax()) == meant, f"a {meant} read as {was} was not learned"
        # The copy's own answer agrees with what the last step reported.
        answer = Engine(timeline)
        answer.teach(timeline.final_id, lesson.layers())
        assert answer.infer(image).digit == meant
        # The meant digit rose over the lesson, as the screen shows it.
        start = float(Engine(timeline).infer(image).probabilities[meant])
        assert float(steps[-1].probabilities[meant]) > start + 0.3
        # It did not forget the rest: most of MNIST's test digits are still read right.
        after = accuracy(lesson.model, data.test_images, data.test_labels, (timeline.mean, timeline.std))
        assert after > before_accuracy - 0.06


def test_a_lesson_is_its_number_of_steps(timeline, data, wrong) -> None:
    image, meant, _ = wrong[0]
    steps = run(lesson_for(timeline, data, image, meant, steps=7))
    assert [s.step for s in steps] == list(range(1, 8)) and [s.done for s in steps] == [False] * 6 + [True]


def test_the_changes_are_the_connections_that_moved_most_since_the_start(timeline, data, wrong) -> None:
    image, meant, _ = wrong[0]
    lesson = lesson_for(timeline, data, image, meant, changes_per_layer=5)
    steps = run(lesson)
    start, end = timeline.layers(timeline.final_id), lesson.layers()
    changes = steps[-1].changes
    assert sorted({c.layer for c in changes}) == list(range(len(start))) and len(changes) == 5 * len(start)
    for change in changes:
        delta = end[change.layer][0] - start[change.layer][0]  # weight (out × in): [target, source]
        assert change.delta == pytest.approx(float(delta[change.target, change.source]), abs=1e-6)
        biggest = np.sort(np.abs(delta).reshape(-1))[-5]
        assert abs(change.delta) >= biggest - 1e-6


def test_a_lesson_is_the_same_for_the_same_seed_and_leaves_the_weights_it_started_from(
    timeline, data, wrong
) -> None:
    image, meant, _ = wrong[0]
    before = [w.copy() for pair in timeline.layers(timeline.final_id) for w in pair]
    a = [s.probabilities for s in run(lesson_for(timeline, data, image, meant))]
    b = [s.probabilities for s in run(lesson_for(timeline, data, image, meant))]
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    after = [w for pair in timeline.layers(timeline.final_id) for w in pair]
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))  # the timeline is untouched


def test_a_digit_out_of_range_is_refused(timeline, data, wrong) -> None:
    with pytest.raises(ValueError, match="0..9"):
        lesson_for(timeline, data, np.zeros((28, 28), np.float32), 10)


def test_accuracy_counts_the_images_read_as_their_labels(timeline, data) -> None:
    network = Engine(timeline).network(timeline.final_id)
    images, labels = data.test_images[:500], data.test_labels[:500]
    expected = np.mean(
        Engine(timeline).forward(images.astype(np.float32) / 255, timeline.final_id)[-1].argmax(1) == labels
    )
    assert accuracy(network, images, labels, (timeline.mean, timeline.std)) == pytest.approx(expected)
    assert accuracy(network, images, (labels + 1) % 10, (timeline.mean, timeline.std)) < 0.05
